using Backprop.Activations;

namespace Backprop.Checking;

/// <summary>
/// An activation with its forward φ intact and its derivative deliberately wrong, φ′ × 1.1: exactly the kind of slip a
/// gradient check exists to catch (`backprop gradcheck --break NAME`). The cost, and so the finite differences, are
/// untouched; only backpropagation uses the wrong φ′, so every layer at or below the broken one disagrees.
/// </summary>
public sealed class BrokenDerivative(Activation inner) : Activation
{
    /// <summary>How wrong φ′ is: 10% too large.</summary>
    public const double Factor = 1.1;

    /// <summary>The activation whose derivative is broken; its forward φ is used as it is.</summary>
    public Activation Inner { get; } = inner.OutputOnly
        ? throw new BackpropException($"{inner.Name} has no element-wise derivative to break; break a hidden layer's activation (sigmoid, tanh, relu, leaky-relu, identity)")
        : inner;

    /// <summary>The inner activation's name.</summary>
    public override string Name => Inner.Name;
    /// <summary>As the inner activation.</summary>
    public override bool IsRectifier => Inner.IsRectifier;
    /// <summary>a = φ(z), the inner activation's, unbroken.</summary>
    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => Inner.Forward(z, a, width);

    /// <summary>δ = g ⊙ φ′(z) × <see cref="Factor"/>: the deliberate mistake.</summary>
    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width)
    {
        Inner.Backward(z, a, g, delta, width);
        var factor = T.CreateTruncating(Factor);
        for (int i = 0; i < delta.Length; i++) delta[i] *= factor;
    }

    /// <summary>φ′(z) × <see cref="Factor"/>.</summary>
    public override double Derivative(double z) => Factor * Inner.Derivative(z);
    /// <summary>φ(z), the inner activation's.</summary>
    public override double Apply(double z) => Inner.Apply(z);
}
