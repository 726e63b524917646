using Backprop.Activations;
using Backprop.Checking;
using Backprop.Costs;
using Backprop.Explaining;
using Backprop.Layers;
using Backprop.Tests.Autodiff;
using Backprop.Training;

namespace Backprop.Tests.Explaining;

public class WeightExplanationTests
{
    static readonly string[] Hidden = ["sigmoid", "tanh", "relu", "leaky-relu", "identity"];
    static readonly (string Output, string Cost)[] Outputs =
    [
        ("sigmoid", "quadratic"), ("tanh", "quadratic"), ("relu", "quadratic"), ("leaky-relu", "quadratic"),
        ("identity", "quadratic"), ("softmax", "quadratic"), ("softmax", "cross-entropy"),
    ];

    /// <summary>Every hidden activation with every output activation and cost the engine accepts, on two shapes.</summary>
    public static TheoryData<int[], string, string, string> Networks()
    {
        var data = new TheoryData<int[], string, string, string>();
        foreach (var hidden in Hidden)
            foreach (var (output, cost) in Outputs)
            {
                data.Add([3, 4, 3, 2], hidden, output, cost);
                if (output != "softmax") data.Add([2, 3, 1], hidden, output, cost); // a single output neuron
            }
        return data;
    }

    static (Network<double> Network, double[] Input, double[] Target) RandomExample(int[] sizes, string hidden, string output, string cost, ulong seed)
    {
        var architecture = new Architecture(sizes, Activation.Parse(hidden), Activation.Parse(output), Cost.Parse(cost)).Validate();
        var network = Network<double>.Initialize(architecture, seed);
        var rng = new Rng(seed + 7);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = rng.NextDouble(-0.5, 0.5);
        var input = Enumerable.Range(0, sizes[0]).Select(_ => rng.NextDouble(-2, 2)).ToArray();
        int label = rng.NextInt(sizes[^1] == 1 ? 2 : sizes[^1]);
        return (network, input, Targets.Create<double>([label], sizes[^1]));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_sum_over_every_path_equals_backpropagation_for_every_weight_and_bias(int[] sizes, string hidden, string output, string cost)
    {
        var (network, input, target) = RandomExample(sizes, hidden, output, cost, seed: 31);
        var trace = NetworkTrace.Compute(network, input, target);
        var (batchCost, gradients) = network.Backpropagate(input, target, 1);
        Numeric.Close(batchCost, trace.Cost, 1e-12, "C_k: trace vs batched engine");

        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            for (int j = 0; j < layer.OutputSize; j++)
            {
                for (int k = 0; k < layer.InputSize; k++)
                {
                    var e = WeightExplanation.Explain(trace, new ParameterReference(l + 1, j, k), listPaths: true);
                    string at = $"W{l + 1}[{j},{k}] of {string.Join(",", sizes)} {hidden}/{output}/{cost}";
                    Numeric.Close(gradients.Weights[l][j * layer.InputSize + k], e.Derivative, 1e-9, $"{at}: δ·a vs the batched engine");
                    Numeric.Close(e.Derivative, e.PathSum!.Value, 1e-9, $"{at}: path sum vs δ·a");
                    Assert.Equal((int)e.PathCount, e.Paths!.Count);
                }
                var bias = WeightExplanation.Explain(trace, new ParameterReference(l + 1, j, null), listPaths: true);
                string where = $"b{l + 1}[{j}] of {string.Join(",", sizes)} {hidden}/{output}/{cost}";
                Numeric.Close(gradients.Biases[l][j], bias.Derivative, 1e-9, $"{where}: δ vs the batched engine");
                Numeric.Close(bias.Derivative, bias.PathSum!.Value, 1e-9, $"{where}: path sum vs δ");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Delta_is_the_slope_times_the_sum_of_the_next_layers_influences(int[] sizes, string hidden, string output, string cost)
    {
        var (network, input, target) = RandomExample(sizes, hidden, output, cost, seed: 57);
        var trace = NetworkTrace.Compute(network, input, target);
        for (int l = 1; l < network.Layers.Count; l++) // hidden layers
        {
            var above = network.Layers[l];
            for (int j = 0; j < network.Layers[l - 1].OutputSize; j++)
            {
                var e = WeightExplanation.Explain(trace, new ParameterReference(l, j, 0));
                Assert.Equal(above.OutputSize, e.NextLayerTerms.Count);
                Assert.Empty(e.OutputTerms);
                for (int i = 0; i < above.OutputSize; i++)
                {
                    var t = e.NextLayerTerms[i];
                    Assert.Equal(i, t.Neuron);
                    Numeric.Same(above.Weight(i, j), t.Weight, $"W{l + 1}[{i},{j}]");
                    Numeric.Same(trace.Deltas[l][i], t.Delta, $"δ{l + 1}[{i}]");
                    Numeric.Close(t.Weight * t.Delta, t.Product, 1e-15, $"term {i}");
                }
                Numeric.Close(e.NextLayerTerms.Sum(t => t.Product), e.CostByActivation, 1e-12, $"∂C/∂a{l}[{j}] = Σ terms");
                Numeric.Close(e.ActivationSlope * e.CostByActivation, e.Delta, 1e-12, $"δ{l}[{j}] = φ′ · ∂C/∂a");
            }
        }
        int last = network.Layers.Count;
        for (int j = 0; j < sizes[^1]; j++)
        {
            var e = WeightExplanation.Explain(trace, new ParameterReference(last, j, null));
            Assert.True(e.IsOutputLayer);
            Assert.Empty(e.NextLayerTerms);
            Numeric.Close(e.OutputTerms.Sum(t => t.Product), e.Delta, 1e-12, $"δ{last}[{j}] = Σ output terms");
        }
    }

    [Fact]
    public void Backpropagated_derivatives_agree_with_central_differences()
    {
        var (network, input, target) = RandomExample([3, 4, 3, 2], "tanh", "softmax", "cross-entropy", seed: 5);
        var trace = NetworkTrace.Compute(network, input, target);
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            for (int i = 0; i < layer.Weights.Length; i++)
            {
                var e = WeightExplanation.Explain(trace, new ParameterReference(l + 1, i / layer.InputSize, i % layer.InputSize));
                double numeric = GradientCheck.NumericDerivative(network, layer.Weights, i, input, target, 1);
                Numeric.Close(numeric, e.Derivative, 1e-6, $"W{l + 1} entry {i} vs finite difference");
            }
        }
    }

    [Fact]
    public void On_a_one_neuron_network_it_agrees_with_the_chain_explanation()
    {
        var architecture = new Architecture([1, 1, 1, 1], Activation.Sigmoid, Activation.Sigmoid, Cost.Quadratic).Validate();
        double[] w = [0.8, -0.4, 1.1], b = [0.1, 0.2, -0.3];
        var layers = Enumerable.Range(0, 3).Select(l => new Layer<double>(1, 1, Activation.Sigmoid, [w[l]], [b[l]])).ToArray();
        var network = new Network<double>(architecture, layers);
        var trace = NetworkTrace.Compute(network, [1.5], [0.5]);
        var chain = ChainExplanation.Compute(1.5, 0.5, w, b);
        Numeric.Close(chain.Cost, trace.Cost, 1e-12, "C");
        for (int l = 1; l <= 3; l++)
        {
            var e = WeightExplanation.Explain(trace, new ParameterReference(l, 0, 0), listPaths: true);
            Numeric.Close(chain.Layers[l - 1].CostByWeight, e.Derivative, 1e-12, $"∂C/∂w{l}");
            Numeric.Close(chain.Layers[l - 1].CostByWeightedInput, e.Delta, 1e-12, $"δ{l}");
            Assert.Single(e.Paths!);
            // The one path's factors are the seeds' expanded chain, read from the weight up.
            var expanded = chain.ExpandedFactors(l).Reverse().ToArray();
            Assert.Equal(expanded.Length, e.Paths![0].Factors.Count);
            for (int f = 0; f < expanded.Length; f++)
                Numeric.Close(expanded[f], e.Paths[0].Factors[f].Value, 1e-12, $"factor {f} ({e.Paths[0].Factors[f].Symbol}) of w{l}'s path");
        }
    }

    [Fact]
    public void Paths_are_named_in_the_seeds_notation()
    {
        var (network, input, target) = RandomExample([2, 2, 2], "tanh", "sigmoid", "quadratic", seed: 3);
        var e = WeightExplanation.Explain(NetworkTrace.Compute(network, input, target), new ParameterReference(1, 1, 0), listPaths: true);
        Assert.Equal(2, e.Paths!.Count);
        Assert.Equal(["x[0]", "φ′(z1[1])", "W2[0,1]", "φ′(z2[0])", "∂C/∂a2[0]"], e.Paths[0].Factors.Select(f => f.Symbol));
        Assert.Equal([1, 0], e.Paths[0].Neurons);
        Assert.Equal([1, 1], e.Paths[1].Neurons);
    }

    [Fact]
    public void Softmax_with_cross_entropy_ends_each_path_at_the_costs_own_delta()
    {
        var (network, input, target) = RandomExample([2, 3, 2], "tanh", "softmax", "cross-entropy", seed: 3);
        var trace = NetworkTrace.Compute(network, input, target);
        var e = WeightExplanation.Explain(trace, new ParameterReference(2, 1, 2), listPaths: true);
        var path = Assert.Single(e.Paths!);
        Assert.Equal(["a1[2]", "δ2[1]"], path.Factors.Select(f => f.Symbol));
        Numeric.Close(trace.Activations[1][1] - target[1], e.Delta, 1e-15, "δ = a − y");
    }

    [Fact]
    public void Softmax_with_a_quadratic_cost_reaches_the_cost_through_every_output()
    {
        var (network, input, target) = RandomExample([2, 3, 3], "sigmoid", "softmax", "quadratic", seed: 8);
        var trace = NetworkTrace.Compute(network, input, target);
        var e = WeightExplanation.Explain(trace, new ParameterReference(1, 0, 1), listPaths: true);
        Assert.Equal(3 * 3, (int)e.PathCount); // 3 neurons of layer 2, each through all 3 softmax outputs
        Assert.Equal(9, e.Paths!.Count);
        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], e.Paths.Select(p => p.Output));
    }

