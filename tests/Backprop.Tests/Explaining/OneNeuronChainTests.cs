using Backprop.Explaining;
using Backprop.Tests.Data;

namespace Backprop.Tests.Explaining;

public class OneNeuronChainTests
{
    static readonly OneNeuronChain Chain = OneNeuronChain.Example;

    static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    [Fact]
    public void The_cost_is_the_mean_squared_error_of_the_chain_worked_by_hand()
    {
        // One example x = 1, y = 0 at w1 = w2 = 0: a1 = σ(0) = 0.5, z2 = 0, a2 = 0.5, C = 0.25.
        var one = new OneNeuronChain([1], [0]);
        Assert.Equal(0.25, one.Cost(0, 0), 15);
        var r = one.Backward(0, 0, 0);
        Assert.Equal((0.0, 0.5, 0.0, 0.5), (r.Z1, r.A1, r.Z2, r.A2));
        Assert.Equal(2 * 0.5 * 0.25, r.Delta2, 15);        // 2(a2 − y)·σ′(0) = 0.25
        Assert.Equal(0.25 * 0.5, r.DerivativeW2, 15);      // δ2·a1
        Assert.Equal(0, r.Delta1, 15);                     // δ2·w2·σ′(z1) with w2 = 0
        // Over the example set at (1.5, −2): the mean of six squared errors, computed here from the definition.
        double expected = Chain.Inputs.Select((x, i) => Math.Pow(Sigmoid(-2 * Sigmoid(1.5 * x)) - Chain.Targets[i], 2)).Average();
        Assert.Equal(expected, Chain.Cost(1.5, -2), 14);
    }

    [Theory]
    [InlineData(0.3, 0.7)]
    [InlineData(-2, 3)]
    [InlineData(4, -1.5)]
    public void The_gradient_equals_central_finite_differences_on_the_surface(double w1, double w2)
    {
        const double h = 1e-6;
        var (g1, g2) = Chain.Gradient(w1, w2);
        double n1 = (Chain.Cost(w1 + h, w2) - Chain.Cost(w1 - h, w2)) / (2 * h);
        double n2 = (Chain.Cost(w1, w2 + h) - Chain.Cost(w1, w2 - h)) / (2 * h);
        Assert.True(Math.Abs(g1 - n1) <= 1e-7 * Math.Max(1, Math.Abs(n1)), $"∂C/∂w1 at ({w1}, {w2}): chain rule {g1:R}, finite difference {n1:R}");
        Assert.True(Math.Abs(g2 - n2) <= 1e-7 * Math.Max(1, Math.Abs(n2)), $"∂C/∂w2 at ({w1}, {w2}): chain rule {g2:R}, finite difference {n2:R}");
        // And of one example's cost, for a mini-batch of one.
        int[] third = [2];
        var (e1, _) = Chain.Gradient(w1, w2, third);
        double m1 = (Chain.Cost(w1 + h, w2, third) - Chain.Cost(w1 - h, w2, third)) / (2 * h);
        Assert.True(Math.Abs(e1 - m1) <= 1e-7 * Math.Max(1, Math.Abs(m1)), $"example 2's ∂C/∂w1: {e1:R} against {m1:R}");
    }

    [Fact]
    public void The_first_weight_s_derivative_recycles_the_second_s_delta()
    {
        var r = Chain.Backward(0.8, -1.2, 4);
        Assert.Equal(r.Delta2 * -1.2 * r.A1 * (1 - r.A1), r.Delta1, 15);
        Assert.Equal(r.Delta1 * r.X, r.DerivativeW1, 15);
        Assert.Equal(r.Delta2 * r.A1, r.DerivativeW2, 15);
    }

    [Fact]
    public void The_surface_holds_the_cost_at_each_grid_point_with_w2_upwards()
    {
        var surface = Chain.Surface(-4, 4, -6, 6, 5);
        Assert.Equal(25, surface.Length);
        Assert.Equal(Chain.Cost(-4, 6), surface[0], 15);       // top left
        Assert.Equal(Chain.Cost(4, -6), surface[24], 15);      // bottom right
        Assert.Equal(Chain.Cost(0, 0), surface[12], 15);       // centre
        Assert.Equal(Chain.Cost(2, 3), surface[1 * 5 + 3], 15);
        Expect.Failure(() => Chain.Surface(1, 1, 0, 1, 10), "finite ranges with minimum below maximum");
    }

