using Backprop.Activations;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Checking;

/// <summary>The worst disagreement in one layer between backpropagation and finite differences.</summary>
public sealed record LayerCheck(int Layer, double WeightError, double BiasError)
{
    /// <summary>The larger of the two errors.</summary>
    public double MaxRelativeError => Math.Max(WeightError, BiasError);
}

/// <summary>The result of a gradient check: each weighted layer's worst relative error, and how many parameters were compared.</summary>
public sealed record GradientCheckResult(IReadOnlyList<LayerCheck> Layers, int ParameterCount)
{
    /// <summary>The worst relative error of any layer: the check passes when it is below its tolerance.</summary>
    public double MaxRelativeError => Layers.Max(l => l.MaxRelativeError);
}

/// <summary>One parameter's two derivatives, for `gradcheck --verbose`: Layer is 1-based, Neuron and Input 0-based
/// (Input null for a bias), as in <see cref="Backprop.Explaining.ParameterReference"/>.</summary>
public sealed record ParameterCheck(int Layer, int Neuron, int? Input, double Backpropagation, double Numeric, double RelativeError)
{
    /// <summary>The parameter as the CLI prints it: <c>W2[0,1]</c> or <c>b2[0]</c>.</summary>
    public string Name => Input is int k ? $"W{Layer}[{Neuron},{k}]" : $"b{Layer}[{Neuron}]";
}

/// <summary>
/// Checks every ∂C/∂w and ∂C/∂b that backpropagation gives against the central difference
/// (C(w + h) − C(w − h)) / 2h, in double precision, where its error is O(h²) plus rounding of O(ε·C/h):
/// h = 1e-5 balances the two (≈1e-10 each), and is small enough that a ReLU kink is rarely straddled.
/// The relative error is |backprop − numeric| / max(|backprop|, |numeric|, 1e-8): the floor keeps two
/// gradients that are both zero up to rounding from counting as a disagreement.
/// </summary>
public static class GradientCheck
{
    /// <summary>h of the central difference: 1e-5 (see the class summary for why).</summary>
    public const double DefaultStep = 1e-5;

    /// <summary>Checks every parameter of <paramref name="network"/> on the batch; when <paramref name="details"/> is given it
    /// receives every parameter's backpropagated and numeric derivative, layer by layer, weights row by row, then biases.</summary>
    public static GradientCheckResult Run(Network<double> network, double[] inputs, double[] targets, int count, double step = DefaultStep,
        ICollection<ParameterCheck>? details = null)
    {
        var (_, gradients) = network.Backpropagate(inputs, targets, count);
        var layers = new List<LayerCheck>();
        int parameters = 0;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            double weightError = Compare(layer.Weights, gradients.Weights[l], l, layer.InputSize);
            double biasError = Compare(layer.Biases, gradients.Biases[l], l, 0);
            layers.Add(new LayerCheck(l + 1, weightError, biasError));
            parameters += layer.Weights.Length + layer.Biases.Length;
        }
        return new GradientCheckResult(layers, parameters);

        // inputSize 0: biases, one per neuron.
        double Compare(double[] parameters, double[] analytic, int layer, int inputSize)
        {
            double worst = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                double numeric = NumericDerivative(network, parameters, i, inputs, targets, count, step);
                double error = RelativeError(analytic[i], numeric);
                worst = Math.Max(worst, error);
                details?.Add(inputSize == 0
                    ? new ParameterCheck(layer + 1, i, null, analytic[i], numeric, error)
                    : new ParameterCheck(layer + 1, i / inputSize, i % inputSize, analytic[i], numeric, error));
            }
            return worst;
        }
    }

    /// <summary>(C(p + h) − C(p − h)) / 2h for parameter <paramref name="index"/> of <paramref name="parameters"/>.</summary>
    public static double NumericDerivative(Network<double> network, double[] parameters, int index, double[] inputs, double[] targets, int count, double step = DefaultStep)
    {
        double original = parameters[index];
        parameters[index] = original + step;
        double plus = network.Cost(inputs, targets, count);
        parameters[index] = original - step;
        double minus = network.Cost(inputs, targets, count);
        parameters[index] = original;
        return (plus - minus) / (2 * step);
    }

    /// <summary>|analytic − numeric| / max(|analytic|, |numeric|, 1e-8).</summary>
    public static double RelativeError(double analytic, double numeric) =>
        Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), 1e-8);

    /// <summary>
    /// Builds a seeded random network of <paramref name="architecture"/> (random biases too, so no derivative is
    /// trivially zero) and random data, and checks it.
    /// </summary>
    public static GradientCheckResult Random(Architecture architecture, ulong seed, int examples = 4, ICollection<ParameterCheck>? details = null,
        Activation? broken = null)
    {
        var network = Network<double>.Initialize(architecture, seed);
        if (broken != null) network = Break(network, broken);
        var rng = new Rng(seed + 1);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = rng.NextDouble(-0.5, 0.5);
        var inputs = new double[examples * architecture.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = rng.NextGaussian();
        var labels = new int[examples];
        int classes = architecture.OutputSize == 1 ? 2 : architecture.OutputSize;
        for (int i = 0; i < examples; i++) labels[i] = rng.NextInt(classes);
        return Run(network, inputs, Targets.Create<double>(labels, architecture.OutputSize), examples, DefaultStep, details);
    }

    /// <summary>
    /// The same network, weights and all, with every hidden layer whose activation is <paramref name="activation"/> given
    /// a <see cref="BrokenDerivative"/> of it: what a slip in φ′ looks like to the check.
    /// </summary>
    public static Network<double> Break(Network<double> network, Activation activation)
    {
        if (activation.OutputOnly)
            throw new BackpropException($"GradientCheck.Break {activation.Name}: {activation.Name} has no element-wise φ′ to break; break a hidden activation: sigmoid, tanh, relu, leaky-relu or identity");
        var layers = network.Layers.Select((layer, l) => l < network.Layers.Count - 1 && layer.Activation == activation
            ? new Layer<double>(layer.InputSize, layer.OutputSize, new BrokenDerivative(activation), layer.Weights, layer.Biases)
            : layer).ToArray();
        if (layers.SequenceEqual(network.Layers))
            throw new BackpropException($"GradientCheck.Break {activation.Name}: no hidden layer of {network.Architecture.SizesText} uses {activation.Name} " +
                $"(they use {network.Architecture.HiddenActivationsText}); break one of those, or set Architecture.HiddenActivations {activation.Name}");
        return new Network<double>(network.Architecture, layers);
    }
}