    [Fact]
    public void Path_counts_multiply_the_widths_of_the_later_layers()
    {
        Assert.Equal(30 * 10, (int)WeightExplanation.CountPaths([784, 100, 30, 10], 1, false));
        Assert.Equal(10, (int)WeightExplanation.CountPaths([784, 100, 30, 10], 2, false));
        Assert.Equal(1, (int)WeightExplanation.CountPaths([784, 100, 30, 10], 3, false));
        Assert.Equal(30 * 10 * 10, (int)WeightExplanation.CountPaths([784, 100, 30, 10], 1, true));
    }

    [Fact]
    public void Listing_more_than_ten_thousand_paths_is_refused_with_the_count()
    {
        var (network, input, target) = RandomExample([2, 1, 200, 200, 2], "tanh", "softmax", "cross-entropy", seed: 1);
        var trace = NetworkTrace.Compute(network, input, target);
        var error = Assert.Throws<BackpropException>(() => WeightExplanation.Explain(trace, new ParameterReference(1, 0, 0), listPaths: true));
        Assert.Contains("80000 paths", error.Message);
        Assert.Contains("leave out listPaths", error.Message);
        // Without the listing the same weight is explained, and one nearer the output can be listed.
        Assert.Equal(80000, (int)WeightExplanation.Explain(trace, new ParameterReference(1, 0, 0)).PathCount);
        Assert.Equal(2, WeightExplanation.Explain(trace, new ParameterReference(3, 5, 7), listPaths: true).Paths!.Count);
    }

