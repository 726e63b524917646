using Backprop.Activations;
using Backprop.Costs;
using Backprop.Serialization;

namespace Backprop.Layers;

/// <summary>
/// The shape of a network: layer sizes n⁰ (inputs), n¹, …, nᴸ (outputs), the activation of every hidden layer
/// (each its own, or one for all), the output activation, and the cost.
/// </summary>
public sealed record Architecture
{
    /// <summary>Sizes past this are refused before anything is allocated: 2²⁴ neurons in a layer, 2³⁰ weights in one matrix.</summary>
    public const int MaximumLayerSize = 1 << 24;
    const long MaximumWeightsPerLayer = 1L << 30;
    /// <summary>Weighted layers past this could be trained but not saved: a model file holds at most
    /// <see cref="SafeTensorsFile.MaxTensorCount"/> tensors, a weight and a bias per layer.</summary>
    public const int MaximumLayerCount = SafeTensorsFile.MaxTensorCount / 2;

    /// <summary>A network whose hidden layers all use <paramref name="hiddenActivation"/>.</summary>
    public Architecture(IReadOnlyList<int> sizes, Activation hiddenActivation, Activation outputActivation, Cost cost)
        : this(sizes, Enumerable.Repeat(hiddenActivation, Math.Max(sizes.Count - 2, 0)).ToArray(), outputActivation, cost)
    {
        HiddenActivation = hiddenActivation;
    }

    /// <summary>A network with one activation per hidden layer: <paramref name="hiddenActivations"/>[l] follows layer l + 1.</summary>
    public Architecture(IReadOnlyList<int> sizes, IReadOnlyList<Activation> hiddenActivations, Activation outputActivation, Cost cost)
    {
        Sizes = sizes;
        HiddenActivations = hiddenActivations;
        HiddenActivation = hiddenActivations.Count > 0 ? hiddenActivations[0] : Activation.Relu;
        OutputActivation = outputActivation;
        Cost = cost;
    }

    /// <summary>Neurons per layer, input first: [n⁰, n¹, …, nᴸ].</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>φ of each hidden layer, first hidden layer first (Sizes.Count − 2 of them).</summary>
    public IReadOnlyList<Activation> HiddenActivations { get; }
    /// <summary>The first hidden layer's activation: the one of every hidden layer unless they differ.</summary>
    public Activation HiddenActivation { get; }
    /// <summary>φ of the output layer.</summary>
    public Activation OutputActivation { get; }
    /// <summary>The cost C the network is trained on.</summary>
    public Cost Cost { get; }

    /// <summary>L: the number of weighted layers (the input layer holds no weights).</summary>
    public int LayerCount => Sizes.Count - 1;
    /// <summary>n⁰, the size of the input.</summary>
    public int InputSize => Sizes[0];
    /// <summary>nᴸ, the size of the output.</summary>
    public int OutputSize => Sizes[^1];

    /// <summary>The activation of weighted layer <paramref name="layer"/> (0-based: 0 is the first hidden layer).</summary>
    public Activation ActivationOf(int layer) => layer == LayerCount - 1 ? OutputActivation : HiddenActivations[layer];

    /// <summary>"relu" when every hidden layer uses relu, else one name per hidden layer: "relu,tanh".</summary>
    public string HiddenActivationsText =>
        HiddenActivations.Distinct().Count() <= 1 ? HiddenActivation.Name : string.Join(",", HiddenActivations.Select(a => a.Name));

    /// <summary>Same sizes, activations and cost (records compare lists by reference, so this compares their text).</summary>
    public bool SameShape(Architecture other) =>
        SizesText == other.SizesText && HiddenActivations.SequenceEqual(other.HiddenActivations)
        && OutputActivation == other.OutputActivation && Cost == other.Cost;

