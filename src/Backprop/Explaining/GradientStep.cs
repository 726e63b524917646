using Backprop.Layers;

namespace Backprop.Explaining;

/// <summary>One example's part of the mini-batch gradient: its cost C_k and ∂C_k/∂w for the explained parameter
/// (<paramref name="Label"/> its class, −1 for a regression's example).</summary>
public sealed record ExampleDerivative(int Index, int Label, double Cost, double Derivative);

/// <summary>
/// The averaging idea with numbers: the cost of a mini-batch is the mean C = (1/m) Σ_k C_k of its examples' costs, so
/// its gradient is the mean of theirs, ∂C/∂w = (1/m) Σ_k ∂C_k/∂w — what <see cref="Network{T}.Backpropagate"/> (and so
/// the trainer) computes for a batch of those examples.
/// </summary>
public sealed class BatchDerivative
{
    BatchDerivative(ParameterReference parameter, double value, IReadOnlyList<ExampleDerivative> examples)
    {
        Parameter = parameter;
        Value = value;
        Examples = examples;
        MeanCost = examples.Average(e => e.Cost);
        MeanDerivative = examples.Average(e => e.Derivative);
    }

    /// <summary>The parameter whose derivative is explained.</summary>
    public ParameterReference Parameter { get; }
    /// <summary>The parameter's value in the network.</summary>
    public double Value { get; }
    /// <summary>Each example's cost C_k and ∂C_k/∂w.</summary>
    public IReadOnlyList<ExampleDerivative> Examples { get; }
    /// <summary>C = (1/m) Σ_k C_k.</summary>
    public double MeanCost { get; }
    /// <summary>∂C/∂w = (1/m) Σ_k ∂C_k/∂w.</summary>
    public double MeanDerivative { get; }

    /// <summary>Each example's trace on its own (one forward and backward pass each), then the means.</summary>
    public static BatchDerivative Compute(Network<double> network, ParameterReference parameter,
        IReadOnlyList<(int Index, int Label, double[] Input, double[] Target)> examples)
    {
        if (examples.Count == 0) throw new BackpropException("no examples to average; give at least one");
        var rows = new ExampleDerivative[examples.Count];
        double value = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            var (index, label, input, target) = examples[i];
            var explanation = WeightExplanation.Explain(NetworkTrace.Compute(network, input, target), parameter);
            rows[i] = new ExampleDerivative(index, label, explanation.Trace.Cost, explanation.Derivative);
            value = explanation.Value;
        }
        return new BatchDerivative(parameter, value, rows);
    }
}

/// <summary>
/// One plain gradient-descent step (SGD, no momentum) on the mean cost of some examples: every weight and bias
/// θ ← θ − η·∂C/∂θ, then the cost again with the new parameters.
/// </summary>
public sealed record GradientStep(double LearningRate, ParameterReference Parameter, double Before, double Derivative, double After,
    double CostBefore, double CostAfter)
{
    /// <summary>Steps a copy of <paramref name="network"/>; the network itself is left as it was. <paramref name="inputs"/> is
    /// (count × inputs) and <paramref name="targets"/> (count × outputs), row-major.</summary>
    public static GradientStep Take(Network<double> network, ParameterReference parameter, double learningRate, double[] inputs, double[] targets, int count)
    {
        var (costBefore, gradients) = network.Backpropagate(inputs, targets, count);
        var stepped = network.Clone();
        for (int l = 0; l < stepped.Layers.Count; l++)
        {
            var layer = stepped.Layers[l];
            for (int i = 0; i < layer.Weights.Length; i++) layer.Weights[i] -= learningRate * gradients.Weights[l][i];
            for (int i = 0; i < layer.Biases.Length; i++) layer.Biases[i] -= learningRate * gradients.Biases[l][i];
        }
        double costAfter = stepped.Cost(inputs, targets, count);
        var (values, derivatives, after) = parameter.IsBias
            ? (network.Layers[parameter.Layer - 1].Biases, gradients.Biases[parameter.Layer - 1], stepped.Layers[parameter.Layer - 1].Biases)
            : (network.Layers[parameter.Layer - 1].Weights, gradients.Weights[parameter.Layer - 1], stepped.Layers[parameter.Layer - 1].Weights);
        int at = parameter.IsBias ? parameter.Neuron : parameter.Neuron * network.Layers[parameter.Layer - 1].InputSize + parameter.Input!.Value;
        return new GradientStep(learningRate, parameter, values[at], derivatives[at], after[at], costBefore, costAfter);
    }
}
