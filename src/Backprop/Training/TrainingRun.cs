using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Training;

/// <summary>Costs and accuracies of the network as it stands, on the training and the test part.</summary>
public sealed record RunMetrics(int Epoch, int Batch, double TrainCost, double TrainAccuracy, double? TestCost, double? TestAccuracy);

/// <summary>
/// One training run of <see cref="RunSettings"/>, stepped by the caller batch by batch — the playground's engine.
/// It prepares data and network exactly as <c>backprop train</c> does for the same options (data, then features,
/// then standardisation fitted on the training part; the seed's initialisation; the trainer's seeded order), so the
/// page after N epochs holds the weights its command holds after N epochs.
/// </summary>
public sealed class TrainingRun
{
    TrainingRun(RunSettings settings, Dataset rawTrain, Dataset? rawTest, FeatureMap? features, Standardizer? standardizer,
        Dataset train, Dataset? test, Network<float> network)
    {
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
            Layers = settings.LayerSizes(inputs, Math.Max(rawTrain.ClassCount, rawTest?.ClassCount ?? 0)),
            HiddenActivations = settings.Activation, OutputActivation = settings.OutputActivation, Cost = settings.Cost,
            Features = features, Standardize = settings.Standardize,
        };
        // The command's own preparation, so that the page after N epochs holds the weights its command holds.
        var prepared = PreparedTraining.Of(rawTrain, null, rawTest, model, settings.Seed, OptionsOf(settings), settings.Data,
            initial is null ? null : architecture =>
                initial.Architecture.SameShape(architecture) ? initial.Clone()
                : throw new BackpropException($"the model is a {initial.Architecture} network but this data and these settings make a {architecture} one; open data the model was trained on"));
        return new TrainingRun(settings, rawTrain, rawTest, features, prepared.Standardizer, prepared.Train, prepared.Test, prepared.Network);
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
        try { return !Finished && Trainer.RunBatch() != null; }
        catch (BackpropException e) { throw new BackpropException(RunSettings.InCommandWords(e.Message)); }
    }

    /// <summary>The rest of the epoch under way.</summary>
    public void StepEpoch()
    {
        while (!Finished && !StepBatch()) { }
    }

    /// <summary>Cost and accuracy on the training and test parts now.</summary>
    public RunMetrics Measure()
    {
        var train = Evaluation.Of(Network, Train);
        var test = Test is null ? (Evaluation?)null : Evaluation.Of(Network, Test);
        return new RunMetrics(Epoch, Batch, train.Cost, train.Accuracy, test?.Cost, test?.Accuracy);
    }

    /// <summary>The model file <c>backprop train</c> would write: weights, architecture, features, standardisation.</summary>
    public byte[] ModelBytes() => ModelFile.ToBytes(Network, Standardizer, Features);

    /// <summary>The settings as the playground's URL fragment.</summary>
    public string Query => Settings.ToQuery(Network.InputSize, ClassCount);
    /// <summary>The <c>backprop train …</c> command that trains the same network.</summary>
    public string CommandLine => Settings.ToCommandLine(Network.InputSize, ClassCount);
    /// <summary>Classes of the data.</summary>
    public int ClassCount => Math.Max(Train.ClassCount, Test?.ClassCount ?? 0);

    /// <summary>The network's inputs for points of the plane, as the training examples were made (features, standardisation).</summary>
    public PlaneProjection Projection(int xColumn = 0, int yColumn = 1) => new(RawTrain, xColumn, yColumn, Features, Standardizer);
}
