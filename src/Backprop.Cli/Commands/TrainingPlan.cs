using Backprop.Activations;
using Backprop.Cli.Rendering;
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
    Architecture Architecture, TrainingOptions Options, Network<float> Network, string OutputPath, FeatureMap? Features,
    Standardizer? TargetScale = null)
{
    public bool Regression => Train.Task == LearningTask.Regression;

    /// <summary>The model as it is saved: the network with everything its inputs and outputs need.</summary>
    public Model Model => new(Network, Standardizer, Features, Train.ClassNames, Train.Task, TargetScale);

    static readonly string[] SyntheticSets = ["xor", "spiral", "circles", "moons", "blobs"];

    public static TrainingPlan From(TrainCommand.Settings s)
    {
        string spec = s.Data ?? TrainCommand.DefaultData;
        bool synthetic = SyntheticSets.Contains(spec);
        if (string.IsNullOrWhiteSpace(s.Out)) throw new BackpropException("--out needs a file name, like model.safetensors");
        OutputFile.Check(s.Out);
        string outputPath = s.Out;
        // Before any data is read: an output that is one of the inputs, or that another output will replace.
        var inputs = DataSource.Files(spec, s.DataOptions).Select(f => new OutputFile.Named("--data", f)).ToList();
        if (s.Init != null) inputs.Add(new OutputFile.Named("--init", s.Init));
        var outputs = new List<OutputFile.Named> { new("--out", s.Out) };
        if (s.CheckpointDirectory != null) outputs.Add(new("--checkpoint-dir", s.CheckpointDirectory));
        OutputFile.CheckDistinct(outputs, inputs);

        var options = new TrainingOptions
        {
            Epochs = s.Epochs ?? (synthetic ? 30 : 10),
            BatchSize = s.Batch,
            Optimizer = s.Optimizer.Trim().ToLowerInvariant(),
            LearningRate = s.LearningRate ?? DefaultLearningRate(s.Optimizer, synthetic),
            Momentum = s.Momentum,
            WeightDecay = s.WeightDecay,
            L1 = s.L1,
            Seed = s.Seed,
            Shuffle = !s.NoShuffle,
        }.Validate();
        if (s.ValidationSplit is { } f && !(f > 0 && f < 1))
            throw new BackpropException($"--validation-split must be between 0 and 1 (exclusive), got {f}; 0.1 holds out a tenth");
        if (s.Init != null && !File.Exists(s.Init))
            throw new BackpropException($"--init {s.Init}: no such file; give the path of a safetensors model");

        var task = s.TaskGiven ?? LearningTask.Classification;
        bool regression = task == LearningTask.Regression;
        if (regression)
        {
            if (s.OutputActivation?.Trim().ToLowerInvariant() == "softmax")
                throw new BackpropException("--task regression predicts real numbers, which softmax (outputs summing to 1) cannot; leave --output-activation out for identity");
            if (s.Cost?.Trim().ToLowerInvariant() == "cross-entropy")
                throw new BackpropException("--task regression compares real numbers, which cross-entropy (of class probabilities) cannot; leave --cost out for quadratic");
        }
        var dataOptions = s.OptionsFor(task);
        var features = s.Features is null ? null : FeatureMap.Parse(s.Features);
        var train = DataSource.Train(spec, dataOptions);
        var test = DataSource.Test(spec, dataOptions);
        if (features != null)
        {
            train = features.Apply(train);
            test = test is null ? null : features.Apply(test);
        }
        Dataset? validation = null;
        if (s.ValidationSplit is { } fraction) (train, validation) = ValidationSplit.Split(train, fraction, s.Seed);

        int[] sizes = s.Layers is null
            ? [train.FeatureCount, 64, 64, regression ? train.TargetCount : train.ClassCount <= 2 && s.OutputActivation is not (null or "softmax") ? 1 : Math.Max(2, train.ClassCount)]
            : Architecture.ParseSizes(s.Layers);
        var output = Activation.Parse(s.OutputActivation ?? (regression ? "identity" : sizes[^1] == 1 ? "sigmoid" : "softmax"), "--output-activation");
        var cost = Cost.Parse(s.Cost ?? (output == Activation.Softmax ? "cross-entropy" : "quadratic"));
        var hidden = Architecture.ParseHiddenActivations(s.Activation ?? "relu", sizes.Length - 2, "--activation");
        var architecture = new Architecture(sizes, hidden, output, cost).Validate();
        Targets.CheckFits(architecture, train, DataName(spec));
        if (test != null && test.FeatureCount != train.FeatureCount)
            throw new BackpropException($"{DataName(spec)}: the test part has {test.FeatureCount} features per example but the training part has {train.FeatureCount}; both parts must come from one dataset (images of one size)");
        if (test != null) Targets.CheckFits(architecture, test, DataName(spec) + " (test part)");

        // The pictures, now that the data's shape is known; a picture path that is a link or a device fails now, not after training.
        // A regression's pictures are its curves (cost and R²); the fitted curve or surface is not drawn yet.
        if (!s.NoPictures)
        {
            foreach (var picture in TrainingPictures.PathsFor(s.Out, train.Count > 0 ? train.FeatureCount : 0, architecture.InputSize, regression))
            {
                OutputFile.Check(picture);
                outputs.Add(new("picture", picture));
            }
            OutputFile.CheckDistinct(outputs, inputs);
        }
        TrainingMemory.Require(architecture, options, train.Count, checkpoints: s.CheckpointDirectory != null || s.Resume != null);

        Standardizer? standardizer = null;
        if (s.Standardize)
        {
            standardizer = Standardizer.Fit(train);
            train = standardizer.Apply(train);
            validation = validation is null ? null : standardizer.Apply(validation);
            test = test is null ? null : standardizer.Apply(test);
        }
        Standardizer? targetScale = null;
        if (s.Standardize && regression)
        {
            // The targets too, learned on the training part: the network learns numbers near 0 whatever the units.
            var scale = Standardizer.Fit(train.Values!, train.TargetCount);
            Dataset Scaled(Dataset d)
            {
                var values = (float[])d.Values!.Clone();
                scale.Apply(values);
                return d.WithValues(values);
            }
            train = Scaled(train);
            validation = validation is null ? null : Scaled(validation);
            test = test is null ? null : Scaled(test);
            targetScale = scale;
        }

        var network = s.Init is null ? Network<float>.Initialize(architecture, s.Seed) : ModelFile.LoadWeights(s.Init, architecture);
        return new TrainingPlan(spec, train, validation, test, standardizer, architecture, options, network, outputPath, features, targetScale);
    }

    static double DefaultLearningRate(string optimizer, bool synthetic) => optimizer.Trim().ToLowerInvariant() switch
    {
        "adam" => synthetic ? 0.01 : 0.001,
        "momentum" => 0.01,
        _ => 0.1,
    };

    static string DataName(string spec) => spec.Contains(':') ? spec[(spec.IndexOf(':') + 1)..] : spec;

    /// <summary>Paths are cut only when absurd: the data spec may come from a checkpoint's metadata (--resume).</summary>
    const int MaxShownPath = 1000;

    public string Describe()
    {
        var o = Options;
        string optimizer = o.Optimizer == "momentum" ? $"momentum μ={o.Momentum}" : o.Optimizer;
        return $"training {ShownText.Of(Architecture.SizesText)} {Architecture.HiddenActivationsText}/{Architecture.OutputActivation} {Architecture.Cost} " +
               $"on {ShownText.Of(DataSpec, MaxShownPath)} ({Train.Count} examples{(Validation is null ? "" : $", {Validation.Count} held out")}{(Test is null ? "" : $", test {Test.Count}")}) " +
               $"with {optimizer} η={o.LearningRate}{(o.WeightDecay > 0 ? $" λ={o.WeightDecay}" : "")}{(o.L1 > 0 ? $" λ₁={o.L1}" : "")}, batch {o.BatchSize}, {o.Epochs} epochs, seed {o.Seed}" +
               (Standardizer is null ? "" : ", standardized") + (Regression ? $", regression of {Train.TargetCount} target{(Train.TargetCount == 1 ? "" : "s")}" : "");
    }
}
