using Backprop.Activations;
using Backprop.Explaining;
using Backprop.Tests.Autodiff;

namespace Backprop.Tests.Explaining;

public class ChainExplanationTests
{
    // ---- the seeds' worked numbers ----

    [Fact]
    public void An_output_of_066_against_a_target_of_1_costs_01156_with_slope_minus_068()
    {
        // The 3Blue1Brown notes: a^(L) = 0.66, y = 1, C0 = (0.66 − 1.00)² = 0.1156, ∂C0/∂a = 2(a − y) = −0.68.
        // Identity with w = 0.66 and x = 1 makes a^(L) exactly 0.66.
        var e = ChainExplanation.Compute(1, 1, [0.66], activation: Activation.Identity);
        Numeric.Close(0.66, e.Layers[0].Activation, 1e-15, "a^(L)");
        Numeric.Close(0.1156, e.Cost, 1e-12, "C0");
        Numeric.Close(-0.68, e.Layers[0].CostByActivation, 1e-12, "∂C0/∂a^(L)");
    }

    [Fact]
    public void A_sigmoid_neuron_whose_output_is_066_gives_the_same_cost_and_slope()
    {
        // σ(b) = 0.66 for b = ln(0.66 / 0.34), with the weight 0 so the input does not matter.
        var e = ChainExplanation.Compute(1, 1, [0.0], [Math.Log(0.66 / 0.34)]);
        Numeric.Close(0.66, e.Layers[0].Activation, 1e-15, "a^(L)");
        Numeric.Close(0.1156, e.Cost, 1e-12, "C0");
        Numeric.Close(-0.68, e.Layers[0].CostByActivation, 1e-12, "∂C0/∂a^(L)");
        // ∂C/∂z = −0.68 · σ′ = −0.68 · 0.66 · 0.34
        Numeric.Close(-0.68 * 0.66 * 0.34, e.Layers[0].CostByWeightedInput, 1e-12, "∂C0/∂z^(L)");
    }

    [Fact]
    public void The_two_weight_chain_matches_the_seeds_hand_expanded_formulas()
    {
        // z1 = w1·x, a1 = σ(z1), z2 = w2·a1, a2 = σ(z2), C = (a2 − y)²:
        // ∂C/∂w2 = ∂C/∂a2 · ∂a2/∂z2 · ∂z2/∂w2 = 2(a2 − y) · σ′(z2) · a1
        // ∂C/∂w1 = ∂C/∂a2 · ∂a2/∂z2 · ∂z2/∂a1 · ∂a1/∂z1 · ∂z1/∂w1 = 2(a2 − y) · σ′(z2) · w2 · σ′(z1) · x
        double x = 1.5, y = 0.5, w1 = 0.8, w2 = -0.4;
        double a1 = 1 / (1 + Math.Exp(-w1 * x));
        double a2 = 1 / (1 + Math.Exp(-w2 * a1));
        double dw2 = 2 * (a2 - y) * a2 * (1 - a2) * a1;
        double dw1 = 2 * (a2 - y) * a2 * (1 - a2) * w2 * a1 * (1 - a1) * x;

        var e = ChainExplanation.SeedsExample();
        Numeric.Close(dw2, e.Layers[1].CostByWeight, 1e-12, "∂C/∂w2");
        Numeric.Close(dw1, e.Layers[0].CostByWeight, 1e-12, "∂C/∂w1");
        Numeric.Close((a2 - y) * (a2 - y), e.Cost, 1e-12, "C");
        // The same numbers from PyTorch-free Python (math module), so a shared mistake in C# would show here.
        Numeric.Close(0.0058145085411034116, e.Cost, 1e-12, "C (Python)");
        Numeric.Close(-0.028619644550957512, e.Layers[1].CostByWeight, 1e-12, "∂C/∂w2 (Python)");
        Numeric.Close(0.003974843051168428, e.Layers[0].CostByWeight, 1e-12, "∂C/∂w1 (Python)");
    }

    [Fact]
    public void The_expanded_chain_for_w1_multiplies_out_to_the_recycled_value()
    {
        var e = ChainExplanation.SeedsExample();
        var factors = e.ExpandedFactors(1);
        Assert.Equal(5, factors.Count); // ∂C/∂a2, ∂a2/∂z2, ∂z2/∂a1 = w2, ∂a1/∂z1, ∂z1/∂w1 = x
        Numeric.Same(-0.4, factors[2], "∂z2/∂a1 = w2");
        Numeric.Same(1.5, factors[4], "∂z1/∂w1 = x");
        Numeric.Close(e.Layers[0].CostByWeight, factors.Aggregate(1.0, (p, f) => p * f), 1e-12, "product of the expanded factors");
    }

