using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;

namespace Backprop.Explaining;

/// <summary>
/// One example through a network in plain doubles, one neuron at a time: every zˡ, aˡ, ∂C/∂aˡ and δˡ = ∂C/∂zˡ,
/// for the cost of this example alone, C_k. Written apart from the batched engine so that it can be checked against it.
/// </summary>
/// <remarks>
/// Lists are indexed by the math's layer number minus one: <c>WeightedInputs[0]</c> is z¹. a⁰ = x is
/// <see cref="Input"/>; <see cref="PreviousActivations"/> gives aˡ⁻¹ for any layer including the first.
/// Backward: δˡ_j = φ′(zˡ_j) · Σ_i Wˡ⁺¹[i,j] δˡ⁺¹_i, the sum over every neuron i of layer l+1 that neuron j feeds;
/// at the output the cost owns δᴸ: quadratic with an element-wise φ gives 2(aᴸ_j − y_j)·φ′(zᴸ_j), softmax with
/// cross-entropy aᴸ_j − y_j, softmax with quadratic Σ_m 2(aᴸ_m − y_m)·aᴸ_m(1[m = j] − aᴸ_j).
/// </remarks>
public sealed class NetworkTrace
{
    NetworkTrace(Network<double> network, double[] input, double[] target)
    {
        Network = network;
        Input = input;
        Target = target;
        int layerCount = network.Layers.Count;
        var z = new double[layerCount][];
        var a = new double[layerCount][];
        var costByActivation = new double[layerCount][];
        var delta = new double[layerCount][];
        WeightedInputs = z;
        Activations = a;
        CostByActivations = costByActivation;
        Deltas = delta;

        double[] previous = input;
        for (int l = 0; l < layerCount; l++)
        {
            var layer = network.Layers[l];
            z[l] = new double[layer.OutputSize];
            for (int j = 0; j < layer.OutputSize; j++)
            {
                double sum = layer.Biases[j];
                for (int k = 0; k < layer.InputSize; k++) sum += layer.Weight(j, k) * previous[k];
                z[l][j] = sum;
            }
            a[l] = layer.Activation == Activation.Softmax ? Softmax(z[l]) : z[l].Select(layer.Activation.Apply).ToArray();
            previous = a[l];
        }

        int last = layerCount - 1;
        var cost = network.Architecture.Cost;
        double[] output = a[last], y = target;
        Cost = cost == Costs.Cost.Quadratic
            ? output.Select((aj, j) => (aj - y[j]) * (aj - y[j])).Sum()
            : -LogSoftmax(z[last]).Select((lj, j) => y[j] == 0 ? 0 : y[j] * lj).Sum();

        // ∂C/∂aᴸ: 2(a − y) for quadratic, −y/a for cross-entropy (where a = 0 and y = 0 the term is absent: 0).
        costByActivation[last] = cost == Costs.Cost.Quadratic
            ? output.Select((aj, j) => 2 * (aj - y[j])).ToArray()
            : output.Select((aj, j) => y[j] == 0 ? 0 : -y[j] / aj).ToArray();
        delta[last] = new double[output.Length];
        for (int j = 0; j < output.Length; j++) delta[last][j] = OutputDeltaTerms(j).Sum(t => t.Product);

        for (int l = last - 1; l >= 0; l--)
        {
            var above = network.Layers[l + 1];
            var activation = network.Layers[l].Activation;
            costByActivation[l] = new double[above.InputSize];
            delta[l] = new double[above.InputSize];
            for (int j = 0; j < above.InputSize; j++)
            {
                double sum = 0;
                for (int i = 0; i < above.OutputSize; i++) sum += above.Weight(i, j) * delta[l + 1][i];
                costByActivation[l][j] = sum;
                delta[l][j] = activation.Derivative(z[l][j]) * sum;
            }
        }
    }

    /// <summary>The network in double precision.</summary>
    public Network<double> Network { get; }

    /// <summary>x = a⁰, (n⁰).</summary>
    public double[] Input { get; }

    /// <summary>y, (nᴸ).</summary>
    public double[] Target { get; }

    /// <summary>C_k of this example: Σ_j (aᴸ_j − y_j)² or −Σ_j y_j ln aᴸ_j.</summary>
    public double Cost { get; }

