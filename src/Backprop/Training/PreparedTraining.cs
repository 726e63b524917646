using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Training;

/// <summary>
/// The network to build for some data, as <c>backprop train</c>'s --layers, --activation, --output-activation,
/// --cost, --features and --standardize give it. Every part left null takes the command's default for the data.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>The hidden layers when <see cref="Layers"/> is not given: two of 64.</summary>
    public static readonly IReadOnlyList<int> DefaultHiddenLayers = [64, 64];
    /// <summary>The hidden activation when none is given.</summary>
    public const string DefaultHiddenActivation = "relu";

    /// <summary>Every layer's size, inputs first (784,30,10); null: the data's inputs, <see cref="DefaultHiddenLayers"/>,
    /// and one output per class (one for two classes under a sigmoid output), or per real target.</summary>
    public IReadOnlyList<int>? Layers { get; init; }
    /// <summary>One hidden activation name for every hidden layer, or one per hidden layer ("relu,tanh"); null: relu.</summary>
    public string? HiddenActivations { get; init; }
    /// <summary>The output activation; null: identity for a regression, sigmoid for a single output, else softmax.</summary>
    public string? OutputActivation { get; init; }
    /// <summary>The cost; null: cross-entropy after softmax, else quadratic.</summary>
    public string? Cost { get; init; }
    /// <summary>Inputs made of each example's features (a two-feature set's x1², sin x1, …); null: the features as they are.</summary>
    public FeatureMap? Features { get; init; }
    /// <summary>Scale every input to mean 0, deviation 1 on the training data (and a regression's targets too); stored in the model.</summary>
    public bool Standardize { get; init; }
}

/// <summary>
/// Everything settled before the first step, made the one way the command line, the playground and
/// <see cref="Model.Train"/> all use: features made, the architecture chosen for the data and checked against it, the
/// memory checked, standardisation fitted on the training part and applied to every part, the network initialised.
/// </summary>
/// <param name="Train">The training examples as the network takes them (features made, standardised).</param>
/// <param name="Validation">The held-out examples, prepared the same way, or null.</param>
/// <param name="Test">The test part, prepared the same way, or null.</param>
/// <param name="Architecture">The network's shape, activations and cost.</param>
/// <param name="Network">The initial network.</param>
/// <param name="Features">The features made of each example, or null.</param>
/// <param name="Standardizer">The inputs' standardisation, or null.</param>
/// <param name="TargetScale">A regression's target standardisation, or null.</param>
public sealed record PreparedTraining(Dataset Train, Dataset? Validation, Dataset? Test, Architecture Architecture,
    Network<float> Network, FeatureMap? Features, Standardizer? Standardizer, Standardizer? TargetScale)
{
    /// <summary>The model as it is saved: the network with everything its inputs and outputs need.</summary>
    public Model Model => new(Network, Standardizer, Features, Train.ClassNames, Train.Task, TargetScale);

    /// <summary>Prepares training on data as it comes from its source (features not yet made, not standardised).</summary>
    /// <param name="train">The training examples.</param>
    /// <param name="validation">Held-out examples, or null.</param>
    /// <param name="test">The test part, or null.</param>
    /// <param name="model">The network to build; null for every default.</param>
    /// <param name="seed">Seeds the initial weights (<see cref="TrainingOptions.Seed"/>).</param>
    /// <param name="options">Checked against the memory available, with the network.</param>
    /// <param name="dataName">How messages name the data.</param>
    /// <param name="initialize">Makes the first weights for the architecture (the command's --init FILE); null: seeded random ones.</param>
    /// <param name="checkpoints">Whether checkpoints will be taken (they add to the memory needed).</param>
    /// <exception cref="BackpropException">The options do not fit the data, or training would not fit in memory.</exception>
    public static PreparedTraining Of(Dataset train, Dataset? validation, Dataset? test, ModelOptions? model, ulong seed, TrainingOptions options,
        string dataName = "the training data", Func<Architecture, Network<float>>? initialize = null, bool checkpoints = false)
    {
        model ??= new ModelOptions();
        bool regression = train.Task == LearningTask.Regression;
        if (model.Features is { } features)
        {
            train = features.Apply(train);
            validation = validation is null ? null : features.Apply(validation);
            test = test is null ? null : features.Apply(test);
        }
        var architecture = ArchitectureFor(train, model);
        Targets.CheckFits(architecture, train, dataName);
        if (validation != null) Targets.CheckFits(architecture, validation, dataName + " (validation part)");
        if (test != null && test.FeatureCount != train.FeatureCount)
            throw new BackpropException($"{dataName}: the test part has {test.FeatureCount} features per example but the training part has {train.FeatureCount}; both parts must come from one dataset (images of one size)");
        if (test != null) Targets.CheckFits(architecture, test, dataName + " (test part)");
        TrainingMemory.Require(architecture, options, train.Count, checkpoints);

        Standardizer? standardizer = null, targetScale = null;
        if (model.Standardize)
        {
            standardizer = Standardizer.Fit(train);
            train = standardizer.Apply(train);
            validation = validation is null ? null : standardizer.Apply(validation);
            test = test is null ? null : standardizer.Apply(test);
            if (regression)
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
        }
        var network = initialize?.Invoke(architecture) ?? Network<float>.Initialize(architecture, seed);
        if (!network.Architecture.SameShape(architecture))
            throw new BackpropException($"the initial network is a {network.Architecture} network but this data and these options make a {architecture} one");
        return new PreparedTraining(train, validation, test, architecture, network, model.Features, standardizer, targetScale);
    }

    /// <summary>
    /// The architecture <paramref name="model"/> gives for <paramref name="train"/> (features already made): its sizes or
    /// inputs,64,64,outputs; relu hidden layers; the output activation and cost the command's defaults choose.
    /// </summary>
    /// <exception cref="BackpropException">A name is unknown, or the parts do not go together.</exception>
    public static Architecture ArchitectureFor(Dataset train, ModelOptions model)
    {
        bool regression = train.Task == LearningTask.Regression;
        string? outputName = model.OutputActivation?.Trim().ToLowerInvariant();
        if (regression && outputName == "softmax")
            throw new BackpropException("a regression predicts real numbers, which softmax (outputs summing to 1) cannot; leave Architecture.OutputActivation out for identity");
        if (regression && model.Cost?.Trim().ToLowerInvariant() == "cross-entropy")
            throw new BackpropException("a regression compares real numbers, which cross-entropy (of class probabilities) cannot; leave Architecture.Cost out for quadratic");
        int[] sizes = model.Layers is { } layers
            ? [.. layers]
            : [train.FeatureCount, .. ModelOptions.DefaultHiddenLayers,
               regression ? train.TargetCount : train.ClassCount <= 2 && outputName is not (null or "softmax") ? 1 : Math.Max(2, train.ClassCount)];
        var output = Activation.Parse(outputName ?? (regression ? "identity" : sizes[^1] == 1 ? "sigmoid" : "softmax"), "Architecture.OutputActivation");
        var cost = Costs.Cost.Parse(model.Cost ?? (output == Activation.Softmax ? "cross-entropy" : "quadratic"));
        var hidden = Architecture.ParseHiddenActivations(model.HiddenActivations ?? ModelOptions.DefaultHiddenActivation, sizes.Length - 2, "Architecture.HiddenActivations");
        return new Architecture(sizes, hidden, output, cost).Validate();
    }
}