    /// <summary>
    /// Parses <paramref name="text"/>, one activation name for every hidden layer ("relu") or one per hidden layer
    /// ("relu,tanh"), for a network of <paramref name="hiddenLayers"/> hidden layers.
    /// </summary>
    public static Activation[] ParseHiddenActivations(string text, int hiddenLayers) => ParseHiddenActivations(text, hiddenLayers, "Architecture.HiddenActivations");

    /// <summary>As <see cref="ParseHiddenActivations(string, int)"/>; an error names <paramref name="optionName"/> (a CLI flag, or Architecture.HiddenActivations, which the CLI translates) as the source of the text.</summary>
    internal static Activation[] ParseHiddenActivations(string text, int hiddenLayers, string optionName)
    {
        if (hiddenLayers < 0)
            throw new BackpropException("a network needs at least an input and an output size, like 784,30,10, before its activations");
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        if (names.Length == 1) return Enumerable.Repeat(Activation.Parse(names[0], optionName), hiddenLayers).ToArray();
        if (names.Length != hiddenLayers)
            throw new BackpropException($"{optionName} {text} names {names.Length} activations but the network has {hiddenLayers} hidden layer{(hiddenLayers == 1 ? "" : "s")}; give one name for all of them or one per hidden layer");
        return names.Select(n => Activation.Parse(n, optionName)).ToArray();
    }

    /// <summary>The sizes comma-separated: <c>784,30,10</c>.</summary>
    public string SizesText => string.Join(",", Sizes);

    /// <summary>Checks everything a network of this shape needs; throws <see cref="BackpropException"/> naming the fix.</summary>
    public Architecture Validate()
    {
        if (Sizes.Count < 2)
            throw new BackpropException($"Architecture.Sizes needs at least an input and an output size, like 784,30,10 (got '{ShownText.Of(SizesText)}')");
        foreach (int size in Sizes)
            if (size < 1 || size > MaximumLayerSize)
                throw new BackpropException($"layer size {size} in Architecture.Sizes {ShownText.Of(SizesText)} must be between 1 and {MaximumLayerSize}");
        for (int l = 1; l < Sizes.Count; l++)
            if ((long)Sizes[l] * Sizes[l - 1] > MaximumWeightsPerLayer)
                throw new BackpropException($"layer {l} of Architecture.Sizes {ShownText.Of(SizesText)} would hold {(long)Sizes[l] * Sizes[l - 1]} weights, more than {MaximumWeightsPerLayer}; use smaller layers");
        if (LayerCount > MaximumLayerCount)
            throw new BackpropException($"Architecture.Sizes gives {LayerCount} weighted layers; a model file holds at most {MaximumLayerCount} (two tensors each, {SafeTensorsFile.MaxTensorCount} per file); use fewer layers");
        if (HiddenActivations.Count != LayerCount - 1)
            throw new BackpropException($"Architecture.Sizes {ShownText.Of(SizesText)} has {LayerCount - 1} hidden layers but {HiddenActivations.Count} hidden activations were given; give one per hidden layer");
        foreach (var hidden in HiddenActivations)
            if (hidden.OutputOnly)
                throw new BackpropException($"{hidden.Name} can only be the output activation; choose another Architecture.HiddenActivations for hidden layers");
        if (OutputActivation == Activation.Softmax && OutputSize < 2)
            throw new BackpropException("softmax needs at least two output neurons (a single one is always 1); use Architecture.OutputActivation sigmoid for one output");
        Cost.Validate(OutputActivation, OutputSize);
        return this;
    }

    /// <summary>Parses "784,30,10".</summary>
    public static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new BackpropException($"Architecture.Sizes takes positive whole numbers separated by commas, like 784,30,10 (got '{ShownText.Of(text)}')");
        return sizes;
    }

    /// <summary>Sizes, activations and cost: <c>784,30,10 sigmoid/softmax cross-entropy</c>.</summary>
    public override string ToString() => $"{SizesText} {HiddenActivationsText}/{OutputActivation} {Cost}";
}
