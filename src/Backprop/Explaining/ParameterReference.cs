using System.Globalization;
using Backprop.Layers;

namespace Backprop.Explaining;

/// <summary>
/// One weight Wˡ[j,k] (from neuron k of layer l−1 to neuron j of layer l) or one bias bˡ[j]. <see cref="Layer"/> is
/// the math's 1-based layer number (layer 0 is the input); <see cref="Neuron"/> and <see cref="Input"/> are 0-based,
/// like the rows and columns of the stored matrices.
/// </summary>
public sealed record ParameterReference(int Layer, int Neuron, int? Input)
{
    /// <summary>True for a bias b (no input k), false for a weight W[j,k].</summary>
    public bool IsBias => Input is null;

    /// <summary>"W2[1,0]" or "b2[1]".</summary>
    public override string ToString() => IsBias
        ? string.Create(CultureInfo.InvariantCulture, $"b{Layer}[{Neuron}]")
        : string.Create(CultureInfo.InvariantCulture, $"W{Layer}[{Neuron},{Input}]");

    /// <summary>Parses "L:J:K" (the CLI's --weight).</summary>
    public static ParameterReference ParseWeight(string text)
    {
        var parts = Split(text, 3, "ParameterReference.ParseWeight", "L:J:K, like 2:0:1 (layer 2, neuron 0, from neuron 1 of layer 1)");
        return new ParameterReference(parts[0], parts[1], parts[2]);
    }

    /// <summary>Parses "L:J" (the CLI's --bias).</summary>
    public static ParameterReference ParseBias(string text)
    {
        var parts = Split(text, 2, "ParameterReference.ParseBias", "L:J, like 2:0 (layer 2, neuron 0)");
        return new ParameterReference(parts[0], parts[1], null);
    }

    /// <summary>Throws a <see cref="BackpropException"/> naming the valid range when the parameter is not in the network.</summary>
    public ParameterReference CheckIn(Architecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        string layers = architecture.LayerCount == 1 ? "layer 1" : $"layers 1…{architecture.LayerCount}";
        if (Layer < 1 || Layer > architecture.LayerCount)
            throw new BackpropException($"{this}: layer {Layer} does not exist; the network {architecture.SizesText} has weighted {layers} (L is 1-based, layer 0 is the input)");
        int neurons = architecture.Sizes[Layer];
        if (Neuron < 0 || Neuron >= neurons)
            throw new BackpropException($"{this}: layer {Layer} has {neurons} neuron(s), so J must be 0…{neurons - 1} (0-based), got {Neuron}");
        if (Input is int k)
        {
            int inputs = architecture.Sizes[Layer - 1];
            string source = Layer == 1 ? $"the input has {inputs} feature(s)" : $"layer {Layer - 1} has {inputs} neuron(s)";
            if (k < 0 || k >= inputs)
                throw new BackpropException($"{this}: {source}, so K must be 0…{inputs - 1} (0-based), got {k}");
        }
        return this;
    }

    static int[] Split(string text, int count, string method, string shape)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        if (parts.Length != count) throw Malformed();
        var numbers = new int[count];
        for (int i = 0; i < count; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out numbers[i])) throw Malformed();
        return numbers;

        BackpropException Malformed() => new($"{method} takes {shape}; got '{text}'");
    }
}
