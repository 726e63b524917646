using System.Numerics;
using Backprop.Explaining;
using Backprop.Tests.Autodiff;

namespace Backprop.Tests.Explaining;

public class DerivativeCostTests
{
    [Fact]
    public void The_seeds_two_weight_chain_needs_five_multiplications_recycled_and_six_separately()
    {
        // Backpropagation: δ2 = ∂C/∂a2·φ′(z2) (1), ∂C/∂w2 = δ2·a1 (1), δ1 = φ′(z1)·(w2·δ2) (2), ∂C/∂w1 = δ1·x (1): 5.
        // Separately: ∂C/∂w2 = a1·φ′(z2)·∂C/∂a2 (2), ∂C/∂w1 = x·φ′(z1)·w2·φ′(z2)·∂C/∂a2 (4): 6 — the product
        // ∂C/∂a2·φ′(z2) is computed twice, which is the seeds' recycling in miniature.
        var cost = DerivativeCost.Of([1, 1, 1]);
        Assert.Equal(5, (int)cost.Backpropagation);
        Assert.Equal(6, (int)cost.Separately);
    }

    [Fact]
    public void A_2_3_2_network_counted_by_hand()
    {
        // Backpropagation: δ2: 2; δ1: W2ᵀδ2 is 3·2 = 6, ⊙φ′ is 3, so 9; ∂C/∂W1 = 3·2 = 6; ∂C/∂W2 = 2·3 = 6. B = 23.
        // Separately: each of the 6 weights of W2 has 1 path of 3 factors (2 multiplications): 12; each of the 6
        // weights of W1 has 2 paths (one per output neuron) of 5 factors (4 multiplications): 48. S = 60.
        var cost = DerivativeCost.Of([2, 3, 2]);
        Assert.Equal(23, (int)cost.Backpropagation);
        Assert.Equal(60, (int)cost.Separately);
        Assert.Equal(new LayerDerivativeCost(1, 6, 2, 4, 9, 6, 48), cost.Layers[0]);
        Assert.Equal(new LayerDerivativeCost(2, 6, 1, 2, 2, 6, 12), cost.Layers[1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void A_chain_of_L_neurons_costs_3L_minus_1_against_L_squared_plus_L(int layers)
    {
        var cost = DerivativeCost.Of(Enumerable.Repeat(1, layers + 1).ToArray());
        Assert.Equal(3 * layers - 1, (int)cost.Backpropagation);
        Assert.Equal(layers * layers + layers, (int)cost.Separately);
    }

    public static TheoryData<int[]> Shapes => new()
    {
        { [1, 1, 1] }, { [2, 3, 2] }, { [3, 1, 4, 2] }, { [2, 3, 3, 2] }, { [4, 2, 3, 2, 3] }, { [3, 5] },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_formulas_count_what_the_two_algorithms_actually_multiply(int[] sizes)
    {
        var net = RandomFactors(sizes, seed: 17);
        long backpropCount = 0, separateCount = 0;
        double[][] byBackprop = Backpropagate(net, ref backpropCount);
        double[][] bySeparatePaths = EveryPathSeparately(net, ref separateCount);

        var cost = DerivativeCost.Of(sizes);
        Assert.Equal(cost.Backpropagation, new BigInteger(backpropCount));
        Assert.Equal(cost.Separately, new BigInteger(separateCount));
        for (int l = 0; l < byBackprop.Length; l++)
            for (int i = 0; i < byBackprop[l].Length; i++)
                Numeric.Close(byBackprop[l][i], bySeparatePaths[l][i], 1e-12, $"∂C/∂W{l + 1} entry {i}: backprop vs paths");
    }

    [Fact]
    public void The_saving_grows_with_depth_and_with_width()
    {
        double previous = 0;
        for (int depth = 1; depth <= 6; depth++)
        {
            int[] sizes = [10, .. Enumerable.Repeat(10, depth), 10];
            double ratio = DerivativeCost.Of(sizes).Ratio;
            Assert.True(ratio > previous * 5, $"depth {depth}: ratio {ratio} should be more than 5× the ratio {previous} one layer shallower");
            previous = ratio;
        }
        previous = 0;
        foreach (int width in new[] { 2, 4, 8, 16, 32 })
        {
            double ratio = DerivativeCost.Of([10, width, width, 10]).Ratio;
            Assert.True(ratio > previous, $"width {width}: ratio {ratio} should exceed {previous}");
            previous = ratio;
        }
    }

    [Fact]
    public void Huge_counts_stay_exact()
    {
        // 784, then ten hidden layers of 1000, then 10: a first-layer weight has 1000⁹·10 = 10²⁸ paths.
        int[] sizes = [784, .. Enumerable.Repeat(1000, 10), 10];
        var cost = DerivativeCost.Of(sizes);
        Assert.Equal(BigInteger.Pow(10, 28), cost.Layers[0].PathsPerWeight);
        Assert.Equal(784L * 1000 * BigInteger.Pow(10, 28) * (2 * 10 + 2), cost.Layers[0].Separately);
    }

    [Fact]
    public void Impossible_shapes_are_refused()
    {
        Assert.Contains("at least an input and an output", Assert.Throws<BackpropException>(() => DerivativeCost.Of([5])).Message);
        Assert.Contains("positive", Assert.Throws<BackpropException>(() => DerivativeCost.Of([5, 0, 2])).Message);
    }

    // ---- the two algorithms, counting each multiplication ----

    /// <summary>The local derivatives the forward pass provides: a (a[0] = x), φ′(z) per layer, W, and ∂C/∂aᴸ.</summary>
    sealed record Factors(int[] Sizes, double[][] A, double[][] Slope, double[][] W, double[] CostByOutput);

    static Factors RandomFactors(int[] sizes, ulong seed)
    {
        var rng = new Rng(seed);
        int layers = sizes.Length - 1;
        var a = new double[layers + 1][];
        var slope = new double[layers + 1][];
        var w = new double[layers + 1][];
        for (int l = 0; l <= layers; l++)
        {
            a[l] = Enumerable.Range(0, sizes[l]).Select(_ => rng.NextDouble(-1, 1)).ToArray();
            slope[l] = Enumerable.Range(0, sizes[l]).Select(_ => rng.NextDouble(0.1, 1)).ToArray();
            w[l] = l == 0 ? [] : Enumerable.Range(0, sizes[l] * sizes[l - 1]).Select(_ => rng.NextDouble(-1, 1)).ToArray();
        }
        return new Factors(sizes, a, slope, w, Enumerable.Range(0, sizes[^1]).Select(_ => rng.NextDouble(-1, 1)).ToArray());
    }

    static double Times(double x, double y, ref long count) { count++; return x * y; }

    /// <summary>δᴸ = ∂C/∂aᴸ ⊙ φ′; δˡ = φ′ ⊙ (Wˡ⁺¹)ᵀδˡ⁺¹; ∂C/∂Wˡ[j,k] = δˡ_j aˡ⁻¹_k. Result [l−1][j·in + k].</summary>
    static double[][] Backpropagate(Factors f, ref long count)
    {
        int L = f.Sizes.Length - 1;
        var delta = new double[L + 1][];
        delta[L] = new double[f.Sizes[L]];
        for (int j = 0; j < f.Sizes[L]; j++) delta[L][j] = Times(f.CostByOutput[j], f.Slope[L][j], ref count);
        for (int l = L - 1; l >= 1; l--)
        {
            delta[l] = new double[f.Sizes[l]];
            for (int j = 0; j < f.Sizes[l]; j++)
            {
                double sum = 0;
                for (int i = 0; i < f.Sizes[l + 1]; i++) sum += Times(f.W[l + 1][i * f.Sizes[l] + j], delta[l + 1][i], ref count);
                delta[l][j] = Times(f.Slope[l][j], sum, ref count);
            }
        }
        var gradients = new double[L][];
        for (int l = 1; l <= L; l++)
        {
            gradients[l - 1] = new double[f.Sizes[l] * f.Sizes[l - 1]];
            for (int j = 0; j < f.Sizes[l]; j++)
                for (int k = 0; k < f.Sizes[l - 1]; k++)
                    gradients[l - 1][j * f.Sizes[l - 1] + k] = Times(delta[l][j], f.A[l - 1][k], ref count);
        }
        return gradients;
    }

    /// <summary>
    /// For each weight, each path to the cost multiplied out on its own, from scratch:
    /// aˡ⁻¹_k·φ′(zˡ_j)·W·φ′·…·∂C/∂aᴸ. Nothing is shared between paths, not even a common prefix.
    /// </summary>
    static double[][] EveryPathSeparately(Factors f, ref long count)
    {
        int L = f.Sizes.Length - 1;
        var gradients = new double[L][];
        var factors = new List<double>();
        var sums = new List<double>();
        long counted = 0;
        for (int l = 1; l <= L; l++)
        {
            gradients[l - 1] = new double[f.Sizes[l] * f.Sizes[l - 1]];
            for (int j = 0; j < f.Sizes[l]; j++)
                for (int k = 0; k < f.Sizes[l - 1]; k++)
                {
                    factors.Clear();
                    sums.Clear();
                    factors.Add(f.A[l - 1][k]);
                    Walk(l, j);
                    gradients[l - 1][j * f.Sizes[l - 1] + k] = sums.Sum();
                }
        }
        count += counted;
        return gradients;

        // Neuron j of layer l is on the path; factors holds everything up to zˡ_j.
        void Walk(int l, int j)
        {
            factors.Add(f.Slope[l][j]);
            if (l == L)
            {
                factors.Add(f.CostByOutput[j]);
                double product = factors[0];
                for (int i = 1; i < factors.Count; i++) product = Times(product, factors[i], ref counted);
                sums.Add(product);
                factors.RemoveAt(factors.Count - 1);
            }
            else
            {
                for (int i = 0; i < f.Sizes[l + 1]; i++)
                {
                    factors.Add(f.W[l + 1][i * f.Sizes[l] + j]);
                    Walk(l + 1, i);
                    factors.RemoveAt(factors.Count - 1);
                }
            }
            factors.RemoveAt(factors.Count - 1);
        }
    }
}

public class DerivativeCostBoundTests
{
    [Fact]
    public void More_than_the_maximum_of_layers_is_refused_before_counting()
    {
        var sizes = Enumerable.Repeat(3, 10_000).ToArray();
        var error = Assert.Throws<BackpropException>(() => DerivativeCost.Of(sizes));
        Assert.Equal("Architecture.Sizes gives 9999 weighted layers; DerivativeCost.Of counts at most 100 (the gap is already astronomical there) — give fewer sizes", error.Message);
        Assert.Equal("--layers gives 9999 weighted layers; --cost-of-derivatives counts at most 100 (the gap is already astronomical there) — give fewer sizes",
            Backprop.Training.RunSettings.InCommandWords(error.Message));
        Assert.Equal(DerivativeCost.MaximumLayers, DerivativeCost.Of(Enumerable.Repeat(3, DerivativeCost.MaximumLayers + 1).ToArray()).Layers.Count);
    }
}
