using System.Globalization;
using System.Numerics;
using Backprop.Activations;

namespace Backprop.Explaining;

/// <summary>
/// One term of the seeds' "influence through multiple paths": neuron j of layer l feeds neuron i of layer l+1, which
/// contributes Wˡ⁺¹[i,j] · δˡ⁺¹_i to ∂C/∂aˡ_j.
/// </summary>
public sealed record DeltaTerm(int Neuron, double Weight, double Delta, double Product);

/// <summary>One factor of a path's chain-rule product, with its symbol in the seeds' notation ("W3[0,1]", "φ′(z2[1])").</summary>
public sealed record PathFactor(string Symbol, double Value);

/// <summary>
/// One path from a parameter to the cost: the neurons it passes, one per layer from the parameter's layer to the
/// output (<see cref="Neurons"/>), then the output activation it reaches the cost through (<see cref="Output"/>, the
/// same neuron unless softmax mixes them), and the product of its local derivatives.
/// </summary>
public sealed record DerivativePath(IReadOnlyList<int> Neurons, int Output, IReadOnlyList<PathFactor> Factors, double Product);

/// <summary>
/// ∂C/∂w for one weight Wˡ[j,k] (or ∂C/∂b for one bias bˡ[j]) of a real network on one example, taken apart:
/// ∂C/∂Wˡ[j,k] = δˡ_j · aˡ⁻¹_k, with δˡ_j = φ′(zˡ_j) · Σ_i Wˡ⁺¹[i,j] δˡ⁺¹_i below the output (one term per neuron i
/// that neuron j feeds) or the cost's own δᴸ_j at the output, and optionally every path from the parameter to the cost.
/// </summary>
/// <remarks>
/// The sum over paths is the chain rule with nothing recycled: each path multiplies its local derivatives
/// aˡ⁻¹_k · φ′(zˡ_j) · Wˡ⁺¹[i,j] · φ′(zˡ⁺¹_i) · … · ∂C/∂aᴸ, and the paths add up to the same ∂C/∂w that
/// backpropagation gets by multiplying each δ once. Their number is the product of the widths of the later layers
/// (times nᴸ more for softmax with a quadratic cost, whose outputs all depend on every zᴸ).
/// </remarks>
public sealed class WeightExplanation
{
    /// <summary>The most paths <see cref="Explain"/> lists; beyond that a listing teaches nothing.</summary>
    public const int MaximumPaths = 10_000;

    WeightExplanation(NetworkTrace trace, ParameterReference parameter)
    {
        Trace = trace;
        Parameter = parameter;
    }

    /// <summary>The forward values z, a and the δ of every layer for the example.</summary>
    public NetworkTrace Trace { get; }

    /// <summary>The weight or bias explained.</summary>
    public ParameterReference Parameter { get; }

    /// <summary>The parameter's value, Wˡ[j,k] or bˡ[j].</summary>
    public double Value { get; private init; }

    /// <summary>∂zˡ_j/∂w: aˡ⁻¹_k for a weight (x_k in layer 1), 1 for a bias.</summary>
    public double WeightedInputByParameter { get; private init; }

    /// <summary>δˡ_j = ∂C/∂zˡ_j.</summary>
    public double Delta { get; private init; }

    /// <summary>∂C/∂w = δˡ_j · ∂zˡ_j/∂w, as backpropagation gives it.</summary>
    public double Derivative => Delta * WeightedInputByParameter;

    /// <summary>The parameter belongs to the output layer, where the cost gives δ directly.</summary>
    public bool IsOutputLayer => Parameter.Layer == Trace.Network.Layers.Count;

    /// <summary>φ′(zˡ_j); NaN at a softmax output, which has no element-wise derivative.</summary>
    public double ActivationSlope { get; private init; }

    /// <summary>∂C/∂aˡ_j: below the output the sum of <see cref="NextLayerTerms"/>.</summary>
    public double CostByActivation { get; private init; }

    /// <summary>Below the output: Wˡ⁺¹[i,j] · δˡ⁺¹_i for every neuron i of layer l+1. Empty at the output.</summary>
    public IReadOnlyList<DeltaTerm> NextLayerTerms { get; private init; } = [];

    /// <summary>At the output: the terms of δᴸ_j (<see cref="NetworkTrace.OutputDeltaTerms"/>). Empty below it.</summary>
    public IReadOnlyList<OutputTerm> OutputTerms { get; private init; } = [];

    /// <summary>How many paths lead from the parameter to the cost.</summary>
    public BigInteger PathCount { get; private init; }

    /// <summary>Every path, when asked for; null otherwise.</summary>
    public IReadOnlyList<DerivativePath>? Paths { get; private init; }

    /// <summary>Σ over <see cref="Paths"/> of each path's product; equals <see cref="Derivative"/> up to rounding.</summary>
    public double? PathSum => Paths?.Sum(p => p.Product);

    /// <summary>Explains one parameter on the traced example.</summary>
    /// <param name="trace">The example through the network.</param>
    /// <param name="parameter">A weight or bias of the network (checked).</param>
    /// <param name="listPaths">Enumerate every path; refused with a <see cref="BackpropException"/> past <see cref="MaximumPaths"/>.</param>
    public static WeightExplanation Explain(NetworkTrace trace, ParameterReference parameter, bool listPaths = false)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.CheckIn(trace.Network.Architecture);
        var network = trace.Network;
        int l = parameter.Layer, j = parameter.Neuron;
        var layer = network.Layers[l - 1];
        bool output = l == network.Layers.Count;
        bool softmax = layer.Activation == Activation.Softmax;
        BigInteger pathCount = CountPaths(network.Architecture.Sizes, l, trace.SoftmaxOutput && network.Architecture.Cost == Costs.Cost.Quadratic);

