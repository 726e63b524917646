namespace Backprop.Data;

/// <summary>How a data spec is read.</summary>
/// <param name="DataDirectory">Where named datasets are looked for first: a folder holding the IDX files, or holding NAME/.</param>
/// <param name="LabelColumn">0-based label column of a CSV file; null for the last column.</param>
/// <param name="Seed">Seed of the synthetic sets (the test part uses <see cref="SyntheticData.TestSeed"/>) and of a CSV's test draw.</param>
/// <param name="Noise">σ of a synthetic set's noise; null for the set's own.</param>
/// <param name="Examples">Examples of a synthetic set, train and test parts together; null for 2 × <see cref="DataSource.SyntheticCount"/>.</param>
/// <param name="TestFraction">The part of the examples held out for testing: of a synthetic set (null: half), or a
/// seeded draw from a CSV file (null: none, the file is all training data).</param>
/// <param name="ClassNames">A trained model's class names: CSV labels that are names are numbered by them.</param>
/// <param name="Task">Classes or real targets; a regression reads CSV files and the synthetic regression sets.</param>
/// <param name="TargetColumns">A regression's 0-based target columns (null: <paramref name="LabelColumn"/>, or the last).</param>
public sealed record DataOptions(string? DataDirectory = null, int? LabelColumn = null, ulong Seed = 1,
    double? Noise = null, int? Examples = null, double? TestFraction = null, IReadOnlyList<string>? ClassNames = null,
    LearningTask Task = LearningTask.Classification, IReadOnlyList<int>? TargetColumns = null)
{
    /// <summary>
    /// <c>--label-column</c>'s text: one 0-based column (<c>3</c>), or for a regression several (<c>3,4</c>).
    /// Null gives (null, null): the last column.
    /// </summary>
    internal static (int? Label, int[]? Targets) ParseColumns(string? text, LearningTask task)
    {
        if (text is null) return (null, null);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var columns = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out columns[i]) || columns[i] < 0)
                throw new BackpropException($"--label-column {ShownText.Of(text)}: \"{ShownText.Of(parts[i])}\" is not a column number; columns count from 0: --label-column 4, or 4,5 for two regression targets");
        if (columns.Distinct().Count() != columns.Length)
            throw new BackpropException($"--label-column {ShownText.Of(text)}: column {columns.GroupBy(c => c).First(g => g.Count() > 1).Key} is given twice; name each target column once");
        if (columns.Length > 1 && task != LearningTask.Regression)
            throw new BackpropException($"--label-column {ShownText.Of(text)}: a classification has one label column; several target columns need --task regression");
        return (columns[0], columns);
    }

    /// <summary>More examples than this in a synthetic set is a typo, not a lesson.</summary>
    public const int MaximumExamples = 1_000_000;

    /// <summary>(train, test) example counts of a synthetic set: the test part is round(examples × fraction).</summary>
    public (int Train, int Test) SyntheticCounts()
    {
        int examples = Examples ?? 2 * DataSource.SyntheticCount;
        double fraction = TestFraction ?? 0.5;
        if (examples < 2 || examples > MaximumExamples)
            throw new BackpropException($"the number of examples must be between 2 and {MaximumExamples}, got {examples}; 500 to 2000 draws a clear picture");
        CheckTestFraction();
        int test = (int)Math.Round(examples * fraction, MidpointRounding.AwayFromZero);
        if (test >= examples) test = examples - 1;
        return (examples - test, test);
    }

    internal void CheckTestFraction()
    {
        if (TestFraction is { } f && !(f >= 0 && f < 1))
            throw new BackpropException($"the test fraction must be at least 0 and below 1, got {f}; 0.5 tests on half the examples");
    }
}

