using System.Numerics;

namespace Backprop.Explaining;

/// <summary>
/// The multiplications of one layer l: what backpropagation spends on δˡ and on ∂C/∂Wˡ, and what the path-by-path
/// chain rule spends on the same nˡ·nˡ⁻¹ weight derivatives.
/// </summary>
/// <param name="Layer">l, 1-based.</param>
/// <param name="Weights">nˡ · nˡ⁻¹.</param>
/// <param name="PathsPerWeight">Pˡ = Π_{m = l+1…L} nᵐ (1 for the output layer).</param>
/// <param name="MultiplicationsPerPath">2(L − l) + 2: a path has 2(L − l) + 3 factors.</param>
/// <param name="Delta">Backpropagation's multiplications for δˡ: nᴸ at the output, nˡ⁺¹·nˡ + nˡ below it.</param>
/// <param name="Gradient">Backpropagation's multiplications for ∂C/∂Wˡ = δˡ (aˡ⁻¹)ᵀ: nˡ · nˡ⁻¹.</param>
/// <param name="Separately">Weights · PathsPerWeight · MultiplicationsPerPath.</param>
public sealed record LayerDerivativeCost(int Layer, long Weights, BigInteger PathsPerWeight, int MultiplicationsPerPath,
    long Delta, long Gradient, BigInteger Separately)
{
    /// <summary>Delta + Gradient.</summary>
    public long Backpropagation => Delta + Gradient;
}

/// <summary>
/// The exact number of multiplications that turn the local derivatives of one example into every ∂C/∂w — by
/// backpropagation, and by following each weight's every path to the cost separately.
/// </summary>
/// <remarks>
/// What is counted: multiplications of chain-rule factors for one example, for the weights (a bias needs no
/// multiplication of its own in backpropagation, ∂C/∂bˡ = δˡ). Not counted: the forward pass and the local
/// derivatives it makes available — aˡ, φ′(zˡ), ∂C/∂aᴸ (e.g. 2(aᴸ − y)) — which both methods need alike; additions.
/// The output's φ is taken element-wise (sigmoid, tanh, relu, identity …).
/// <para>
/// Backpropagation, sizes n⁰ … nᴸ:
/// δᴸ = ∂C/∂aᴸ ⊙ φ′(zᴸ) costs nᴸ; each δˡ = φ′(zˡ) ⊙ (Wˡ⁺¹)ᵀδˡ⁺¹ costs nˡ⁺¹nˡ + nˡ; each ∂C/∂Wˡ = δˡ(aˡ⁻¹)ᵀ costs nˡnˡ⁻¹:
/// B = nᴸ + Σ_{l=1…L−1} (nˡ⁺¹nˡ + nˡ) + Σ_{l=1…L} nˡnˡ⁻¹.
/// </para>
/// <para>
/// Separately: a weight of layer l reaches the cost along Pˡ = Π_{m=l+1…L} nᵐ paths, each the product
/// aˡ⁻¹_k · φ′(zˡ_j) · Π_{m=l+1…L} (Wᵐ · φ′(zᵐ)) · ∂C/∂aᴸ of 2(L − l) + 3 factors, so 2(L − l) + 2 multiplications:
/// S = Σ_{l=1…L} nˡnˡ⁻¹ · Pˡ · (2(L − l) + 2).
/// </para>
/// The one-neuron chain of L layers gives B = 3L − 1 against S = Σ_{l=1…L} (2(L − l) + 2) = L² + L: linear against
/// quadratic. With width the paths multiply, and S grows exponentially with depth while B grows linearly.
/// </remarks>
public sealed class DerivativeCost
{
    DerivativeCost(IReadOnlyList<int> sizes, IReadOnlyList<LayerDerivativeCost> layers)
    {
        Sizes = sizes;
        Layers = layers;
    }

    /// <summary>n⁰ … nᴸ, inputs first.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>Layer 1 first.</summary>
    public IReadOnlyList<LayerDerivativeCost> Layers { get; }

    /// <summary>B, all layers.</summary>
    public BigInteger Backpropagation => Layers.Aggregate(BigInteger.Zero, (sum, l) => sum + l.Backpropagation);

    /// <summary>S, all layers.</summary>
    public BigInteger Separately => Layers.Aggregate(BigInteger.Zero, (sum, l) => sum + l.Separately);

    /// <summary>S / B.</summary>
    public double Ratio => (double)Separately / (double)Backpropagation;

    /// <summary>
    /// Most weighted layers counted: the path counts are products of up to L sizes, so time and output grow as L²
    /// (10,000 sizes ran past a minute; 3,000 wrote 72 MB). A hundred layers already show the exponential gap.
    /// </summary>
    public const int MaximumLayers = 100;

    /// <summary>The counts for layer sizes n⁰ … nᴸ (inputs first, at least two sizes, each at least 1, at most <see cref="MaximumLayers"/> layers).</summary>
    public static DerivativeCost Of(IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count < 2)
            throw new BackpropException($"Architecture.Sizes needs at least an input and an output size, like 784,30,10 (got {sizes.Count} size(s))");
        if (sizes.Count - 1 > MaximumLayers)
            throw new BackpropException($"Architecture.Sizes gives {sizes.Count - 1} weighted layers; DerivativeCost.Of counts at most {MaximumLayers} (the gap is already astronomical there) — give fewer sizes");
        foreach (int size in sizes)
            if (size < 1) throw new BackpropException($"Architecture.Sizes takes positive layer sizes, got {size}");
        int last = sizes.Count - 1;
        var layers = new LayerDerivativeCost[last];
        for (int l = 1; l <= last; l++)
        {
            long weights = (long)sizes[l] * sizes[l - 1];
            BigInteger paths = WeightExplanation.CountPaths(sizes, l, throughEveryOutput: false);
            int perPath = 2 * (last - l) + 2;
            long delta = l == last ? sizes[l] : (long)sizes[l + 1] * sizes[l] + sizes[l];
            layers[l - 1] = new LayerDerivativeCost(l, weights, paths, perPath, delta, weights, weights * paths * perPath);
        }
        return new DerivativeCost(sizes.ToArray(), layers);
    }
}