    [Fact]
    public void Parameters_parse_from_the_command_line_notation()
    {
        Assert.Equal(new ParameterReference(2, 0, 1), ParameterReference.ParseWeight("2:0:1"));
        Assert.Equal(new ParameterReference(3, 4, null), ParameterReference.ParseBias(" 3 : 4 "));
        Assert.Equal("W2[0,1]", new ParameterReference(2, 0, 1).ToString());
        Assert.Equal("b3[4]", new ParameterReference(3, 4, null).ToString());
        Assert.Contains("L:J:K", Assert.Throws<BackpropException>(() => ParameterReference.ParseWeight("2:0")).Message);
        Assert.Contains("L:J", Assert.Throws<BackpropException>(() => ParameterReference.ParseBias("2:x")).Message);
    }

    [Theory]
    [InlineData(0, 0, 0, "layer 0 does not exist")]
    [InlineData(3, 0, 0, "layer 3 does not exist")]
    [InlineData(1, 3, 0, "layer 1 has 3 neuron(s), so J must be 0…2")]
    [InlineData(1, 0, 2, "the input has 2 feature(s), so K must be 0…1")]
    [InlineData(2, 0, 3, "layer 1 has 3 neuron(s), so K must be 0…2")]
    [InlineData(2, -1, 0, "J must be 0…1")]
    public void Parameters_outside_the_network_are_refused_with_the_range(int layer, int neuron, int input, string expected)
    {
        var architecture = new Architecture([2, 3, 2], Activation.Relu, Activation.Softmax, Cost.CrossEntropy);
        var error = Assert.Throws<BackpropException>(() => new ParameterReference(layer, neuron, input).CheckIn(architecture));
        Assert.Contains(expected, error.Message);
    }
}