/// <summary>
/// Turns the command line's <c>--data</c> spec into datasets. Specs:
/// <c>idx:DIR</c> (a folder of MNIST-layout IDX files), <c>mnist</c> / <c>fashion-mnist</c> (looked up by name),
/// <c>digits</c> (the UCI 8×8 digits, embedded: <see cref="DigitsData"/>),
/// <c>csv:FILE</c> (labelled CSV, no test part), a synthetic set <c>xor|spiral|circles|moons|blobs</c>, or a synthetic
/// regression set <c>plane|gaussians</c> (task regression only).
/// </summary>
internal static class DataSource
{
    /// <summary>Examples in each part, train and test, of a synthetic set.</summary>
    public const int SyntheticCount = 1000;

    public static IReadOnlyList<string> NamedDatasets { get; } = ["mnist", "fashion-mnist"];

    public const string EnvironmentVariable = "BACKPROP_DATA";
    public const string SystemDirectory = "/usr/share/datasets";

    static readonly string ValidForms =
        $"valid forms: idx:DIR, csv:FILE, {string.Join(", ", NamedDatasets)}, {DigitsData.Name}, {string.Join(", ", SyntheticData.Names.Concat(SyntheticData.RegressionNames))}";

    /// <summary>The training set: idx train-* files, the whole CSV file, or the synthetic training part.</summary>
    public static Dataset Train(string spec, DataOptions options)
    {
        var (kind, argument) = Parse(spec);
        RefuseRegression(spec, kind, options);
        if (kind is Kind.Idx or Kind.Named or Kind.Digits) RefuseSyntheticOptions(spec, options);
        return kind switch
        {
            Kind.Idx => ReadIdx(IdxDirectory(argument), "train"),
            Kind.Digits => DigitsData.Train,
            Kind.Named => ReadIdx(LocateNamed(argument, options), "train"),
            Kind.Csv => CsvParts(argument, options).Train,
            _ => SyntheticData.Generate(argument, options.SyntheticCounts().Train, options.Seed, options.Noise),
        };
    }

    static (Dataset Train, Dataset? Test) CsvParts(string file, DataOptions options)
    {
        var data = options.Task == LearningTask.Regression
            ? CsvReader.ReadRegression(file, options.TargetColumns ?? (options.LabelColumn is { } k ? [k] : null))
            : CsvReader.Read(file, options.LabelColumn, classNames: options.ClassNames);
        options.CheckTestFraction();
        if (options.TestFraction is not { } fraction || fraction == 0) return (data, null);
        if (data.Count < 2) throw new BackpropException($"{file} holds {data.Count} example; a test part needs at least two");
        return ValidationSplit.Split(data, fraction, options.Seed);
    }

    static void RefuseRegression(string spec, Kind kind, DataOptions options)
    {
        bool regressionSet = kind == Kind.Synthetic && SyntheticData.IsRegressionName(spec.Trim());
        if (options.Task == LearningTask.Regression && kind != Kind.Csv && !regressionSet)
            throw new BackpropException($"{spec} holds classes, not real targets; a regression reads a table: --data csv:FILE, or a regression set: {string.Join(", ", SyntheticData.RegressionNames)}");
        if (options.Task == LearningTask.Classification && regressionSet)
            throw new BackpropException($"{spec} holds real targets, not classes; read it with DataOptions.Task = LearningTask.Regression");
    }

    static void RefuseSyntheticOptions(string spec, DataOptions options)
    {
        if (options.Noise != null || options.Examples != null || options.TestFraction != null)
            throw new BackpropException($"noise, the number of examples and the test fraction are settings of the synthetic sets (and the test fraction of CSV files); {spec} has its own fixed train and test parts");
    }

    /// <summary>
    /// The test set: idx t10k-* files (null when the folder has neither), the synthetic test part, or null for CSV.
    /// Its ClassCount is at least the training set's, so a network sized by the training set fits it.
    /// </summary>
    public static Dataset? Test(string spec, DataOptions options)
    {
        var (kind, argument) = Parse(spec);
        RefuseRegression(spec, kind, options);
        if (kind is Kind.Idx or Kind.Named or Kind.Digits) RefuseSyntheticOptions(spec, options);
        return kind switch
        {
            Kind.Digits => DigitsData.Test,
            Kind.Idx or Kind.Named => ReadIdxTest(kind == Kind.Idx ? IdxDirectory(argument) : LocateNamed(argument, options)),
            Kind.Csv => CsvParts(argument, options).Test,
            _ => SyntheticTest(argument, options),
        };
    }

