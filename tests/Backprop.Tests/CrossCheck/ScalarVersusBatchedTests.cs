using Backprop.Activations;
using Backprop.Autodiff;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Tests.Autodiff;
using Backprop.Training;

namespace Backprop.Tests.CrossCheck;

/// <summary>
/// Two engines, one answer: a network of scalar <see cref="Value"/> neurons (the teaching engine) and the batched
/// <see cref="Network{T}"/> in double give the same mean cost and every ∂C/∂w, ∂C/∂b to 1e-12.
/// </summary>
public class ScalarVersusBatchedTests
{
    const double Tolerance = 1e-12;

    static readonly string[] Hidden = ["sigmoid", "tanh", "relu", "leaky-relu", "identity"];
    static readonly (string Output, string Cost)[] Outputs =
    [
        ("sigmoid", "quadratic"), ("tanh", "quadratic"), ("relu", "quadratic"), ("leaky-relu", "quadratic"),
        ("identity", "quadratic"), ("softmax", "quadratic"), ("softmax", "cross-entropy"),
    ];

    /// <summary>Every activation/cost combination the batched engine accepts, on several shapes and batch sizes.</summary>
    public static TheoryData<int[], string, string, string, int> Combinations()
    {
        var data = new TheoryData<int[], string, string, string, int>();
        foreach (var hidden in Hidden)
            foreach (var (output, cost) in Outputs)
            {
                data.Add([3, 4, 2], hidden, output, cost, 1);
                data.Add([2, 5, 3, 3], hidden, output, cost, 4);
                if (output != "softmax") data.Add([3, 2, 1], hidden, output, cost, 3); // a single output neuron
            }
        data.Add([1, 1], "sigmoid", "sigmoid", "quadratic", 1); // no hidden layer, one neuron
        data.Add([4, 3], "tanh", "softmax", "cross-entropy", 5); // no hidden layer, softmax
        data.Add([2, 3, 3, 3, 2], "tanh", "sigmoid", "quadratic", 2); // deeper
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Scalar_neurons_give_the_batched_cost_and_gradient(int[] sizes, string hidden, string output, string cost, int examples)
    {
        var architecture = new Architecture(sizes, Activation.Parse(hidden), Activation.Parse(output), Cost.Parse(cost)).Validate();
        var network = Network<double>.Initialize(architecture, 1234);
        var rng = new Rng(99);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = rng.NextDouble(-0.5, 0.5);
        var inputs = Enumerable.Range(0, examples * sizes[0]).Select(_ => rng.NextDouble(-2, 2)).ToArray();
        var labels = Enumerable.Range(0, examples).Select(_ => rng.NextInt(sizes[^1] == 1 ? 2 : sizes[^1])).ToArray();
        var targets = Targets.Create<double>(labels, sizes[^1]);

        var (batchCost, gradients) = network.Backpropagate(inputs, targets, examples);

        var activations = Enumerable.Range(0, architecture.LayerCount).Select(l => architecture.ActivationOf(l).Name).ToArray();
        var scalar = new ScalarNetwork(sizes, network.Layers.Select(l => l.Weights).ToArray(), network.Layers.Select(l => l.Biases).ToArray(), activations, cost);
        var rows = Enumerable.Range(0, examples).Select(n => inputs.AsSpan(n * sizes[0], sizes[0]).ToArray()).ToArray();
        var targetRows = Enumerable.Range(0, examples).Select(n => targets.AsSpan(n * sizes[^1], sizes[^1]).ToArray()).ToArray();
        Value scalarCost = scalar.Cost(rows, targetRows);

        string shape = $"{string.Join(",", sizes)} {hidden}/{output}/{cost}, {examples} example(s)";
        Numeric.Close(batchCost, scalarCost.Data, Tolerance, $"cost of {shape}");
        for (int l = 0; l < network.Layers.Count; l++)
        {
            for (int i = 0; i < gradients.Weights[l].Length; i++)
                Numeric.Close(gradients.Weights[l][i], scalar.Weights[l][i].Gradient, Tolerance, $"∂C/∂W{l + 1} entry {i} of {shape}");
            for (int j = 0; j < gradients.Biases[l].Length; j++)
                Numeric.Close(gradients.Biases[l][j], scalar.Biases[l][j].Gradient, Tolerance, $"∂C/∂b{l + 1}[{j}] of {shape}");
        }
    }

    [Fact]
    public void A_wrong_derivative_would_be_caught()
    {
        // The comparison is sharp enough to see a single weight's gradient off by one part in a billion.
        var architecture = new Architecture([2, 3, 2], Activation.Tanh, Activation.Sigmoid, Cost.Quadratic).Validate();
        var network = Network<double>.Initialize(architecture, 7);
        double[] inputs = [0.5, -1.0], targets = [1, 0];
        var (_, gradients) = network.Backpropagate(inputs, targets, 1);
        var scalar = new ScalarNetwork([2, 3, 2], network.Layers.Select(l => l.Weights).ToArray(), network.Layers.Select(l => l.Biases).ToArray(),
            ["tanh", "sigmoid"], "quadratic");
        scalar.Cost([inputs], [targets]);
        double exact = scalar.Weights[0][1].Gradient;
        Numeric.Close(gradients.Weights[0][1], exact, Tolerance, "unchanged");
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Numeric.Close(gradients.Weights[0][1] + 1e-9, exact, Tolerance, "nudged"));
    }
}
