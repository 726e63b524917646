using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// The three matrix products backpropagation needs, with the batch as rows:
/// Z = A·Wᵀ (forward), Δ_prev = Δ·W (backward), ∂C/∂W = Δᵀ·A (gradient).
/// float goes to the fast kernels; any other type (the double checking path) to <see cref="GemmReference"/>.
/// </summary>
internal static class Gemm
{
    /// <inheritdoc cref="GemmReference.MultiplyTransposedB{T}"/>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        if (typeof(T) == typeof(float))
            GemmFloat.MultiplyTransposedB(FloatView.Of(a), FloatView.Of(b), FloatView.Of(c), m, n, k, accumulate);
        else
            GemmReference.MultiplyTransposedB(a, b, c, m, n, k, accumulate);
    }

    /// <inheritdoc cref="GemmReference.Multiply{T}"/>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        if (typeof(T) == typeof(float))
            GemmFloat.Multiply(FloatView.Of(a), FloatView.Of(b), FloatView.Of(c), m, n, k, accumulate);
        else
            GemmReference.Multiply(a, b, c, m, n, k, accumulate);
    }

    /// <inheritdoc cref="GemmReference.MultiplyTransposedA{T}"/>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        if (typeof(T) == typeof(float))
            GemmFloat.MultiplyTransposedA(FloatView.Of(a), FloatView.Of(b), FloatView.Of(c), m, n, k, accumulate);
        else
            GemmReference.MultiplyTransposedA(a, b, c, m, n, k, accumulate);
    }
}