        IReadOnlyList<DerivativePath>? paths = null;
        if (listPaths)
        {
            if (pathCount > MaximumPaths)
                throw new BackpropException($"{parameter} reaches the cost along {pathCount} paths; listPaths lists at most {MaximumPaths}: choose a parameter nearer the output or a smaller network, or leave out listPaths");
            paths = EnumeratePaths(trace, parameter);
        }

        return new WeightExplanation(trace, parameter)
        {
            Value = parameter.Input is int k ? layer.Weight(j, k) : layer.Biases[j],
            WeightedInputByParameter = parameter.Input is int input ? trace.PreviousActivations(l)[input] : 1.0,
            Delta = trace.Deltas[l - 1][j],
            ActivationSlope = softmax ? double.NaN : layer.Activation.Derivative(trace.WeightedInputs[l - 1][j]),
            CostByActivation = trace.CostByActivations[l - 1][j],
            NextLayerTerms = output ? [] : NextTerms(trace, l, j),
            OutputTerms = output ? trace.OutputDeltaTerms(j) : [],
            PathCount = pathCount,
            Paths = paths,
        };
    }

    /// <summary>
    /// Paths from a parameter of layer <paramref name="layer"/> to the cost: Π_{m = l+1…L} nᵐ, times nᴸ when the
    /// softmax outputs each reach the cost through all of aᴸ (quadratic cost).
    /// </summary>
    public static BigInteger CountPaths(IReadOnlyList<int> sizes, int layer, bool throughEveryOutput)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        BigInteger count = BigInteger.One;
        for (int m = layer + 1; m < sizes.Count; m++) count *= sizes[m];
        return throughEveryOutput ? count * sizes[^1] : count;
    }

    static DeltaTerm[] NextTerms(NetworkTrace trace, int layer, int neuron)
    {
        var above = trace.Network.Layers[layer];
        double[] deltaAbove = trace.Deltas[layer];
        var terms = new DeltaTerm[above.OutputSize];
        for (int i = 0; i < terms.Length; i++)
        {
            double w = above.Weight(i, neuron);
            terms[i] = new DeltaTerm(i, w, deltaAbove[i], w * deltaAbove[i]);
        }
        return terms;
    }

    /// <summary>
    /// Depth-first over the neurons of every later layer. A path's factors, from the parameter up:
    /// ∂zˡ_j/∂w, φ′(zˡ_j), Wˡ⁺¹[i,j], φ′(zˡ⁺¹_i), …, then the output's way to the cost — φ′(zᴸ_i) · ∂C/∂aᴸ_i for an
    /// element-wise φ; δᴸ_i = aᴸ_i − y_i for softmax with cross-entropy (the cost owns δ, φ′ cancels); and
    /// ∂aᴸ_m/∂zᴸ_i · ∂C/∂aᴸ_m for every m for softmax with a quadratic cost.
    /// </summary>
    static List<DerivativePath> EnumeratePaths(NetworkTrace trace, ParameterReference parameter)
    {
        var network = trace.Network;
        int last = network.Layers.Count;
        var paths = new List<DerivativePath>();
        var neurons = new List<int>();
        var factors = new List<PathFactor>();
        if (parameter.Input is int k)
        {
            string source = parameter.Layer == 1 ? Symbol($"x[{k}]") : Symbol($"a{parameter.Layer - 1}[{k}]");
            factors.Add(new PathFactor(source, trace.PreviousActivations(parameter.Layer)[k]));
        }
        Walk(parameter.Layer, parameter.Neuron);
        return paths;

        // Neuron `neuron` of layer `l` (1-based) is reached; its z continues to the cost.
        void Walk(int l, int neuron)
        {
            neurons.Add(neuron);
            if (l == last)
            {
                foreach (var term in trace.OutputDeltaTerms(neuron))
                {
                    int before = factors.Count;
                    if (double.IsNaN(term.CostByActivation))
                    {
                        factors.Add(new PathFactor(Symbol($"δ{l}[{neuron}]"), term.Product));
                    }
                    else
                    {
                        string slope = trace.SoftmaxOutput ? Symbol($"∂a{l}[{term.Output}]/∂z{l}[{neuron}]") : Symbol($"φ′(z{l}[{neuron}])");
                        factors.Add(new PathFactor(slope, term.ActivationByWeightedInput));
                        factors.Add(new PathFactor(Symbol($"∂C/∂a{l}[{term.Output}]"), term.CostByActivation));
                    }
                    double product = 1;
                    foreach (var f in factors) product *= f.Value;
                    paths.Add(new DerivativePath(neurons.ToArray(), term.Output, factors.ToArray(), product));
                    factors.RemoveRange(before, factors.Count - before);
                }
            }
            else
            {
                var activation = network.Layers[l - 1].Activation;
                factors.Add(new PathFactor(Symbol($"φ′(z{l}[{neuron}])"), activation.Derivative(trace.WeightedInputs[l - 1][neuron])));
                var above = network.Layers[l];
                for (int i = 0; i < above.OutputSize; i++)
                {
                    factors.Add(new PathFactor(Symbol($"W{l + 1}[{i},{neuron}]"), above.Weight(i, neuron)));
                    Walk(l + 1, i);
                    factors.RemoveAt(factors.Count - 1);
                }
                factors.RemoveAt(factors.Count - 1);
            }
            neurons.RemoveAt(neurons.Count - 1);
        }
    }

    static string Symbol(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