    /// <summary>WeightedInputs[l − 1] = zˡ.</summary>
    public IReadOnlyList<double[]> WeightedInputs { get; }

    /// <summary>Activations[l − 1] = aˡ.</summary>
    public IReadOnlyList<double[]> Activations { get; }

    /// <summary>CostByActivations[l − 1] = ∂C/∂aˡ; below the output, ∂C/∂aˡ_j = Σ_i Wˡ⁺¹[i,j] δˡ⁺¹_i.</summary>
    public IReadOnlyList<double[]> CostByActivations { get; }

    /// <summary>Deltas[l − 1] = δˡ = ∂C/∂zˡ.</summary>
    public IReadOnlyList<double[]> Deltas { get; }

    /// <summary>The output activation φᴸ is softmax, which couples the output neurons.</summary>
    public bool SoftmaxOutput => Network.Layers[^1].Activation == Activation.Softmax;

    /// <summary>aˡ⁻¹ for layer l (1-based): x for the first layer.</summary>
    public double[] PreviousActivations(int layer) => layer == 1 ? Input : Activations[layer - 2];

    /// <summary>Runs the example forward and backward.</summary>
    /// <param name="network">The network, in double precision.</param>
    /// <param name="input">x, (n⁰), already standardised if the model asks for it.</param>
    /// <param name="target">y, (nᴸ): one-hot, or the label itself for a single output neuron.</param>
    public static NetworkTrace Compute(Network<double> network, IReadOnlyList<double> input, IReadOnlyList<double> target)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Count != network.InputSize)
            throw new BackpropException($"the network takes {network.InputSize} inputs, the example has {input.Count}; use data with {network.InputSize} features");
        if (target.Count != network.OutputSize)
            throw new BackpropException($"the network has {network.OutputSize} outputs, the target has {target.Count} values");
        return new NetworkTrace(network, input.ToArray(), target.ToArray());
    }

    /// <summary>
    /// The terms whose sum is δᴸ_j, one per output neuron m through which zᴸ_j reaches the cost. Element-wise φ: one
    /// term, ∂C/∂a_j · φ′(z_j). Softmax with cross-entropy: one term, a_j − y_j (the cost owns δ; φ′ cancels).
    /// Softmax with quadratic: for every m, ∂C/∂a_m · ∂a_m/∂z_j with ∂a_m/∂z_j = a_m(1[m = j] − a_j).
    /// </summary>
    public IReadOnlyList<OutputTerm> OutputDeltaTerms(int neuron)
    {
        int last = Network.Layers.Count - 1;
        var layer = Network.Layers[last];
        double[] a = Activations[last], z = WeightedInputs[last], g = CostByActivations[last];
        if (layer.Activation != Activation.Softmax)
        {
            double slope = layer.Activation.Derivative(z[neuron]);
            return [new OutputTerm(neuron, g[neuron], slope, g[neuron] * slope)];
        }
        if (Network.Architecture.Cost == Costs.Cost.CrossEntropy)
            return [new OutputTerm(neuron, double.NaN, double.NaN, a[neuron] - Target[neuron])];
        var terms = new OutputTerm[a.Length];
        for (int m = 0; m < a.Length; m++)
        {
            double local = a[m] * ((m == neuron ? 1.0 : 0.0) - a[neuron]);
            terms[m] = new OutputTerm(m, g[m], local, g[m] * local);
        }
        return terms;
    }

    static double[] Softmax(double[] z)
    {
        double m = z.Max();
        double[] e = z.Select(v => Math.Exp(v - m)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>ln softmax(z)_j = z_j − m − ln Σ_i e^(z_i − m): finite where softmax itself rounds to 0.</summary>
    static double[] LogSoftmax(double[] z)
    {
        double m = z.Max();
        double logSum = Math.Log(z.Sum(v => Math.Exp(v - m)));
        return z.Select(v => v - m - logSum).ToArray();
    }
}

/// <summary>
/// One term of δᴸ_j: through output neuron <paramref name="Output"/>, ∂C/∂a_m · ∂a_m/∂z_j = <paramref name="Product"/>.
/// For softmax with cross-entropy the two factors are NaN and <paramref name="Product"/> is a_j − y_j.
/// </summary>
public sealed record OutputTerm(int Output, double CostByActivation, double ActivationByWeightedInput, double Product);