    [Fact]
    public void Each_layer_starts_from_the_derivative_the_layer_above_hands_it()
    {
        var e = ChainExplanation.Compute(0.7, 0.2, [0.9, -1.1, 0.6, 1.3], [0.1, -0.2, 0.05, 0.3], Activation.Tanh);
        for (int l = 0; l < e.Layers.Count - 1; l++)
        {
            // The same graph node's gradient: recycled, bit for bit.
            Numeric.Same(e.Layers[l + 1].CostByPreviousActivation, e.Layers[l].CostByActivation, $"∂C/∂a{l + 1}");
            Numeric.Close(e.Layers[l + 1].CostByWeightedInput * e.Layers[l + 1].Weight, e.Layers[l].CostByActivation, 1e-15, $"∂C/∂z{l + 2}·w{l + 2}");
        }
        Numeric.Same(e.Layers[0].CostByPreviousActivation, e.CostByInput, "∂C/∂x");
    }

    public static TheoryData<string, int, ulong> Chains => new()
    {
        { "sigmoid", 1, 1 }, { "sigmoid", 2, 2 }, { "sigmoid", 5, 3 },
        { "tanh", 1, 4 }, { "tanh", 3, 5 }, { "tanh", 6, 6 },
        { "relu", 2, 7 }, { "relu", 4, 8 },
        { "leaky-relu", 3, 9 }, { "leaky-relu", 5, 10 },
        { "identity", 1, 11 }, { "identity", 4, 12 },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void Every_factor_agrees_with_an_independent_double_computation(string activationName, int depth, ulong seed)
    {
        var activation = Activation.Parse(activationName);
        var rng = new Rng(seed);
        double x = rng.NextDouble(-2, 2), y = rng.NextDouble(0, 1);
        // Weights away from 0 and positive biases keep relu chains alive for the test to mean something.
        double[] w = Enumerable.Range(0, depth).Select(_ => rng.NextDouble(0.3, 1.5) * (rng.NextDouble() < 0.5 ? -1 : 1)).ToArray();
        double[] b = Enumerable.Range(0, depth).Select(_ => rng.NextDouble(-0.5, 0.5)).ToArray();
        if (activationName is "relu") { x = Math.Abs(x) + 0.5; for (int l = 0; l < depth; l++) { w[l] = Math.Abs(w[l]); b[l] = Math.Abs(b[l]); } }

        var e = ChainExplanation.Compute(x, y, w, b, activation);
        var expected = HandComputed(x, y, w, b, activationName);

        Numeric.Close(expected.Cost, e.Cost, 1e-9, "C");
        for (int l = 0; l < depth; l++)
        {
            var got = e.Layers[l];
            string at = $"layer {l + 1} of {activationName} depth {depth}";
            Assert.Equal(l + 1, got.Layer);
            Numeric.Same(w[l], got.Weight, $"w, {at}");
            Numeric.Same(b[l], got.Bias, $"b, {at}");
            Numeric.Close(expected.Z[l], got.WeightedInput, 1e-9, $"z, {at}");
            Numeric.Close(expected.A[l + 1], got.Activation, 1e-9, $"a, {at}");
            Numeric.Close(expected.A[l], got.PreviousActivation, 1e-9, $"a_prev, {at}");
            Numeric.Close(expected.DcDa[l], got.CostByActivation, 1e-9, $"∂C/∂a, {at}");
            Numeric.Close(expected.Slope[l], got.ActivationByWeightedInput, 1e-9, $"φ′(z), {at}");
            Numeric.Close(expected.DcDa[l] * expected.Slope[l], got.CostByWeightedInput, 1e-9, $"∂C/∂z, {at}");
            Numeric.Close(expected.A[l], got.WeightedInputByWeight, 1e-9, $"∂z/∂w, {at}");
            Numeric.Close(expected.DcDw[l], got.CostByWeight, 1e-9, $"∂C/∂w, {at}");
            Numeric.Close(expected.DcDb[l], got.CostByBias, 1e-9, $"∂C/∂b, {at}");
            Numeric.Close(expected.DcDb[l] * w[l], got.CostByPreviousActivation, 1e-9, $"∂C/∂a_prev, {at}");
        }
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Every_weight_derivative_agrees_with_its_central_difference(string activationName, int depth, ulong seed)
    {
        var activation = Activation.Parse(activationName);
        var rng = new Rng(seed + 100);
        double x = rng.NextDouble(0.5, 2), y = rng.NextDouble(0, 1);
        double[] w = Enumerable.Range(0, depth).Select(_ => rng.NextDouble(0.3, 1.2)).ToArray();
        double[] b = Enumerable.Range(0, depth).Select(_ => rng.NextDouble(0.05, 0.5)).ToArray();
        var e = ChainExplanation.Compute(x, y, w, b, activation);
        for (int l = 0; l < depth; l++)
        {
            // The explanation's own estimate, and one computed here with the test's forward pass.
            Numeric.Close(e.Layers[l].NumericCostByWeight, e.Layers[l].CostByWeight, 1e-6, $"∂C/∂w{l + 1} vs its finite difference");
            int layer = l;
            double numeric = Numeric.CentralDifference(v => HandComputed(x, y, Replace(w, layer, v), b, activationName).Cost, w[l]);
            Numeric.Close(numeric, e.Layers[l].CostByWeight, 1e-6, $"∂C/∂w{l + 1} vs the test's finite difference");
            double numericBias = Numeric.CentralDifference(v => HandComputed(x, y, w, Replace(b, layer, v), activationName).Cost, b[l]);
            Numeric.Close(numericBias, e.Layers[l].CostByBias, 1e-6, $"∂C/∂b{l + 1} vs the test's finite difference");
        }
    }

    [Fact]
    public void Biases_default_to_zero_as_in_the_seeds_z1_equals_w1_x()
    {
        var e = ChainExplanation.Compute(1.5, 0.5, [0.8, -0.4]);
        Assert.All(e.Layers, l => Numeric.Same(0, l.Bias, "b"));
        Numeric.Close(0.8 * 1.5, e.Layers[0].WeightedInput, 1e-15, "z1 = w1·x");
        Assert.Same(Activation.Sigmoid, e.Activation);
    }

    [Fact]
    public void Bad_chains_are_refused_with_the_fix()
    {
        Assert.Contains("at least one weight", Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1, 0, [])).Message);
        Assert.Contains("one bias per weight", Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1, 0, [1, 2], [0.1])).Message);
        Assert.Contains("always 1", Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1, 0, [1], activation: Activation.Softmax)).Message);
        Assert.Contains("input must be a finite number", Assert.Throws<BackpropException>(() => ChainExplanation.Compute(double.NaN, 0, [1])).Message);
        Assert.Contains("weights must be a finite number", Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1, 0, [double.PositiveInfinity])).Message);
    }

    static double[] Replace(double[] values, int index, double value)
    {
        var copy = values.ToArray();
        copy[index] = value;
        return copy;
    }

    sealed record Hand(double Cost, double[] Z, double[] A, double[] Slope, double[] DcDa, double[] DcDw, double[] DcDb);

    /// <summary>The chain by hand: A[0] = x, A[l+1] = φ(Z[l]); backward with no graph, just the chain rule.</summary>
    static Hand HandComputed(double x, double y, double[] w, double[] b, string activation)
    {
        int n = w.Length;
        var z = new double[n];
        var a = new double[n + 1];
        var slope = new double[n];
        a[0] = x;
        for (int l = 0; l < n; l++)
        {
            z[l] = w[l] * a[l] + b[l];
            (a[l + 1], slope[l]) = activation switch
            {
                "sigmoid" => (1 / (1 + Math.Exp(-z[l])), 1 / (1 + Math.Exp(-z[l])) * (1 - 1 / (1 + Math.Exp(-z[l])))),
                "tanh" => (Math.Tanh(z[l]), 1 - Math.Tanh(z[l]) * Math.Tanh(z[l])),
                "relu" => (Math.Max(0, z[l]), z[l] > 0 ? 1.0 : 0.0),
                "leaky-relu" => (z[l] > 0 ? z[l] : 0.01 * z[l], z[l] > 0 ? 1.0 : 0.01),
                "identity" => (z[l], 1.0),
                _ => throw new ArgumentException(activation),
            };
        }
        var dcda = new double[n];
        var dcdw = new double[n];
        var dcdb = new double[n];
        dcda[n - 1] = 2 * (a[n] - y);
        for (int l = n - 1; l >= 0; l--)
        {
            double dz = dcda[l] * slope[l];
            dcdw[l] = dz * a[l];
            dcdb[l] = dz;
            if (l > 0) dcda[l - 1] = dz * w[l];
        }
        return new Hand((a[n] - y) * (a[n] - y), z, a, slope, dcda, dcdw, dcdb);
    }
}
