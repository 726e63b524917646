using Backprop.Checking;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Explaining;

/// <summary>
/// The receipt of one weight or bias on one example of a data set: backpropagation's ∂C/∂w = δˡ_j · aˡ⁻¹_k taken
/// apart (<see cref="Explanation"/>, the same computation as <c>backprop explain --model</c>), and beside it the central
/// finite difference (C(w + h) − C(w − h)) / 2h, which knows nothing of the chain rule. A class label's example has
/// the one-hot target y (the label itself for one output neuron); a regression's example its real targets, with the
/// quadratic cost C_k = Σ_j (aᴸ_j − y_j)² the trainer minimises (targets standardised when the model asks for it).
/// </summary>
public sealed class ParameterReceipt
{
    ParameterReceipt(WeightExplanation explanation, int example, int label, int predicted, double finiteDifference)
    {
        Explanation = explanation;
        Example = example;
        Label = label;
        Predicted = predicted;
        FiniteDifference = finiteDifference;
    }

    /// <summary>h of the finite difference: in double precision the error of the central difference, O(h²) from the
    /// curvature plus O(ε/h) from rounding, is smallest near 1e-5.</summary>
    public const double Step = GradientCheck.DefaultStep;

    /// <summary>The chain rule with the example's numbers.</summary>
    public WeightExplanation Explanation { get; }

    /// <summary>The example's 0-based index in the data it came from.</summary>
    public int Example { get; }

    /// <summary>The example's class; −1 for a regression, whose targets are <c>Explanation.Trace.Target</c>.</summary>
    public int Label { get; }

    /// <summary>The class the network gives the example: the largest output (for one output, 1 when aᴸ ≥ 0.5); −1 for a
    /// regression, whose prediction is the output aᴸ itself.</summary>
    public int Predicted { get; }

    /// <summary>∂C/∂w by backpropagation, δˡ_j · ∂zˡ_j/∂w.</summary>
    public double Derivative => Explanation.Derivative;

    /// <summary>(C(w + h) − C(w − h)) / 2h with h = <see cref="Step"/>, C this example's cost.</summary>
    public double FiniteDifference { get; }

    /// <summary>|backpropagation − finite difference| / max(|both|, 1e-8).</summary>
    public double RelativeDifference => GradientCheck.RelativeError(Derivative, FiniteDifference);

    /// <summary>
    /// The receipt of <paramref name="parameter"/> on example <paramref name="example"/> of <paramref name="data"/>
    /// (examples as the network takes them: features made and standardised), in double precision.
    /// </summary>
    public static ParameterReceipt For(Network<float> network, Dataset data, int example, ParameterReference parameter)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(parameter);
        if (example < 0 || example >= data.Count)
            throw new ArgumentOutOfRangeException(nameof(example), example, $"the data holds examples 0…{data.Count - 1}");
        parameter.CheckIn(network.Architecture);
        var exact = network.Convert<double>();
        var (input, target) = ExampleOf(exact, data, example);
        var trace = NetworkTrace.Compute(exact, input, target);
        var explanation = WeightExplanation.Explain(trace, parameter);

        var layer = exact.Layers[parameter.Layer - 1];
        var (values, index) = parameter.Input is int k ? (layer.Weights, parameter.Neuron * layer.InputSize + k) : (layer.Biases, parameter.Neuron);
        double numeric = GradientCheck.NumericDerivative(exact, values, index, input, target, 1, Step);
        bool classes = data.Task == LearningTask.Classification;
        int predicted = classes ? Targets.Predict<double>(trace.Activations[^1]) : -1;
        return new ParameterReceipt(explanation, example, LabelOf(data, example), predicted, numeric);
    }

    /// <summary>Example <paramref name="example"/> as doubles, x and y (one-hot, or a regression's targets), as <c>explain</c>
    /// builds them.</summary>
    internal static (double[] Input, double[] Target) ExampleOf(Network<double> network, Dataset data, int example)
    {
        if (data.Task == LearningTask.Regression && data.TargetCount != network.OutputSize)
            throw new BackpropException($"the data has {data.TargetCount} targets per example but the network has {network.OutputSize} outputs; explain it on data shaped like the data it was trained on");
        var input = new double[data.FeatureCount];
        var row = data.Example(example);
        for (int i = 0; i < input.Length; i++) input[i] = row[i];
        var y = new float[network.OutputSize];
        data.FillTargets(example, y, network.OutputSize);
        return (input, y.Select(v => (double)v).ToArray());
    }

    /// <summary>The example's class, or −1 for a regression's example.</summary>
    internal static int LabelOf(Dataset data, int example) => data.Task == LearningTask.Classification ? data.Labels[example] : -1;

    /// <summary>
    /// Each example's ∂C_k/∂w for the examples at <paramref name="indices"/> of <paramref name="data"/>, and their mean,
    /// the gradient of a mini-batch of them: ∂C/∂w = (1/m) Σ_k ∂C_k/∂w.
    /// </summary>
    public static BatchDerivative OverBatch(Network<float> network, Dataset data, IReadOnlyList<int> indices, ParameterReference parameter)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.CheckIn(network.Architecture);
        var exact = network.Convert<double>();
        var examples = indices.Select(i =>
        {
            var (input, target) = ExampleOf(exact, data, i);
            return (i, LabelOf(data, i), input, target);
        }).ToArray();
        return BatchDerivative.Compute(exact, parameter, examples);
    }
}
