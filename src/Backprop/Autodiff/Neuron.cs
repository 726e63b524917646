namespace Backprop.Autodiff;

/// <summary>
/// One neuron j of a layer: the weights wⱼₖ from each neuron k of the previous layer and the bias bⱼ, as leaf
/// <see cref="Value"/>s whose gradients a backward pass fills in.
/// </summary>
public sealed class Neuron
{
    readonly Value[] weights;

    /// <summary>A neuron with the given incoming weights (one per input) and bias.</summary>
    public Neuron(IReadOnlyList<double> weights, double bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        this.weights = new Value[weights.Count];
        for (int k = 0; k < weights.Count; k++) this.weights[k] = new Value(weights[k]);
        Bias = new Value(bias);
    }

    /// <summary>wₖ for each input k.</summary>
    public IReadOnlyList<Value> Weights => weights;

    /// <summary>b, the neuron's bias, a leaf of the graph.</summary>
    public Value Bias { get; }

    /// <summary>z = Σₖ wₖ·aₖ + b, one "sum" node over the products and the bias.</summary>
    public Value WeightedInput(IReadOnlyList<Value> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != weights.Length)
            throw new BackpropException($"a neuron with {weights.Length} weights was given {inputs.Count} inputs; give one input per weight");
        var terms = new Value[weights.Length + 1];
        for (int k = 0; k < weights.Length; k++) terms[k] = weights[k] * inputs[k];
        terms[^1] = Bias;
        return Value.Sum(terms);
    }
}