    /// <summary>
    /// The files <paramref name="spec"/> reads, as far as they can be found (none for a synthetic set), so that a
    /// command can refuse an output that is one of them before reading anything.
    /// </summary>
    public static IReadOnlyList<string> Files(string spec, DataOptions options)
    {
        var (kind, argument) = Parse(spec);
        if (kind == Kind.Csv) return [argument];
        if (kind is Kind.Synthetic or Kind.Digits) return [];
        string directory;
        try { directory = kind == Kind.Idx ? IdxDirectory(argument) : LocateNamed(argument, options); }
        catch (BackpropException) { return []; } // reading will say what is missing
        return new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .Select(name => IdxReader.Find(directory, name)).OfType<string>().ToList();
    }

    /// <summary>
    /// Inputs for prediction, row-major n × <paramref name="featureCount"/>: a CSV's feature columns, the t10k images
    /// of an IDX folder, or the test part of a synthetic set.
    /// </summary>
    public static float[] Inputs(string spec, int featureCount, DataOptions options)
    {
        var (kind, argument) = Parse(spec);
        switch (kind)
        {
            case Kind.Csv:
                return CsvReader.ReadInputs(argument, featureCount, options.LabelColumn);
            case Kind.Idx or Kind.Named:
                string directory = kind == Kind.Idx ? IdxDirectory(argument) : LocateNamed(argument, options);
                var images = IdxReader.ReadImages(IdxReader.FindRequired(directory, "t10k-images-idx3-ubyte"));
                CheckFeatureCount(spec, images.Rows * images.Columns, featureCount, $"has images of {images.Rows}×{images.Columns} = {images.Rows * images.Columns} features");
                return images.Pixels;
            case Kind.Digits:
                CheckFeatureCount(spec, DigitsData.Test.FeatureCount, featureCount, $"has images of {DigitsData.Side}×{DigitsData.Side} = {DigitsData.Test.FeatureCount} features");
                return DigitsData.Test.Features;
            default:
                var test = SyntheticTest(argument, options) ?? throw new BackpropException($"{spec} has no test part to predict (the test fraction is 0); give a test fraction above 0");
                CheckFeatureCount(spec, test.FeatureCount, featureCount, $"has {test.FeatureCount} features");
                return test.Features;
        }
    }

    static Dataset? SyntheticTest(string name, DataOptions options)
    {
        int count = options.SyntheticCounts().Test;
        return count == 0 ? null : SyntheticData.Generate(name, count, SyntheticData.TestSeed(options.Seed), options.Noise);
    }

    static void CheckFeatureCount(string spec, int actual, int expected, string description)
    {
        if (actual != expected)
            throw new BackpropException($"{spec}: {description} but the model takes {expected}; predict with data shaped like the training data");
    }

    enum Kind { Idx, Named, Csv, Synthetic, Digits }

    static (Kind Kind, string Argument) Parse(string spec)
    {
        spec = spec.Trim();
        if (TryPrefix(spec, "idx:", out string? directory)) return (Kind.Idx, directory);
        if (TryPrefix(spec, "csv:", out string? file)) return (Kind.Csv, file);
        foreach (string name in NamedDatasets)
            if (string.Equals(spec, name, StringComparison.OrdinalIgnoreCase)) return (Kind.Named, name);
        if (SyntheticData.IsName(spec)) return (Kind.Synthetic, spec.ToLowerInvariant());
        if (string.Equals(spec, DigitsData.Name, StringComparison.OrdinalIgnoreCase)) return (Kind.Digits, DigitsData.Name);

        string hint = spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || File.Exists(spec) ? $" (did you mean csv:{spec}?)"
            : Directory.Exists(spec) ? $" (did you mean idx:{spec}?)" : "";
        throw new BackpropException($"unknown data \"{spec}\"{hint}; {ValidForms}");
    }

