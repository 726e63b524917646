using System.Globalization;
using System.Text.RegularExpressions;
using Backprop.Data;

namespace Backprop.Training;

/// <summary>
/// The whole configuration of a training run on a small data set, keyed by the names of <c>backprop train</c>'s
/// options: what the playground keeps in its URL, and what it shows as the equivalent command. Both come from this
/// one record, so the page, its address and the terminal cannot disagree.
/// </summary>
public sealed partial record RunSettings
{
    /// <summary>Where the examples come from: a synthetic set's name or <c>csv:FILE</c>.</summary>
    public string Data { get; init; } = "spiral";
    /// <summary>Neurons of each hidden layer; the input and output sizes follow from the data.</summary>
    public IReadOnlyList<int> HiddenLayers { get; init; } = [8, 8];
    /// <summary>One name for every hidden layer, or one per hidden layer ("relu,tanh").</summary>
    public string Activation { get; init; } = "tanh";
    /// <summary>softmax (with cross-entropy) or sigmoid (with the quadratic cost), or any the CLI takes.</summary>
    public string OutputActivation { get; init; } = "softmax";
    /// <summary>The cost's name.</summary>
    public string Cost { get; init; } = "cross-entropy";
    /// <summary>sgd, momentum or adam.</summary>
    public string Optimizer { get; init; } = "adam";
    /// <summary>η.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>μ, for momentum.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Examples per mini-batch.</summary>
    public int Batch { get; init; } = 16;
    /// <summary>Seeds initialisation, shuffling and the synthetic data.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Stop after this many epochs (the CLI's --epochs).</summary>
    public int Epochs { get; init; } = 100;
    /// <summary>σ of the synthetic set's noise; null for the set's own.</summary>
    public double? Noise { get; init; }
    /// <summary>Examples of a synthetic set, training and test parts together.</summary>
    public int Examples { get; init; } = 500;
    /// <summary>The part of the examples kept for testing.</summary>
    public double TestFraction { get; init; } = 0.5;
    /// <summary>The features made of a point (x1, x2): any of x1, x2, x1^2, x2^2, x1x2, sinx1, sinx2.</summary>
    public string Features { get; init; } = "x1,x2";
    /// <summary>λ₁: adds λ₁‖W‖₁ to the cost.</summary>
    public double L1 { get; init; }
    /// <summary>L2 regularization as the optimizer's weight decay λ (adds λW to the gradient).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Standardise the features on the training part.</summary>
    public bool Standardize { get; init; }
    /// <summary>CSV data: the 0-based label column; null for the last.</summary>
    public int? LabelColumn { get; init; }

    /// <summary>At most this many hidden layers, each of at most <see cref="MaximumNeurons"/>: what a page can draw legibly.</summary>
    public const int MaximumHiddenLayers = 6, MaximumNeurons = 32;

    /// <summary>How the data is read (the digits: a fixed split, so only the seed).</summary>
    public DataOptions DataOptions => IsDigits ? new(Seed: Seed)
        : new(null, LabelColumn, Seed, Noise, IsCsv ? null : Examples, TestFraction, Task: Task);

    /// <summary>CSV data: what its target column holds, class labels or real numbers (a regression; the command's
    /// <c>--task</c>). The built-in sets decide their own task; for them this is not read.</summary>
    public LearningTask CsvTask { get; init; }

    /// <summary>A regression when <see cref="Data"/> names a synthetic regression set (plane, gaussians), or a CSV file read
    /// as one (<see cref="CsvTask"/>); classes otherwise.</summary>
    public LearningTask Task => SyntheticData.IsRegressionName(Data) ? LearningTask.Regression : IsCsv ? CsvTask : LearningTask.Classification;

