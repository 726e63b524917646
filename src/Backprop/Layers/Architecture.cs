using Backprop.Activations;
using Backprop.Costs;
using Backprop.Serialization;

namespace Backprop.Layers;

/// <summary>
/// The shape of a network: layer sizes n⁰ (inputs), n¹, …, nᴸ (outputs), the activation of every hidden layer,
/// the output activation, and the cost.
/// </summary>
public sealed record Architecture(IReadOnlyList<int> Sizes, Activation HiddenActivation, Activation OutputActivation, Cost Cost)
{
    /// <summary>Sizes past this are refused before anything is allocated: 2²⁴ neurons in a layer, 2³⁰ weights in one matrix.</summary>
    public const int MaximumLayerSize = 1 << 24;
    const long MaximumWeightsPerLayer = 1L << 30;
    /// <summary>Weighted layers past this could be trained but not saved: a model file holds at most
    /// <see cref="SafeTensorsFile.MaxTensorCount"/> tensors, a weight and a bias per layer.</summary>
    public const int MaximumLayerCount = SafeTensorsFile.MaxTensorCount / 2;

    /// <summary>L: the number of weighted layers (the input layer holds no weights).</summary>
    public int LayerCount => Sizes.Count - 1;
    public int InputSize => Sizes[0];
    public int OutputSize => Sizes[^1];

    /// <summary>The activation of weighted layer <paramref name="layer"/> (0-based: 0 is the first hidden layer).</summary>
    public Activation ActivationOf(int layer) => layer == LayerCount - 1 ? OutputActivation : HiddenActivation;

    public string SizesText => string.Join(",", Sizes);

    /// <summary>Checks everything a network of this shape needs; throws <see cref="BackpropException"/> naming the fix.</summary>
    public Architecture Validate()
    {
        if (Sizes.Count < 2)
            throw new BackpropException($"--layers needs at least an input and an output size, like 784,30,10 (got '{ShownText.Of(SizesText)}')");
        foreach (int size in Sizes)
            if (size < 1 || size > MaximumLayerSize)
                throw new BackpropException($"layer size {size} in --layers {ShownText.Of(SizesText)} must be between 1 and {MaximumLayerSize}");
        for (int l = 1; l < Sizes.Count; l++)
            if ((long)Sizes[l] * Sizes[l - 1] > MaximumWeightsPerLayer)
                throw new BackpropException($"layer {l} of --layers {ShownText.Of(SizesText)} would hold {(long)Sizes[l] * Sizes[l - 1]} weights, more than {MaximumWeightsPerLayer}; use smaller layers");
        if (LayerCount > MaximumLayerCount)
            throw new BackpropException($"--layers gives {LayerCount} weighted layers; a model file holds at most {MaximumLayerCount} (two tensors each, {SafeTensorsFile.MaxTensorCount} per file); use fewer layers");
        if (HiddenActivation.OutputOnly && LayerCount > 1)
            throw new BackpropException($"{HiddenActivation.Name} can only be the output activation; choose another --activation for hidden layers");
        if (OutputActivation == Activation.Softmax && OutputSize < 2)
            throw new BackpropException("softmax needs at least two output neurons (a single one is always 1); use --output-activation sigmoid for one output");
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
                throw new BackpropException($"--layers takes positive whole numbers separated by commas, like 784,30,10 (got '{ShownText.Of(text)}')");
        return sizes;
    }

    public override string ToString() => $"{SizesText} {HiddenActivation}/{OutputActivation} {Cost}";
}