    static bool TryPrefix(string spec, string prefix, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? argument)
    {
        argument = null;
        if (!spec.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        argument = ExpandHome(spec[prefix.Length..].Trim());
        if (argument.Length == 0)
            throw new BackpropException($"\"{spec}\" names no {(prefix == "idx:" ? "folder" : "file")}; write it as {prefix}{(prefix == "idx:" ? "DIR" : "FILE")}");
        return true;
    }

    // The shell expands ~ only at the start of a word, never after "idx:", so we do it.
    static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal) ? HomeDirectory() + path[1..] : path;

    static string HomeDirectory() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string IdxDirectory(string directory) =>
        Directory.Exists(directory) ? directory
            : throw new BackpropException($"{directory}: no such folder; pass --data idx:DIR with the folder that holds the IDX files");

    static Dataset ReadIdx(string directory, string part) =>
        IdxReader.Read(IdxReader.FindRequired(directory, $"{part}-images-idx3-ubyte"), IdxReader.FindRequired(directory, $"{part}-labels-idx1-ubyte"));

    static Dataset? ReadIdxTest(string directory)
    {
        string? images = IdxReader.Find(directory, "t10k-images-idx3-ubyte");
        string? labels = IdxReader.Find(directory, "t10k-labels-idx1-ubyte");
        if (images is null && labels is null) return null;
        var test = ReadIdx(directory, "t10k");
        // Labels only (a few kB): a test set that happens to lack the largest class still gets the training set's width.
        string? trainLabels = IdxReader.Find(directory, "train-labels-idx1-ubyte");
        if (trainLabels is null) return test;
        int classCount = Math.Max(test.ClassCount, IdxReader.ClassCount(IdxReader.ReadLabels(trainLabels)));
        return classCount == test.ClassCount ? test : new Dataset(test.Features, test.Labels, test.FeatureCount, classCount);
    }

    static string LocateNamed(string name, DataOptions options) =>
        LocateNamed(name, options.DataDirectory, Environment.GetEnvironmentVariable, HomeDirectory(), SystemDirectory);

    /// <summary>
    /// The folder holding named dataset <paramref name="name"/>, the first of: <paramref name="dataDirectory"/> itself
    /// or its NAME/ subfolder, $BACKPROP_DATA/NAME, HOME/.backprop/datasets/NAME, <paramref name="systemDirectory"/>/NAME.
    /// A folder holds the set when it has its train-images file. The environment comes in as a function so tests stay pure.
    /// </summary>
    internal static string LocateNamed(string name, string? dataDirectory, Func<string, string?> environment,
        string? homeDirectory, string systemDirectory)
    {
        var searched = new List<string>();
        bool Holds(string directory)
        {
            searched.Add(directory);
            return IdxReader.Find(directory, "train-images-idx3-ubyte") is not null;
        }

        if (!string.IsNullOrEmpty(dataDirectory))
        {
            dataDirectory = ExpandHome(dataDirectory);
            if (Holds(Path.Combine(dataDirectory, name))) return Path.Combine(dataDirectory, name);
            if (Holds(dataDirectory)) return dataDirectory;
        }
        string? fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (Holds(Path.Combine(fromEnvironment, name))) return Path.Combine(fromEnvironment, name);
        }
        else searched.Add($"${EnvironmentVariable}/{name} (${EnvironmentVariable} is not set)");
        if (!string.IsNullOrEmpty(homeDirectory) && Holds(Path.Combine(homeDirectory, ".backprop", "datasets", name)))
            return Path.Combine(homeDirectory, ".backprop", "datasets", name);
        if (Holds(Path.Combine(systemDirectory, name))) return Path.Combine(systemDirectory, name);

        string install = name == "fashion-mnist" ? "install it with `apt-get install dataset-fashion-mnist` (Debian) or run" : "get it with";
        throw new BackpropException(
            $"{name} not found in {string.Join(", ", searched)}; {install} `backprop download {name}`, or pass --data idx:DIR");
    }
}