    [Fact]
    public void Full_batch_descent_is_smooth_and_the_stochastic_paths_stumble_from_the_same_start()
    {
        var full = Chain.Descend(-1, -3, 2, Chain.Count, 200);
        var batch = Chain.Descend(-1, -3, 2, 2, 200, seed: 5);
        var single = Chain.Descend(-1, -3, 2, 1, 200, seed: 5);
        Assert.Equal(201, full.Count);
        Assert.Equal((-1.0, -3.0), full[0]);
        Assert.Equal(full[0], single[0]);
        // The first full-batch step is exactly −η times the gradient.
        var (g1, g2) = Chain.Gradient(-1, -3);
        Assert.Equal(-1 - 2 * g1, full[1].W1, 15);
        Assert.Equal(-3 - 2 * g2, full[1].W2, 15);
        // Full batch: the cost never rises with this small η; it falls a lot.
        var costs = full.Select(p => Chain.Cost(p.W1, p.W2)).ToArray();
        for (int i = 1; i < costs.Length; i++) Assert.True(costs[i] <= costs[i - 1] + 1e-15, $"step {i}: cost {costs[i - 1]} → {costs[i]}");
        Assert.True(costs[^1] < 0.5 * costs[0], $"cost {costs[0]} → {costs[^1]}");
        // One example at a time: the cost over the data goes up on some steps, yet ends lower too.
        var singleCosts = single.Select(p => Chain.Cost(p.W1, p.W2)).ToArray();
        Assert.Contains(Enumerable.Range(1, 200), i => singleCosts[i] > singleCosts[i - 1]);
        Assert.True(singleCosts[^1] < 0.5 * singleCosts[0], $"one-example SGD: cost {singleCosts[0]} → {singleCosts[^1]}");
        Assert.NotEqual(full[10], batch[10]);
        // The same seed gives the same stumble.
        Assert.Equal(single, Chain.Descend(-1, -3, 2, 1, 200, seed: 5));
    }

    [Fact]
    public void Biases_shift_each_neuron_s_input_and_the_gradient_still_equals_finite_differences()
    {
        var biased = Chain.WithBiases(0.5, -1.4);
        Assert.Equal((0.5, -1.4), (biased.Bias1, biased.Bias2));
        Assert.Equal((0.0, 0.0), (Chain.Bias1, Chain.Bias2));   // the example chain is untouched
        // C from the definition, z1 = w1·x + b1 and z2 = w2·a1 + b2, computed here.
        double expected = Chain.Inputs.Select((x, i) => Math.Pow(Sigmoid(2 * Sigmoid(1.5 * x + 0.5) - 1.4) - Chain.Targets[i], 2)).Average();
        Assert.Equal(expected, biased.Cost(1.5, 2), 14);
        var r = biased.Backward(1.5, 2, 1);
        Assert.Equal(1.5 * -1 + 0.5, r.Z1, 15);
        Assert.Equal(2 * r.A1 - 1.4, r.Z2, 15);
        Assert.Equal(r.CostSlope * r.Slope2, r.Delta2, 15);
        Assert.Equal(r.Delta2 * 2 * r.Slope1, r.Delta1, 15);

        const double h = 1e-6;
        var (g1, g2) = biased.Gradient(1.5, 2);
        double n1 = (biased.Cost(1.5 + h, 2) - biased.Cost(1.5 - h, 2)) / (2 * h);
        double n2 = (biased.Cost(1.5, 2 + h) - biased.Cost(1.5, 2 - h)) / (2 * h);
        Assert.True(Math.Abs(g1 - n1) <= 1e-7 * Math.Max(1, Math.Abs(n1)), $"∂C/∂w1 with biases: chain rule {g1:R}, finite difference {n1:R}");
        Assert.True(Math.Abs(g2 - n2) <= 1e-7 * Math.Max(1, Math.Abs(n2)), $"∂C/∂w2 with biases: chain rule {g2:R}, finite difference {n2:R}");
        Expect.Failure(() => Chain.WithBiases(double.NaN, 0), "the biases must be finite numbers");
    }

    [Fact]
    public void Bad_chains_and_settings_are_refused_with_the_fix()
    {
        Expect.Failure(() => new OneNeuronChain([1, 2], [0]), "2 inputs and 1 targets; give one target y for each input x");
        Expect.Failure(() => new OneNeuronChain([double.NaN], [0]), "every x and y must be a finite number");
        Expect.Failure(() => Chain.Descend(0, 0, 0, 1, 10), "the learning rate must be a positive number, got 0");
        Expect.Failure(() => Chain.Descend(0, 0, 1, 7, 10), "the batch size must be 1 to 6 (the examples), got 7");
        Expect.Failure(() => Chain.Backward(0, 0, 6), "example 6 is not one of the chain's 0…5");
    }
}