    /// <summary>True when <see cref="Data"/> is a CSV file, <c>csv:FILE</c>.</summary>
    public bool IsCsv => Data.StartsWith("csv:", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <see cref="Data"/> names a synthetic set.</summary>
    public bool IsSynthetic => SyntheticData.IsName(Data);

    /// <summary>The built-in digits (<see cref="DigitsData"/>), whose train/test split is fixed: no test fraction.</summary>
    public bool IsDigits => string.Equals(Data, DigitsData.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Full layer sizes: the data's inputs, the hidden layers, and one output per class (one for two classes
    /// with sigmoid), or for a regression one per target (<paramref name="classes"/> is then the number of targets).</summary>
    public int[] LayerSizes(int inputs, int classes) =>
        [inputs, .. HiddenLayers, Task == LearningTask.Regression ? classes : OutputActivation == "sigmoid" && classes <= 2 ? 1 : Math.Max(2, classes)];

    /// <summary>The query part of a URL: <c>data=spiral&amp;layers=2,8,8,2&amp;…</c>, every setting spelled out.</summary>
    public string ToQuery(int inputs, int classes) =>
        string.Join("&", Pairs(inputs, classes).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value).Replace("%2C", ",")}"));

    /// <summary>
    /// The command that runs the same training in a terminal: <c>backprop train --data spiral --layers 2,8,8,2 …</c>.
    /// Every setting is given, so that no default can differ.
    /// </summary>
    public string ToCommandLine(int inputs, int classes, string output = "model.safetensors") =>
        "backprop train " + string.Join(" ", Pairs(inputs, classes).Select(p => p.Value == "" ? $"--{p.Key}" : $"--{p.Key} {Quote(p.Value)}"))
        + $" --out {Quote(output)}";

    IEnumerable<KeyValuePair<string, string>> Pairs(int inputs, int classes)
    {
        var c = CultureInfo.InvariantCulture;
        KeyValuePair<string, string> P(string key, string value) => new(key, value);
        yield return P("data", Data);
        if (Task == LearningTask.Regression) yield return P("task", "regression");
        if (LabelColumn is { } column) yield return P("label-column", column.ToString(c));
        if (IsSynthetic)
        {
            if (Noise is { } noise) yield return P("noise", noise.ToString("R", c));
            yield return P("examples", Examples.ToString(c));
        }
        if (!IsDigits) yield return P("test-fraction", TestFraction.ToString("R", c));
        if (Features != "x1,x2") yield return P("features", Features);
        if (Standardize) yield return P("standardize", "");
        yield return P("layers", string.Join(",", LayerSizes(inputs, classes)));
        if (HiddenLayers.Count > 0) yield return P("activation", Activation);
        yield return P("output-activation", OutputActivation);
        yield return P("cost", Cost);
        yield return P("optimizer", Optimizer);
        yield return P("lr", LearningRate.ToString("R", c));
        if (Optimizer == "momentum") yield return P("momentum", Momentum.ToString("R", c));
        if (L1 > 0) yield return P("l1", L1.ToString("R", c));
        if (WeightDecay > 0) yield return P("weight-decay", WeightDecay.ToString("R", c));
        yield return P("batch", Batch.ToString(c));
        yield return P("epochs", Epochs.ToString(c));
        yield return P("seed", Seed.ToString(c));
    }

    // Single quotes keep a shell from reading ^, *, spaces or $ in a value.
    static string Quote(string value) =>
        value.All(ch => char.IsLetterOrDigit(ch) || ch is ',' or '.' or '-' or '_' or ':' or '/' or '+') ? value : $"'{value.Replace("'", "'\\''")}'";

    /// <summary>
    /// Reads a query written by <see cref="ToQuery"/> (or by hand): unknown keys and bad values are refused with a
    /// message naming the key and the fix; keys not given keep their defaults.
    /// </summary>
    public static RunSettings FromQuery(string query)
    {
        var c = CultureInfo.InvariantCulture;
        var settings = new RunSettings();
        string? task = null;
        foreach (var part in query.TrimStart('?', '#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            string key = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]).Trim().ToLowerInvariant();
            string value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..].Replace('+', ' ')).Trim();
            T Number<T>() where T : IParsable<T> => T.TryParse(value, c, out var v) ? v
                : throw new BackpropException($"'{key}' in the address should be a number, got '{value}'");
            settings = key switch
            {
                "data" => settings with { Data = value },
                "task" => (task = value) is "regression" or "classification" ? settings
                    : throw new BackpropException($"task={value}: unknown task; write task=regression or task=classification"),
                "label-column" => settings with { LabelColumn = Number<int>() },
                "noise" => settings with { Noise = Number<double>() },
                "examples" => settings with { Examples = Number<int>() },
                "test-fraction" => settings with { TestFraction = Number<double>() },
                "features" => settings with { Features = FeatureMap.Parse(value).ToString() },
                "standardize" => settings with { Standardize = value is "" or "true" or "1" },
                "layers" => settings with { HiddenLayers = HiddenOf(value) },
                "activation" => settings with { Activation = value },
                "output-activation" => settings with { OutputActivation = value },
                "cost" => settings with { Cost = value },
                "optimizer" => settings with { Optimizer = value },
                "lr" => settings with { LearningRate = Number<double>() },
                "momentum" => settings with { Momentum = Number<double>() },
                "l1" => settings with { L1 = Number<double>() },
                "weight-decay" => settings with { WeightDecay = Number<double>() },
                "batch" => settings with { Batch = Number<int>() },
                "epochs" => settings with { Epochs = Number<int>() },
                "seed" => settings with { Seed = Number<ulong>() },
                _ => settings,  // keys of later features (a selected weight, an example) belong to their own panels
            };
        }
        // A CSV file is read as the address says; a built-in set decides its own task, and an address that says otherwise
        // is refused rather than half followed.
        if (task != null && settings.IsCsv)
            settings = settings with { CsvTask = task == "regression" ? LearningTask.Regression : LearningTask.Classification };
        else if (task != null && task != (settings.Task == LearningTask.Regression ? "regression" : "classification"))
            throw new BackpropException($"task={task} does not go with data={settings.Data}: plane and gaussians are regressions, the other sets classes (a CSV file is either)");
        return settings.Validate();
    }

