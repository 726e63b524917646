using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// Everything `train` settles before the first step: defaults filled in, flags checked against each other and
/// against the data, the output path checked — so a bad flag fails in a second, not after an hour of training.
/// </summary>
internal sealed record TrainingPlan(
    string DataSpec, Dataset Train, Dataset? Validation, Dataset? Test, Standardizer? Standardizer,
    Architecture Architecture, TrainingOptions Options, Network<float> Network, string OutputPath)
{
    static readonly string[] SyntheticSets = ["xor", "spiral", "circles", "moons", "blobs"];

    public static TrainingPlan From(TrainCommand.Settings s)
    {
        string spec = s.Data ?? TrainCommand.DefaultData;
        bool synthetic = SyntheticSets.Contains(spec);
        string outputPath = CheckOutputPath(s.Out);

        var options = new TrainingOptions
        {
            Epochs = s.Epochs ?? (synthetic ? 30 : 10),
            BatchSize = s.Batch,
            Optimizer = s.Optimizer.Trim().ToLowerInvariant(),
            LearningRate = s.LearningRate ?? DefaultLearningRate(s.Optimizer, synthetic),
            Momentum = s.Momentum,
            WeightDecay = s.WeightDecay,
            Seed = s.Seed,
            Shuffle = !s.NoShuffle,
        }.Validate();
        var hidden = Activation.Parse(s.Activation ?? "relu");
        if (s.ValidationSplit is { } f && !(f > 0 && f < 1))
            throw new BackpropException($"--validation-split must be between 0 and 1 (exclusive), got {f}; 0.1 holds out a tenth");
        if (s.Init != null && !File.Exists(s.Init))
            throw new BackpropException($"--init {s.Init}: no such file; give the path of a safetensors model");

        var train = DataSource.Train(spec, s.DataOptions);
        var test = DataSource.Test(spec, s.DataOptions);
        Dataset? validation = null;
        if (s.ValidationSplit is { } fraction) (train, validation) = ValidationSplit.Split(train, fraction, s.Seed);

        int[] sizes = s.Layers is null
            ? [train.FeatureCount, 64, 64, train.ClassCount <= 2 && s.OutputActivation is not (null or "softmax") ? 1 : Math.Max(2, train.ClassCount)]
            : Architecture.ParseSizes(s.Layers);
        var output = Activation.Parse(s.OutputActivation ?? (sizes[^1] == 1 ? "sigmoid" : "softmax"), "--output-activation");
        var cost = Cost.Parse(s.Cost ?? (output == Activation.Softmax ? "cross-entropy" : "quadratic"));
        var architecture = new Architecture(sizes, hidden, output, cost).Validate();
        Targets.CheckFits(architecture, train.FeatureCount, train.Labels, DataName(spec));
        if (test != null && test.FeatureCount != train.FeatureCount)
            throw new BackpropException($"{DataName(spec)}: the test part has {test.FeatureCount} features per example but the training part has {train.FeatureCount}; both parts must come from one dataset (images of one size)");
        if (test != null) Targets.CheckFits(architecture, test.FeatureCount, test.Labels, DataName(spec) + " (test part)");

        Standardizer? standardizer = null;
        if (s.Standardize)
        {
            standardizer = Standardizer.Fit(train);
            train = standardizer.Apply(train);
            validation = validation is null ? null : standardizer.Apply(validation);
            test = test is null ? null : standardizer.Apply(test);
        }

        var network = s.Init is null ? Network<float>.Initialize(architecture, s.Seed) : ModelFile.LoadWeights(s.Init, architecture);
        return new TrainingPlan(spec, train, validation, test, standardizer, architecture, options, network, outputPath);
    }

    static double DefaultLearningRate(string optimizer, bool synthetic) => optimizer.Trim().ToLowerInvariant() switch
    {
        "adam" => synthetic ? 0.01 : 0.001,
        "momentum" => 0.01,
        _ => 0.1,
    };

    static string DataName(string spec) => spec.Contains(':') ? spec[(spec.IndexOf(':') + 1)..] : spec;

    /// <summary>Refuses an output path that cannot be written before any time is spent training.</summary>
    static string CheckOutputPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new BackpropException("--out needs a file name, like model.safetensors");
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new BackpropException($"--out {path}: the folder {directory} does not exist; create it first or choose another path");
        if (Directory.Exists(full))
            throw new BackpropException($"--out {path} is a folder; give a file name, like {Path.Combine(path, "model.safetensors")}");
        return path;
    }

    /// <summary>Paths are cut only when absurd: the data spec may come from a checkpoint's metadata (--resume).</summary>
    const int MaxShownPath = 1000;

    public string Describe()
    {
        var o = Options;
        string optimizer = o.Optimizer == "momentum" ? $"momentum μ={o.Momentum}" : o.Optimizer;
        return $"training {ShownText.Of(Architecture.SizesText)} {Architecture.HiddenActivation}/{Architecture.OutputActivation} {Architecture.Cost} " +
               $"on {ShownText.Of(DataSpec, MaxShownPath)} ({Train.Count} examples{(Validation is null ? "" : $", {Validation.Count} held out")}{(Test is null ? "" : $", test {Test.Count}")}) " +
               $"with {optimizer} η={o.LearningRate}{(o.WeightDecay > 0 ? $" λ={o.WeightDecay}" : "")}, batch {o.BatchSize}, {o.Epochs} epochs, seed {o.Seed}" +
               (Standardizer is null ? "" : ", standardized");
    }
}
