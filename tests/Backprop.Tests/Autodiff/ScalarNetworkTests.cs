using Backprop.Autodiff;

namespace Backprop.Tests.Autodiff;

public class ScalarNetworkTests
{
    sealed record Setup(int[] Sizes, string[] Activations, string Cost, double[][] Weights, double[][] Biases,
        double[][] Inputs, double[][] Targets)
    {
        public ScalarNetwork Build() => new(Sizes, Weights, Biases, Activations, Cost);
    }

    static Setup RandomSetup(int[] sizes, string[] activations, string cost, int examples, ulong seed)
    {
        var rng = new Rng(seed);
        int layers = sizes.Length - 1;
        var weights = new double[layers][];
        var biases = new double[layers][];
        for (int l = 0; l < layers; l++)
        {
            weights[l] = Enumerable.Range(0, sizes[l + 1] * sizes[l]).Select(_ => rng.NextDouble(-1, 1)).ToArray();
            biases[l] = Enumerable.Range(0, sizes[l + 1]).Select(_ => rng.NextDouble(-0.5, 0.5)).ToArray();
        }
        var inputs = new double[examples][];
        var targets = new double[examples][];
        int outputs = sizes[^1];
        for (int n = 0; n < examples; n++)
        {
            inputs[n] = Enumerable.Range(0, sizes[0]).Select(_ => rng.NextDouble(-2, 2)).ToArray();
            if (activations[^1] == "softmax")
            {
                targets[n] = new double[outputs];
                targets[n][rng.NextInt(outputs)] = 1; // one-hot
            }
            else
            {
                targets[n] = Enumerable.Range(0, outputs).Select(_ => rng.NextDouble(0.05, 0.95)).ToArray();
            }
        }
        return new Setup(sizes, activations, cost, weights, biases, inputs, targets);
    }

