using Backprop.Activations;
using Backprop.Autodiff;
using Backprop.Graphs;

namespace Backprop.Explaining;

/// <summary>
/// One layer l of the one-neuron-per-layer chain, forward and backward, as the seeds write it.
/// </summary>
/// <param name="Layer">l, 1 for the first weighted layer.</param>
/// <param name="Weight">w_l.</param>
/// <param name="Bias">b_l.</param>
/// <param name="PreviousActivation">a_(l−1); a_0 = x.</param>
/// <param name="WeightedInput">z_l = w_l·a_(l−1) + b_l.</param>
/// <param name="Activation">a_l = φ(z_l).</param>
/// <param name="CostByActivation">∂C/∂a_l: 2(a_L − y) at the last layer, else ∂C/∂z_(l+1)·w_(l+1), recycled from layer l+1.</param>
/// <param name="ActivationByWeightedInput">∂a_l/∂z_l = φ′(z_l).</param>
/// <param name="CostByWeightedInput">∂C/∂z_l = ∂C/∂a_l · φ′(z_l): computed once, used for ∂C/∂w_l, ∂C/∂b_l and ∂C/∂a_(l−1).</param>
/// <param name="WeightedInputByWeight">∂z_l/∂w_l = a_(l−1).</param>
/// <param name="CostByWeight">∂C/∂w_l = ∂C/∂z_l · a_(l−1).</param>
/// <param name="CostByBias">∂C/∂b_l = ∂C/∂z_l · 1.</param>
/// <param name="CostByPreviousActivation">∂C/∂a_(l−1) = ∂C/∂z_l · w_l (for l = 1, ∂C/∂x).</param>
/// <param name="NumericCostByWeight">The central difference (C(w_l + h) − C(w_l − h)) / 2h, h = <see cref="ChainExplanation.Step"/>.</param>
public sealed record ChainLayer(
    int Layer, double Weight, double Bias, double PreviousActivation, double WeightedInput, double Activation,
    double CostByActivation, double ActivationByWeightedInput, double CostByWeightedInput, double WeightedInputByWeight,
    double CostByWeight, double CostByBias, double CostByPreviousActivation, double NumericCostByWeight);

/// <summary>
/// The seeds' model: a chain of one neuron per layer, z_l = w_l·a_(l−1) + b_l, a_l = φ(z_l), a_0 = x, with the cost
/// C = (a_L − y)², differentiated by the scalar <see cref="Value"/> engine and explained factor by factor.
/// </summary>
/// <remarks>
/// Every value comes from one <see cref="Value"/> graph: forward values from its nodes, derivatives from its backward
/// pass, local derivatives (φ′(z_l), a_(l−1)) from the nodes' <see cref="Value.LocalDerivatives"/>. Backpropagation
/// computes ∂C/∂z_l once per layer and recycles it three times: into ∂C/∂w_l, ∂C/∂b_l and, through w_l, into
/// ∂C/∂a_(l−1), which is where layer l−1 starts. Only the finite-difference estimates are computed apart, with plain
/// doubles, so that they check the graph rather than repeat it.
/// </remarks>
public sealed class ChainExplanation
{
    /// <summary>h of the central differences: truncation O(h²) ≈ 1e-10 and rounding O(ε/h) ≈ 1e-11 stay far below 1e-6.</summary>
    public const double Step = 1e-5;

    /// <summary>The seeds' two-weight example: x = 1.5, y = 0.5, w = (0.8, −0.4), b = 0, sigmoid.</summary>
    public static ChainExplanation SeedsExample() => Compute(1.5, 0.5, [0.8, -0.4]);

    ChainExplanation(double input, double target, Activation activation, double cost, IReadOnlyList<ChainLayer> layers)
    {
        Input = input;
        Target = target;
        Activation = activation;
        Cost = cost;
        Layers = layers;
    }

    /// <summary>x = a_0.</summary>
    public double Input { get; }

    /// <summary>y.</summary>
    public double Target { get; }

    /// <summary>φ, the same in every layer.</summary>
    public Activation Activation { get; }

    /// <summary>C = (a_L − y)².</summary>
    public double Cost { get; }

    /// <summary>Layer 1 first; the backward pass reads them from the last.</summary>
    public IReadOnlyList<ChainLayer> Layers { get; }

    /// <summary>∂C/∂x = ∂C/∂a_0.</summary>
    public double CostByInput => Layers[0].CostByPreviousActivation;

