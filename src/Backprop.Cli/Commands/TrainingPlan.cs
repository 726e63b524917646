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

    public static TrainingPlan From(TrainCommand.Settings s)
    {
        string spec = s.Data ?? TrainCommand.DefaultData;
        bool synthetic = SyntheticData.IsName(spec);
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
            Epochs = s.Epochs ?? (synthetic ? SyntheticEpochs : TrainingOptions.DefaultEpochs),
            BatchSize = s.Batch,
            Optimizer = s.Optimizer,
            LearningRate = s.LearningRate ?? TrainingOptions.DefaultLearningRate(s.Optimizer, smallData: synthetic),
            Momentum = s.Momentum,
            WeightDecay = s.WeightDecay,
            L1 = s.L1,
            Seed = s.Seed,
            Shuffle = !s.NoShuffle,
            Schedule = s.LearningRateSchedule is null ? null : ParseSchedule(s.LearningRateSchedule),
            EarlyStoppingPatience = s.EarlyStopping,
        }.Validate();
        if (s.EarlyStopping is { } patience && s.ValidationSplit is null)
            throw new BackpropException($"--early-stopping {patience} watches the cost on held-out examples, and there are none; add --validation-split 0.1 (or leave --early-stopping out)");
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
        if (!regression && SyntheticData.IsRegressionName(spec))
            throw new BackpropException($"--data {spec} holds real targets, not classes; add --task regression");
        var dataOptions = s.OptionsFor(task);
        var features = s.Features is null ? null : FeatureMap.Parse(s.Features);
        var train = DataSource.Train(spec, dataOptions);
        var test = DataSource.Test(spec, dataOptions);
        Dataset? validation = null;
        // The split picks rows by index alone, so splitting before the features are made holds the same examples.
        if (s.ValidationSplit is { } fraction) (train, validation) = ValidationSplit.Split(train, fraction, s.Seed);

        // The one preparation the library and the playground use too: architecture with the defaults, checks, memory,
        // standardisation, initial weights.
        var model = new ModelOptions
        {
            Layers = s.Layers is null ? null : Architecture.ParseSizes(s.Layers),
            HiddenActivations = s.Activation,
            OutputActivation = s.OutputActivation,
            Cost = s.Cost,
            Features = features,
            Standardize = s.Standardize,
        };
        var prepared = PreparedTraining.Of(train, validation, test, model, s.Seed, options, DataName(spec),
            s.Init is null ? null : architecture => CommandWords.LoadWeights(s.Init, architecture),
            checkpoints: s.CheckpointDirectory != null || s.Resume != null);

        // The pictures, now that the data's shape is known; a picture path that is a link or a device fails now, not after training.
        // A regression's pictures are its curves (cost and R²); the fitted curve or surface is not drawn yet.
        if (!s.NoPictures)
        {
            foreach (var picture in TrainingPictures.PathsFor(s.Out, train.Count > 0 ? prepared.Train.FeatureCount : 0, prepared.Architecture.InputSize, regression))
            {
                OutputFile.Check(picture);
                outputs.Add(new("picture", picture));
            }
            OutputFile.CheckDistinct(outputs, inputs);
        }
        return new TrainingPlan(spec, prepared.Train, prepared.Validation, prepared.Test, prepared.Standardizer, prepared.Architecture, options,
            prepared.Network, outputPath, prepared.Features, prepared.TargetScale);
    }

    static Optimizers.LearningRateSchedule ParseSchedule(string text)
    {
        try { return Optimizers.LearningRateSchedule.Parse(text); }
        catch (BackpropException e) { throw new BackpropException("--lr-schedule: " + e.Message); }
    }

    /// <summary>Epochs on the small synthetic sets, which one epoch barely starts to fit.</summary>
    const int SyntheticEpochs = 30;

    static string DataName(string spec) => spec.Contains(':') ? spec[(spec.IndexOf(':') + 1)..] : spec;

    /// <summary>Paths are cut only when absurd: the data spec may come from a checkpoint's metadata (--resume).</summary>
    const int MaxShownPath = 1000;

    public string Describe()
    {
        var o = Options;
        string optimizer = o.Optimizer == "momentum" ? $"momentum μ={o.Momentum}" : o.Optimizer;
        return $"training {ShownText.Of(Architecture.SizesText)} {Architecture.HiddenActivationsText}/{Architecture.OutputActivation} {Architecture.Cost} " +
               $"on {ShownText.Of(DataSpec, MaxShownPath)} ({Format.Count(Train.Count, "example")}{(Validation is null ? "" : $", {Validation.Count} held out")}{(Test is null ? "" : $", test {Test.Count}")}) " +
               $"with {optimizer} η={o.LearningRate}{(o.Schedule is null ? "" : $" ({o.Schedule})")}{(o.EarlyStoppingPatience is { } p ? $", early stopping after {Format.Count(p, "epoch")} without improvement" : "")}{(o.WeightDecay > 0 ? $" λ={o.WeightDecay}" : "")}{(o.L1 > 0 ? $" λ₁={o.L1}" : "")}, batch {o.BatchSize}, {Format.Count(o.Epochs, "epoch")}, seed {o.Seed}" +
               (Standardizer is null ? "" : ", standardized") + (Regression ? $", regression of {Train.TargetCount} target{(Train.TargetCount == 1 ? "" : "s")}" : "");
    }
}