    public static TheoryData<int[], string[], string> Networks => new()
    {
        { [3, 4, 2], ["tanh", "sigmoid"], "quadratic" },
        { [2, 3, 3], ["leaky-relu", "softmax"], "cross-entropy" },
        { [2, 5, 3, 2], ["relu", "tanh", "identity"], "quadratic" },
        { [3, 2, 2], ["identity", "sigmoid"], "cross-entropy" },
        { [2, 4, 3], ["sigmoid", "softmax"], "quadratic" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Every_weight_and_bias_gradient_matches_central_differences(int[] sizes, string[] activations, string cost)
    {
        Setup setup = RandomSetup(sizes, activations, cost, examples: 3, seed: 20240601);
        ScalarNetwork network = setup.Build();
        network.Cost(setup.Inputs, setup.Targets);

        for (int l = 0; l < sizes.Length - 1; l++)
        {
            for (int i = 0; i < setup.Weights[l].Length; i++)
            {
                double numeric = Numeric.CentralDifference(t => CostWith(setup, setup.Weights[l], i, t), setup.Weights[l][i]);
                Numeric.Close(numeric, network.Weights[l][i].Gradient, 1e-6, $"dC/dW[{l}][{i}]");
            }
            for (int j = 0; j < setup.Biases[l].Length; j++)
            {
                double numeric = Numeric.CentralDifference(t => CostWith(setup, setup.Biases[l], j, t), setup.Biases[l][j]);
                Numeric.Close(numeric, network.Biases[l][j].Gradient, 1e-6, $"dC/db[{l}][{j}]");
            }
        }
    }

    /// <summary>The cost of a fresh network whose parameter array[index] is replaced by value.</summary>
    static double CostWith(Setup setup, double[] array, int index, double value)
    {
        double saved = array[index];
        array[index] = value;
        try
        {
            return setup.Build().BuildCost(setup.Inputs, setup.Targets).Data;
        }
        finally
        {
            array[index] = saved;
        }
    }

    [Fact]
    public void A_one_neuron_per_layer_network_matches_the_seed_chain_rule()
    {
        const double x = 1.5, w1 = 0.8, b1 = -0.3, w2 = -1.2, b2 = 0.4, y = 1.0;
        var network = new ScalarNetwork([1, 1, 1], [[w1], [w2]], [[b1], [b2]], ["sigmoid", "sigmoid"], "quadratic");
        Value cost = network.Cost([[x]], [[y]]);

        static double Sigma(double z) => 1 / (1 + Math.Exp(-z));
        static double SigmaPrime(double z) => Sigma(z) * (1 - Sigma(z));
        double z1 = w1 * x + b1, a1 = Sigma(z1), z2 = w2 * a1 + b2, a2 = Sigma(z2);
        double delta2 = 2 * (a2 - y) * SigmaPrime(z2);          // ∂C/∂z2
        double delta1 = delta2 * w2 * SigmaPrime(z1);           // ∂C/∂z1

        Numeric.Close((a2 - y) * (a2 - y), cost.Data, 1e-12, "C");
        Numeric.Close(delta2 * a1, network.Weights[1][0].Gradient, 1e-12, "dC/dw2 = 2(a2-y) s'(z2) a1");
        Numeric.Close(delta2, network.Biases[1][0].Gradient, 1e-12, "dC/db2 = 2(a2-y) s'(z2)");
        Numeric.Close(delta1 * x, network.Weights[0][0].Gradient, 1e-12, "dC/dw1 = 2(a2-y) s'(z2) w2 s'(z1) x");
        Numeric.Close(delta1, network.Biases[0][0].Gradient, 1e-12, "dC/db1");
    }

    [Fact]
    public void Weights_are_row_major_out_by_in_and_labelled_with_the_math_layer_number()
    {
        var network = new ScalarNetwork([2, 3], [[1, 2, 3, 4, 5, 6]], [[0.5, -1, 0]], ["identity"], "quadratic");
        Value[] a = network.Forward([10.0, 100.0]);

        Assert.Equal(new[] { 210.5, 429.0, 650.0 }, a.Select(v => v.Data));
        Numeric.Same(3, network.Weights[0][1 * 2 + 0].Data, "W[1,0]");
        Assert.Equal("W1[1,0]", network.Weights[0][1 * 2 + 0].Label);
        Assert.Equal("b1[2]", network.Biases[0][2].Label);
        Assert.Same(network.Layers[0].Neurons[1].Weights[0], network.Weights[0][2]);
        Assert.Equal(9, network.Parameters().Count());
    }

    [Fact]
    public void Softmax_with_cross_entropy_stays_finite_for_logits_of_plus_and_minus_1000()
    {
        // z = W·[1] = [1000, −1000, 0].
        var network = new ScalarNetwork([1, 3], [[1000, -1000, 0]], [[0, 0, 0]], ["softmax"], "cross-entropy");

        Value wrong = network.Cost([[1.0]], [[0, 1, 0]]);
        Numeric.Same(2000, wrong.Data, "-ln softmax(z)_1 = 2000");
        // ∂C/∂z = softmax(z) − y = [1, −1, 0], and ∂z/∂W = x = 1.
        double[] expected = [1, -1, 0];
        for (int j = 0; j < 3; j++)
        {
            Numeric.Same(expected[j], network.Weights[0][j].Gradient, $"dC/dW[{j}]");
            Numeric.Same(expected[j], network.Biases[0][j].Gradient, $"dC/db[{j}]");
        }

        Value right = network.Cost([[1.0]], [[1, 0, 0]]);
        Numeric.Same(0, right.Data, "-ln softmax(z)_0 = 0");
        Assert.All(network.Parameters(), p => Assert.True(double.IsFinite(p.Gradient), $"{p.Label} gradient {p.Gradient}"));

        Value[] a = network.Forward([1.0]);
        Assert.Equal(new[] { 1.0, 0.0, 0.0 }, a.Select(v => v.Data));

        var quadratic = new ScalarNetwork([1, 3], [[1000, -1000, 0]], [[0, 0, 0]], ["softmax"], "quadratic");
        Numeric.Same(2, quadratic.Cost([[1.0]], [[0, 1, 0]]).Data, "(1-0)^2 + (0-1)^2 + 0");
        Assert.All(quadratic.Parameters(), p => Assert.True(double.IsFinite(p.Gradient), $"{p.Label} gradient {p.Gradient}"));
    }

    [Fact]
    public void Softmax_cross_entropy_gives_output_minus_target_at_the_logits()
    {
        // With one layer, ∂C/∂b_j = ∂C/∂z_j, which for softmax with cross-entropy is a_j − y_j.
        var network = new ScalarNetwork([2, 3], [[0.3, -0.2, 0.5, 0.1, -0.4, 0.6]], [[0.1, 0, -0.1]], ["softmax"], "cross-entropy");
        double[] x = [0.8, -1.1], y = [0, 0, 1];
        double[] z = [0.3 * 0.8 - 0.2 * -1.1 + 0.1, 0.5 * 0.8 + 0.1 * -1.1, -0.4 * 0.8 + 0.6 * -1.1 - 0.1];
        double normalizer = z.Sum(Math.Exp);
        Value cost = network.Cost([x], [y]);

        Numeric.Close(-Math.Log(Math.Exp(z[2]) / normalizer), cost.Data, 1e-14, "C = -ln a_2");
        for (int j = 0; j < 3; j++)
            Numeric.Close(Math.Exp(z[j]) / normalizer - y[j], network.Biases[0][j].Gradient, 1e-14, $"dC/dz[{j}] = a - y");
    }

    [Fact]
    public void The_cost_is_the_mean_over_examples_and_so_are_its_gradients()
    {
        Setup setup = RandomSetup([2, 3, 2], ["tanh", "sigmoid"], "quadratic", examples: 2, seed: 7);
        ScalarNetwork network = setup.Build();

        double both = network.Cost(setup.Inputs, setup.Targets).Data;
        double[] bothGradients = network.Parameters().Select(p => p.Gradient).ToArray();
        double first = network.Cost([setup.Inputs[0]], [setup.Targets[0]]).Data;
        double[] firstGradients = network.Parameters().Select(p => p.Gradient).ToArray();
        double second = network.Cost([setup.Inputs[1]], [setup.Targets[1]]).Data;
        double[] secondGradients = network.Parameters().Select(p => p.Gradient).ToArray();

        Numeric.Close((first + second) / 2, both, 1e-15, "C");
        for (int i = 0; i < bothGradients.Length; i++)
            Numeric.Close((firstGradients[i] + secondGradients[i]) / 2, bothGradients[i], 1e-15, $"parameter {i}");
    }

    [Fact]
    public void Cost_starts_each_call_from_zero_gradients()
    {
        Setup setup = RandomSetup([2, 2, 1], ["sigmoid", "sigmoid"], "quadratic", examples: 2, seed: 11);
        ScalarNetwork network = setup.Build();
        network.Cost(setup.Inputs, setup.Targets);
        double[] once = network.Parameters().Select(p => p.Gradient).ToArray();
        network.Cost(setup.Inputs, setup.Targets);
        double[] twice = network.Parameters().Select(p => p.Gradient).ToArray();
        Assert.Equal(once, twice);
        Assert.Contains(once, g => g != 0);
    }

    [Fact]
    public void Cross_entropy_with_a_saturated_non_softmax_output_and_zero_target_is_not_NaN()
    {
        // relu output 0 with target 0: the 0·ln 0 term is left out rather than becoming NaN.
        var network = new ScalarNetwork([1, 2], [[-1, 1]], [[0, 0]], ["relu"], "cross-entropy");
        Value cost = network.Cost([[2.0]], [[0, 1]]);
        Numeric.Close(-Math.Log(2), cost.Data, 1e-15, "-1·ln 2");
        Numeric.Close(-0.5, network.Biases[0][1].Gradient, 1e-15, "d(-ln a)/db = -1/a");
        Numeric.Same(0, network.Biases[0][0].Gradient, "no gradient through the zero-target output");
    }

    public static TheoryData<string, Func<ScalarNetwork>> BadNetworks => new()
    {
        { "layer 1: W must be 3x2 = 6 values (out x in, row-major), got 5",
            () => new ScalarNetwork([2, 3], [[1, 2, 3, 4, 5]], [[0, 0, 0]], ["tanh"], "quadratic") },
        { "layer 2: b must have 1 values, got 2",
            () => new ScalarNetwork([1, 1, 1], [[1], [1]], [[0], [0, 0]], ["tanh", "tanh"], "quadratic") },
        { "unknown activation 'swish'; use one of sigmoid, tanh, relu, leaky-relu, identity, softmax",
            () => new ScalarNetwork([1, 1], [[1]], [[0]], ["swish"], "quadratic") },
        { "layer 1: softmax is only for the output layer",
            () => new ScalarNetwork([1, 2, 1], [[1, 1], [1, 1]], [[0, 0], [0]], ["softmax", "identity"], "quadratic") },
        { "unknown cost 'hinge'; use one of quadratic, cross-entropy",
            () => new ScalarNetwork([1, 1], [[1]], [[0]], ["identity"], "hinge") },
        { "sizes describe 2 layer(s) but got 1 weight matrices",
            () => new ScalarNetwork([1, 1, 1], [[1]], [[0]], ["identity"], "quadratic") },
        { "layer 1 has size 0",
            () => new ScalarNetwork([1, 0], [[]], [[]], ["identity"], "quadratic") },
    };

    [Theory]
    [MemberData(nameof(BadNetworks))]
    public void Bad_shapes_and_names_are_reported_on_one_line(string expected, Func<ScalarNetwork> build)
    {
        var error = Assert.Throws<BackpropException>(build);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Bad_examples_are_reported()
    {
        var network = new ScalarNetwork([2, 1], [[1, 1]], [[0]], ["identity"], "quadratic");
        Assert.Equal("example 1: the network takes 2 input values, got 3",
            Assert.Throws<BackpropException>(() => network.Cost([[1, 2], [1, 2, 3]], [[0], [0]])).Message);
        Assert.Equal("example 0: the network has 1 outputs, but the target has 2 values",
            Assert.Throws<BackpropException>(() => network.Cost([[1, 2]], [[0, 1]])).Message);
        Assert.Equal("got 2 inputs but 1 targets; give one target per input",
            Assert.Throws<BackpropException>(() => network.Cost([[1, 2], [3, 4]], [[0]])).Message);
        Assert.Equal("the cost needs at least one example, got none",
            Assert.Throws<BackpropException>(() => network.Cost([], [])).Message);
    }
}
