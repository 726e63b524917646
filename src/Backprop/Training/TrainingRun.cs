using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Training;

/// <summary>Costs and accuracies of the network as it stands, on the training and the test part; for a regression
/// (whose accuracy is 0) also its fit: squared error, R² and the rest, in the targets' units.</summary>
/// <param name="Epoch">Epochs finished.</param>
/// <param name="Batch">Batches done in the epoch under way.</param>
/// <param name="TrainCost">The mean cost on the training part.</param>
/// <param name="TrainAccuracy">The fraction of the training part classified right (0 for a regression).</param>
/// <param name="TestCost">The mean cost on the test part; null without one.</param>
/// <param name="TestAccuracy">The fraction of the test part classified right; null without one.</param>
/// <param name="TrainFit">A regression's fit on the training part; null for classes.</param>
/// <param name="TestFit">A regression's fit on the test part; null for classes or without a test part.</param>
public sealed record RunMetrics(int Epoch, int Batch, double TrainCost, double TrainAccuracy, double? TestCost, double? TestAccuracy,
    RegressionMetrics? TrainFit = null, RegressionMetrics? TestFit = null);

/// <summary>
/// One training run of <see cref="RunSettings"/>, stepped by the caller batch by batch — the playground's engine.
/// It prepares data and network exactly as <c>backprop train</c> does for the same options (data, then features,
/// then standardisation fitted on the training part; the seed's initialisation; the trainer's seeded order), so the
/// page after N epochs holds the weights its command holds after N epochs.
/// </summary>
public sealed class TrainingRun
{
    TrainingRun(RunSettings settings, Dataset rawTrain, Dataset? rawTest, FeatureMap? features, Standardizer? standardizer,
        Dataset train, Dataset? test, Network<float> network, Standardizer? targetScale)
    {
        TargetScale = targetScale;
        if (rawTrain.Values is { } values)
        {
            float largest = 0;
            foreach (float y in values) largest = Math.Max(largest, Math.Abs(y));
            TargetRange = largest > 0 ? largest : 1;
        }
        Settings = settings;
        RawTrain = rawTrain;
        RawTest = rawTest;
        Features = features;
        Standardizer = standardizer;
        Train = train;
        Test = test;
        Network = network;
        Trainer = new Trainer(network, Options, train);
    }

    /// <summary>The settings of the run.</summary>
    public RunSettings Settings { get; private set; }
    /// <summary>The examples as the data gives them (for a synthetic set the points (x1, x2)): what the page draws.</summary>
    public Dataset RawTrain { get; }
    /// <summary>The test examples as the data gives them; null when there is no test part.</summary>
    public Dataset? RawTest { get; }
    /// <summary>The features made of each point; null when the data's own features go in as they are.</summary>
    public FeatureMap? Features { get; }
    /// <summary>The standardisation learned on the training part; null when not asked for.</summary>
    public Standardizer? Standardizer { get; }
    /// <summary>A regression's target standardisation (with <see cref="RunSettings.Standardize"/>); null otherwise.</summary>
    public Standardizer? TargetScale { get; }
    /// <summary>A regression's largest |y| on the training part (1 if every target is 0), in the targets' units: the
    /// value the page's colour scale is full at. 0 for classes.</summary>
    public double TargetRange { get; }
    /// <summary>The network's inputs: features made and standardised.</summary>
    public Dataset Train { get; }
    /// <summary>The network's test inputs; null when there is no test part.</summary>
    public Dataset? Test { get; }
    /// <summary>The network trained.</summary>
    public Network<float> Network { get; }
    /// <summary>The trainer that steps the network.</summary>
    public Trainer Trainer { get; }
    /// <summary>The training options the settings give.</summary>
    public TrainingOptions Options => OptionsOf(Settings);

    static TrainingOptions OptionsOf(RunSettings settings) => new()
    {
        Epochs = settings.Epochs, BatchSize = settings.Batch, LearningRate = settings.LearningRate, Optimizer = settings.Optimizer,
        Momentum = settings.Momentum, WeightDecay = settings.WeightDecay, L1 = settings.L1, Seed = settings.Seed,
    };

    /// <summary>Epochs finished.</summary>
    public int Epoch => Trainer.Epoch;
    /// <summary>Batches done in the epoch under way.</summary>
    public int Batch => Trainer.Batch;
    /// <summary>True once the settings' epochs are done.</summary>
    public bool Finished => Trainer.Epoch >= Settings.Epochs;

    /// <summary>Loads the data and initialises the network; throws <see cref="BackpropException"/> for settings that cannot run.</summary>
    /// <param name="settings">What to train.</param>
    /// <param name="initial">Weights to start from instead of the seed's (as --init FILE); its shape must be the settings'.</param>
    public static TrainingRun Start(RunSettings settings, Network<float>? initial = null)
    {
        // The page speaks the command's words (--layers), as its settings and its command do.
        try { return StartInLibraryWords(settings, initial); }
        catch (BackpropException e) { throw new BackpropException(RunSettings.InCommandWords(e.Message)); }
    }

