using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Tests.Layers;

public class NetworkTests
{
    [Theory]
    [InlineData("sigmoid", "sigmoid", "quadratic")]
    [InlineData("relu", "softmax", "cross-entropy")]
    [InlineData("tanh", "softmax", "quadratic")]
    public void Weighted_inputs_of_plus_minus_1000_give_a_finite_cost_and_gradient(string hidden, string output, string cost)
    {
        var architecture = new Architecture([2, 3, 3], Activation.Parse(hidden), Activation.Parse(output), Cost.Parse(cost));
        var network = Network<float>.Initialize(architecture, 1);
        // Inputs of ±1000 with unit weights drive every z to the hundreds or thousands.
        for (int l = 0; l < 2; l++) Array.Fill(network.Layers[l].Weights, 1f);
        network.Layers[1].Weights[0] = -1f;
        float[] x = [1000f, 0f, -1000f, 0f];
        // Example 1 reaches the output as z ≈ (1000, 3000, 3000) (hidden sigmoid/tanh: (1, 3, 3)) and is labelled 0.
        var (c, g) = network.Backpropagate(x, Targets.Create<float>([0, 0], 3), 2);
        Assert.True(float.IsFinite(c), $"cost {c}");
        Assert.All(g.Weights.Concat(g.Biases).SelectMany(v => v), v => Assert.True(float.IsFinite(v), $"gradient {v}"));
        // −ln a_0 = 3000 − 1000 + ln(1 + 2e^0)… ≈ 2000 nats for example 1, ln 3 for the all-zero example 2.
        if (hidden == "relu") Assert.Equal((2000 + Math.Log(1 + Math.Exp(-2000)) + Math.Log(2) + Math.Log(3)) / 2, c, 2);
    }

    [Fact]
    public void The_float_engine_agrees_with_the_double_engine_to_float_precision()
    {
        var architecture = new Architecture([5, 7, 6, 3], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
        var single = Network<float>.Initialize(architecture, 9);
        var precise = single.Convert<double>();
        var rng = new Rng(10);
        var x = Enumerable.Range(0, 4 * 5).Select(_ => rng.NextGaussian()).ToArray();
        var y = Targets.Create<double>([0, 2, 1, 2], 3);
        var (c64, g64) = precise.Backpropagate(x, y, 4);
        var (c32, g32) = single.Backpropagate(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), 4);
        Assert.True(Math.Abs(c64 - c32) < 1e-6 * Math.Abs(c64), $"cost: double {c64:R}, float {c32:R}");
        for (int l = 0; l < 3; l++)
            for (int i = 0; i < g64.Weights[l].Length; i++)
                Assert.True(Math.Abs(g64.Weights[l][i] - g32.Weights[l][i]) < 1e-6 + 1e-4 * Math.Abs(g64.Weights[l][i]),
                    $"layer {l + 1} weight {i}: double {g64.Weights[l][i]:R}, float {g32.Weights[l][i]:R}");
    }

    [Fact]
    public void Rectifier_layers_get_He_initialisation_and_the_others_Xavier()
    {
        var network = Network<double>.Initialize(new Architecture([784, 256, 10], Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 1);
        var he = network.Layers[0].Weights;
        double heDeviation = Math.Sqrt(he.Select(w => w * w).Average());
        Assert.InRange(heDeviation / Math.Sqrt(2.0 / 784), 0.98, 1.02);
        Assert.InRange(he.Average(), -0.002, 0.002);
        var xavier = network.Layers[1].Weights;
        double range = Math.Sqrt(6.0 / (256 + 10));
        Assert.All(xavier, w => Assert.InRange(w, -range, range));
        Assert.InRange(Math.Sqrt(xavier.Select(w => w * w).Average()) / (range / Math.Sqrt(3)), 0.95, 1.05);
        Assert.All(network.Layers.SelectMany(l => l.Biases), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_one_neuron_chain_computes_the_seeds_cost()
    {
        // a = 0.66 against y = 1 costs (0.66 − 1)² = 0.1156, with ∂C/∂a = 2(a − y) = −0.68.
        var network = new Network<double>(new Architecture([1, 1], Activation.Identity, Activation.Identity, Cost.Quadratic),
            [new Layer<double>(1, 1, Activation.Identity, [1.0], [0.0])]);
        var (cost, gradients) = network.Backpropagate([0.66], [1.0], 1);
        Assert.Equal(0.1156, cost, 12);
        Assert.Equal(-0.68 * 0.66, gradients.Weights[0][0], 12); // ∂C/∂w = ∂C/∂a · ∂a/∂z · ∂z/∂w = −0.68 · 1 · a_prev
        Assert.Equal(-0.68, gradients.Biases[0][0], 12);
    }

    [Theory]
    [InlineData(new[] { 5 }, "at least an input and an output")]
    [InlineData(new[] { 3, 0, 2 }, "between 1 and")]
    public void Impossible_layer_sizes_are_refused(int[] sizes, string phrase) =>
        Assert.Contains(phrase, Assert.Throws<BackpropException>(() => new Architecture(sizes, Activation.Relu, Activation.Softmax, Cost.CrossEntropy).Validate()).Message);

    [Fact]
    public void Cross_entropy_without_softmax_and_softmax_in_hidden_layers_are_refused()
    {
        Assert.Contains("softmax", Assert.Throws<BackpropException>(() => new Architecture([2, 3, 2], Activation.Relu, Activation.Sigmoid, Cost.CrossEntropy).Validate()).Message);
        Assert.Contains("output activation", Assert.Throws<BackpropException>(() => new Architecture([2, 3, 2], Activation.Softmax, Activation.Softmax, Cost.CrossEntropy).Validate()).Message);
        Assert.Contains("two output neurons", Assert.Throws<BackpropException>(() => new Architecture([2, 3, 1], Activation.Relu, Activation.Softmax, Cost.Quadratic).Validate()).Message);
        Assert.Contains("unknown activation 'swish'", Assert.Throws<BackpropException>(() => Activation.Parse("swish")).Message);
    }
}
