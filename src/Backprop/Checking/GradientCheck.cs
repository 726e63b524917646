using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Checking;

/// <summary>The worst disagreement in one layer between backpropagation and finite differences.</summary>
public sealed record LayerCheck(int Layer, double WeightError, double BiasError)
{
    public double MaxRelativeError => Math.Max(WeightError, BiasError);
}

public sealed record GradientCheckResult(IReadOnlyList<LayerCheck> Layers, int ParameterCount)
{
    public double MaxRelativeError => Layers.Max(l => l.MaxRelativeError);
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
    public const double DefaultStep = 1e-5;

    public static GradientCheckResult Run(Network<double> network, double[] inputs, double[] targets, int count, double step = DefaultStep)
    {
        var (_, gradients) = network.Backpropagate(inputs, targets, count);
        var layers = new List<LayerCheck>();
        int parameters = 0;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            double weightError = Compare(layer.Weights, gradients.Weights[l]);
            double biasError = Compare(layer.Biases, gradients.Biases[l]);
            layers.Add(new LayerCheck(l + 1, weightError, biasError));
            parameters += layer.Weights.Length + layer.Biases.Length;
        }
        return new GradientCheckResult(layers, parameters);

        double Compare(double[] parameters, double[] analytic)
        {
            double worst = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                double numeric = NumericDerivative(network, parameters, i, inputs, targets, count, step);
                worst = Math.Max(worst, RelativeError(analytic[i], numeric));
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

    public static double RelativeError(double analytic, double numeric) =>
        Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), 1e-8);

    /// <summary>
    /// Builds a seeded random network of <paramref name="architecture"/> (random biases too, so no derivative is
    /// trivially zero) and random data, and checks it.
    /// </summary>
    public static GradientCheckResult Random(Architecture architecture, ulong seed, int examples = 4)
    {
        var network = Network<double>.Initialize(architecture, seed);
        var rng = new Rng(seed + 1);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = rng.NextDouble(-0.5, 0.5);
        var inputs = new double[examples * architecture.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = rng.NextGaussian();
        var labels = new int[examples];
        int classes = architecture.OutputSize == 1 ? 2 : architecture.OutputSize;
        for (int i = 0; i < examples; i++) labels[i] = rng.NextInt(classes);
        return Run(network, inputs, Targets.Create<double>(labels, architecture.OutputSize), examples);
    }
}