    static TrainingRun StartInLibraryWords(RunSettings settings, Network<float>? initial)
    {
        settings.Validate();
        var rawTrain = DataSource.Train(settings.Data, settings.DataOptions);
        var rawTest = DataSource.Test(settings.Data, settings.DataOptions);
        var features = settings.Features == "x1,x2" ? null : FeatureMap.Parse(settings.Features);
        int inputs = features?.Count ?? rawTrain.FeatureCount;
        var model = new ModelOptions
        {
            Layers = settings.LayerSizes(inputs, rawTrain.Task == LearningTask.Regression ? rawTrain.TargetCount : Math.Max(rawTrain.ClassCount, rawTest?.ClassCount ?? 0)),
            HiddenActivations = settings.Activation, OutputActivation = settings.OutputActivation, Cost = settings.Cost,
            Features = features, Standardize = settings.Standardize,
        };
        // The command's own preparation, so that the page after N epochs holds the weights its command holds.
        var prepared = PreparedTraining.Of(rawTrain, null, rawTest, model, settings.Seed, OptionsOf(settings), settings.Data,
            initial is null ? null : architecture =>
                initial.Architecture.SameShape(architecture) ? initial.Clone()
                : throw new BackpropException($"the model is a {initial.Architecture} network but this data and these settings make a {architecture} one; open data the model was trained on"));
        return new TrainingRun(settings, rawTrain, rawTest, features, prepared.Standardizer, prepared.Train, prepared.Test, prepared.Network, prepared.TargetScale);
    }

    /// <summary>Moves the end of the run to epoch <paramref name="epochs"/>: the steps taken so far stay what they were.</summary>
    public void StopAfter(int epochs)
    {
        if (epochs < Epoch)
            throw new BackpropException($"the run is already at epoch {Epoch}; stop after {Epoch} or more, or start again");
        Settings = (Settings with { Epochs = epochs }).Validate();
    }

    /// <summary>One mini-batch; returns true when it ended an epoch. Does nothing once the run has its epochs.</summary>
    public bool StepBatch()
    {
        if (Finished) return false;
        bool ended;
        try { ended = Trainer.RunBatch() != null; }
        catch (BackpropException e) { throw new BackpropException(RunSettings.InCommandWords(e.Message)); }
        // The batch just run is the one before the trainer's position: the epoch's last when it ended one.
        int done = ended ? Trainer.BatchCount : Trainer.Batch;
        lastBatchStart = (done - 1) * Options.BatchSize;
        lastBatchCount = Math.Min(Options.BatchSize, Train.Count - lastBatchStart);
        return ended;
    }

    int lastBatchStart, lastBatchCount;

    /// <summary>
    /// The indices into <see cref="Train"/> of the last mini-batch the run stepped on, in the trainer's order; empty
    /// before the first step. (The trainer reshuffles only when the next epoch's first batch runs, which moves this too.)
    /// </summary>
    public int[] LastBatch => Trainer.Order.AsSpan(lastBatchStart, lastBatchCount).ToArray();

    /// <summary>The rest of the epoch under way.</summary>
    public void StepEpoch()
    {
        while (!Finished && !StepBatch()) { }
    }

    /// <summary>Cost and accuracy on the training and test parts now; for a regression its fit as well.</summary>
    public RunMetrics Measure()
    {
        var train = Evaluation.Of(Network, Train);
        var test = Test is null ? (Evaluation?)null : Evaluation.Of(Network, Test);
        bool regression = Train.Task == LearningTask.Regression;
        return new RunMetrics(Epoch, Batch, train.Cost, train.Accuracy, test?.Cost, test?.Accuracy,
            regression ? RegressionMetrics.Of(Network, Train, TargetScale) : null,
            regression && Test != null ? RegressionMetrics.Of(Network, Test, TargetScale) : null);
    }

    /// <summary>The model file <c>backprop train</c> would write: weights, architecture, features, standardisation,
    /// and a regression's task and target standardisation.</summary>
    public byte[] ModelBytes() => Train.Task == LearningTask.Regression
        ? ModelFile.ToBytes(new Model(Network, Standardizer, Features, null, LearningTask.Regression, TargetScale))
        : ModelFile.ToBytes(Network, Standardizer, Features);

    /// <summary>The settings as the playground's URL fragment.</summary>
    public string Query => Settings.ToQuery(Network.InputSize, Outputs);
    /// <summary>The <c>backprop train …</c> command that trains the same network.</summary>
    public string CommandLine => Settings.ToCommandLine(Network.InputSize, Outputs);

    // What RunSettings.LayerSizes sizes the output layer by: classes, or a regression's targets.
    int Outputs => Train.Task == LearningTask.Regression ? Train.TargetCount : ClassCount;
    /// <summary>Classes of the data.</summary>
    public int ClassCount => Math.Max(Train.ClassCount, Test?.ClassCount ?? 0);

    /// <summary>The network's inputs for points of the plane, as the training examples were made (features, standardisation).</summary>
    public PlaneProjection Projection(int xColumn = 0, int yColumn = 1) => new(RawTrain, xColumn, yColumn, Features, Standardizer);
}