    static int[] HiddenOf(string layers)
    {
        var sizes = Layers.Architecture.ParseSizes(layers);
        if (sizes.Length < 2) throw new BackpropException($"layers={layers} needs at least an input and an output size, like 2,8,8,2");
        return sizes[1..^1];
    }

    /// <summary>
    /// The flag of a <c>backprop</c> command for each option name the library's messages use: the library says
    /// "TrainingOptions.LearningRate must be a positive number", the command line and the playground (which shows
    /// the command) say "--lr must be a positive number". A few entries are a library fix the command gives as a flag
    /// ("read them with CsvReader.ReadRegression": "add --task regression").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FlagsByOptionName = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Architecture.Sizes"] = "--layers",
        ["Architecture.HiddenActivations"] = "--activation",
        ["Architecture.OutputActivation"] = "--output-activation",
        ["Architecture.Cost"] = "--cost",
        ["TrainingOptions.Epochs"] = "--epochs",
        ["TrainingOptions.BatchSize"] = "--batch",
        ["TrainingOptions.LearningRate"] = "--lr",
        ["TrainingOptions.Optimizer"] = "--optimizer",
        ["TrainingOptions.Momentum"] = "--momentum",
        ["TrainingOptions.WeightDecay"] = "--weight-decay",
        ["TrainingOptions.L1"] = "--l1",
        ["TrainingOptions.Seed"] = "--seed",
        ["TrainingOptions.Schedule"] = "--lr-schedule",
        ["TrainingOptions.EarlyStoppingPatience"] = "--early-stopping",
        ["labelColumn"] = "--label-column",              // CsvReader.Read, ReadInputs
        ["targetColumns"] = "--label-column",            // CsvReader.ReadRegression
        ["CsvReader.ReadRegression"] = "--task regression",
        ["read them with CsvReader.ReadRegression"] = "add --task regression",
        ["the path given to CsvReader"] = "the path given to --data csv:FILE",
        ["ValidationSplit.Split fraction"] = "--validation-split",
        ["CheckpointStore"] = "--checkpoint-dir",
        ["GradientCheck.Break"] = "--break",
        ["listPaths"] = "--paths",                       // WeightExplanation.Explain
        ["learningRate"] = "--lr",                       // ChainExplanation.AfterStep
        ["DerivativeCost.Of"] = "--cost-of-derivatives",
        ["ParameterReference.ParseWeight"] = "--weight",
        ["ParameterReference.ParseBias"] = "--bias",
    };

    /// <summary>A library message with every option name of <see cref="FlagsByOptionName"/> replaced by its flag.</summary>
    public static string InCommandWords(string message) =>
        OptionName.Replace(message, m => FlagsByOptionName[m.Value]);

    // Longest first, so that "CsvReader.ReadRegression" is not read as a shorter name; whole words only
    // ("TrainingOptions.Seed" is not the start of "TrainingOptions.Seeds").
    static readonly Regex OptionName = new(
        @"(?<![\w.])(?:" + string.Join("|", FlagsByOptionName.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)) + @")(?![\w])",
        RegexOptions.CultureInvariant);

    /// <summary>Checks what can be checked without the data; throws <see cref="BackpropException"/> naming the fix
    /// in the command's words (<see cref="InCommandWords"/>).</summary>
    public RunSettings Validate()
    {
        try { return ValidateInLibraryWords(); }
        catch (BackpropException e) { throw new BackpropException(InCommandWords(e.Message)); }
    }

    RunSettings ValidateInLibraryWords()
    {
        if (HiddenLayers.Count > MaximumHiddenLayers)
            throw new BackpropException($"{HiddenLayers.Count} hidden layers is more than the playground draws ({MaximumHiddenLayers}); remove some");
        foreach (int size in HiddenLayers)
            if (size < 1 || size > MaximumNeurons)
                throw new BackpropException($"a hidden layer of {size} neurons: the playground takes 1 to {MaximumNeurons} per layer");
        if (IsSynthetic) new DataOptions(Examples: Examples, TestFraction: TestFraction).SyntheticCounts();
        FeatureMap.Parse(Features);
        Layers.Architecture.ParseHiddenActivations(Activation, HiddenLayers.Count);
        Activations.Activation.Parse(OutputActivation, "Architecture.OutputActivation");
        Costs.Cost.Parse(Cost);
        new TrainingOptions
        {
            Epochs = Epochs, BatchSize = Batch, LearningRate = LearningRate, Optimizer = Optimizer, Momentum = Momentum,
            WeightDecay = WeightDecay, L1 = L1, Seed = Seed,
        }.Validate();
        return this;
    }
}
