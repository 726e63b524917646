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

    public Activation Inner { get; } = inner.OutputOnly
        ? throw new BackpropException($"{inner.Name} has no element-wise derivative to break; break a hidden layer's activation (sigmoid, tanh, relu, leaky-relu, identity)")
        : inner;

    public override string Name => Inner.Name;
    public override bool IsRectifier => Inner.IsRectifier;
    public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => Inner.Forward(z, a, width);

    public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width)
    {
        Inner.Backward(z, a, g, delta, width);
        var factor = T.CreateTruncating(Factor);
        for (int i = 0; i < delta.Length; i++) delta[i] *= factor;
    }

    public override double Derivative(double z) => Factor * Inner.Derivative(z);
    public override double Apply(double z) => Inner.Apply(z);
}
