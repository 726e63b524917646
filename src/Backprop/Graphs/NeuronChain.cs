using System.Globalization;
using Backprop.Activations;
using Backprop.Autodiff;

namespace Backprop.Graphs;

/// <summary>
/// The seeds' network of one neuron per layer, as a <see cref="Value"/> graph with every node named:
/// z_l = w_l·a_(l−1) + b_l, a_l = φ(z_l) for l = 1 … L with a_0 = x, and C = (a_L − y)².
/// </summary>
/// <remarks>
/// With x = 1.5, y = 0.5, w = (0.8, −0.4), b = (0, 0) and the sigmoid, the chain rule along it reads
/// ∂C/∂w2 = ∂C/∂a2 · ∂a2/∂z2 · ∂z2/∂w2 = 2(a2 − y) · σ′(z2) · a1, and ∂C/∂w1 reuses the first two factors.
/// </remarks>
public sealed class NeuronChain
{
    NeuronChain(Value cost, Value input, Value target, Value[] weights, Value[] biases, Value[] weightedInputs, Value[] activations)
    {
        Cost = cost;
        Input = input;
        Target = target;
        Weights = weights;
        Biases = biases;
        WeightedInputs = weightedInputs;
        Activations = activations;
    }

    /// <summary>C = (a_L − y)², labelled "C".</summary>
    public Value Cost { get; }
    /// <summary>x = a_0.</summary>
    public Value Input { get; }
    /// <summary>y.</summary>
    public Value Target { get; }
    /// <summary>w_1 … w_L ("w1", …).</summary>
    public IReadOnlyList<Value> Weights { get; }
    /// <summary>b_1 … b_L ("b1", …).</summary>
    public IReadOnlyList<Value> Biases { get; }
    /// <summary>z_1 … z_L ("z1", …).</summary>
    public IReadOnlyList<Value> WeightedInputs { get; }
    /// <summary>a_1 … a_L ("a1", …); the same node as z_l for the identity.</summary>
    public IReadOnlyList<Value> Activations { get; }

    /// <summary>Builds the chain (forward values only; call <c>Cost.Backward()</c> for the gradients).</summary>
    /// <param name="x">The input, a_0.</param>
    /// <param name="y">The target of a_L.</param>
    /// <param name="weights">w_1 … w_L: one per layer, and so the number of layers.</param>
    /// <param name="biases">b_1 … b_L.</param>
    /// <param name="activation">φ for every layer: sigmoid, tanh, relu, leaky-relu or identity.</param>
    /// <exception cref="BackpropException">No weights, a bias count that differs from the weight count, a non-finite
    /// number, or softmax (which needs several neurons).</exception>
    public static NeuronChain Build(double x, double y, IReadOnlyList<double> weights, IReadOnlyList<double> biases, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        ArgumentNullException.ThrowIfNull(activation);
        if (weights.Count == 0) throw new BackpropException("the chain needs at least one weight, one per layer, like 0.8,-0.4");
        if (biases.Count != weights.Count)
            throw new BackpropException($"got {weights.Count} weight(s) but {biases.Count} bias(es); give one bias per layer, or none for zeros");
        if (activation == Activation.Softmax)
            throw new BackpropException("softmax needs several neurons in a layer (over one neuron it is the constant 1); use sigmoid, tanh, relu, leaky-relu or identity");
        if (!double.IsFinite(x) || !double.IsFinite(y) || !weights.All(double.IsFinite) || !biases.All(double.IsFinite))
            throw new BackpropException("x, y, the weights and the biases must be finite numbers");

        int layers = weights.Count;
        var input = new Value(x, "x");
        var w = new Value[layers];
        var b = new Value[layers];
        var z = new Value[layers];
        var a = new Value[layers];
        Value previous = input;
        for (int l = 0; l < layers; l++)
        {
            string n = (l + 1).ToString(CultureInfo.InvariantCulture);
            w[l] = new Value(weights[l], "w" + n);
            b[l] = new Value(biases[l], "b" + n);
            z[l] = w[l] * previous + b[l];
            z[l].Label = "z" + n;
            a[l] = Apply(activation, z[l]);
            // With the identity a_l is z_l itself, one node with both names.
            a[l].Label = ReferenceEquals(a[l], z[l]) ? $"z{n} = a{n}" : "a" + n;
            previous = a[l];
        }
        var target = new Value(y, "y");
        Value cost = (previous - target).Pow(2);
        cost.Label = "C";
        return new NeuronChain(cost, input, target, w, b, z, a);
    }

    static Value Apply(Activation activation, Value z) => activation.Name switch
    {
        "sigmoid" => z.Sigmoid(),
        "tanh" => z.Tanh(),
        "relu" => z.Relu(),
        "leaky-relu" => z.LeakyRelu(),
        "identity" => z,
        _ => throw new BackpropException($"the chain cannot use the activation {activation.Name}; use sigmoid, tanh, relu, leaky-relu or identity"),
    };
}