    /// <summary>
    /// Builds the chain's graph, runs its backward pass, and reads every factor off it.
    /// </summary>
    /// <param name="input">x.</param>
    /// <param name="target">y.</param>
    /// <param name="weights">w_1 … w_L: one layer per weight.</param>
    /// <param name="biases">b_1 … b_L; null for all zero (the seeds' z1 = w1·x).</param>
    /// <param name="activation">φ for every layer; default sigmoid. Softmax is refused: on one neuron it is always 1.</param>
    public static ChainExplanation Compute(double input, double target, IReadOnlyList<double> weights,
        IReadOnlyList<double>? biases = null, Activation? activation = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        activation ??= Activation.Sigmoid;
        if (weights.Count == 0)
            throw new BackpropException("the chain needs at least one weight; give weights like 0.8,-0.4 (one layer per weight)");
        if (weights.Count > 1000)
            throw new BackpropException($"the chain has {weights.Count} weights; explain at most 1000 layers");
        biases ??= new double[weights.Count];
        if (biases.Count != weights.Count)
            throw new BackpropException($"biases has {biases.Count} value(s) but weights has {weights.Count}; give one bias per weight, or leave out biases for zeros");
        if (activation.OutputOnly)
            throw new BackpropException($"{activation.Name} on a single neuron is always 1; use sigmoid, tanh, relu, leaky-relu or identity for the chain");
        foreach (var (name, value) in new[] { ("input", input), ("target", target) }.Concat(weights.Select(w => ("weights", w))).Concat(biases.Select(b => ("biases", b))))
            if (!double.IsFinite(value)) throw new BackpropException($"{name} must be a finite number, got {value}");

        int layerCount = weights.Count;
        var chain = NeuronChain.Build(input, target, weights, biases, activation);
        chain.Cost.Backward();
        var (x, w, b, z, a) = (chain.Input, chain.Weights, chain.Biases, chain.WeightedInputs, chain.Activations);

        var layers = new ChainLayer[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            Value aPrevious = l == 0 ? x : a[l - 1];
            // z_l = (w_l·a_(l−1)) + b_l: the product node, child 0 of z_l, holds ∂z_l/∂w_l = a_(l−1).
            // Identity adds no node (a = z), so its local derivative is 1 with nothing to read.
            double slope = ReferenceEquals(a[l], z[l]) ? 1.0 : a[l].LocalDerivatives[0];
            layers[l] = new ChainLayer(
                Layer: l + 1, Weight: w[l].Data, Bias: b[l].Data, PreviousActivation: aPrevious.Data,
                WeightedInput: z[l].Data, Activation: a[l].Data,
                CostByActivation: a[l].Gradient, ActivationByWeightedInput: slope, CostByWeightedInput: z[l].Gradient,
                WeightedInputByWeight: z[l].Children[0].LocalDerivatives[0], CostByWeight: w[l].Gradient, CostByBias: b[l].Gradient,
                CostByPreviousActivation: aPrevious.Gradient,
                NumericCostByWeight: NumericDerivative(input, target, weights, biases, activation, l));
        }
        return new ChainExplanation(input, target, activation, chain.Cost.Data, layers);
    }

    /// <summary>
    /// One step of gradient descent on the whole chain: every w_l′ = w_l − η·∂C/∂w_l and b_l′ = b_l − η·∂C/∂b_l, and the
    /// chain explained again at the new parameters (its <see cref="Cost"/> is the cost after the step).
    /// </summary>
    public ChainExplanation AfterStep(double learningRate)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new BackpropException($"learningRate must be a positive number, got {learningRate}; try 0.5");
        var weights = Layers.Select(l => l.Weight - learningRate * l.CostByWeight).ToArray();
        var biases = Layers.Select(l => l.Bias - learningRate * l.CostByBias).ToArray();
        return Compute(Input, Target, weights, biases, Activation);
    }

    /// <summary>The expanded product for ∂C/∂w_l, every factor from the output down, as the seeds write it out:
    /// ∂C/∂a_L · φ′(z_L) · w_L · φ′(z_(L−1)) · … · w_(l+1) · φ′(z_l) · a_(l−1).</summary>
    public IReadOnlyList<double> ExpandedFactors(int layer)
    {
        if (layer < 1 || layer > Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"the chain has layers 1…{Layers.Count}");
        var factors = new List<double> { 2 * (Layers[^1].Activation - Target) };
        for (int l = Layers.Count; l > layer; l--)
        {
            factors.Add(Layers[l - 1].ActivationByWeightedInput);
            factors.Add(Layers[l - 1].Weight);
        }
        factors.Add(Layers[layer - 1].ActivationByWeightedInput);
        factors.Add(Layers[layer - 1].PreviousActivation);
        return factors;
    }

    /// <summary>(C(w_l + h) − C(w_l − h)) / 2h, forward passes in plain doubles with <see cref="Activation.Apply"/>.</summary>
    static double NumericDerivative(double x, double y, IReadOnlyList<double> weights, IReadOnlyList<double> biases, Activation activation, int layer)
    {
        double[] nudged = weights.ToArray();
        nudged[layer] = weights[layer] + Step;
        double plus = ForwardCost(x, y, nudged, biases, activation);
        nudged[layer] = weights[layer] - Step;
        double minus = ForwardCost(x, y, nudged, biases, activation);
        return (plus - minus) / (2 * Step);
    }

    static double ForwardCost(double x, double y, IReadOnlyList<double> weights, IReadOnlyList<double> biases, Activation activation)
    {
        double a = x;
        for (int l = 0; l < weights.Count; l++) a = activation.Apply(weights[l] * a + biases[l]);
        return (a - y) * (a - y);
    }
}
