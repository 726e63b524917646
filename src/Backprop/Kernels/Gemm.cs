using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
            GemmFloat.MultiplyTransposedB(Cast(a), Cast(b), Cast(c), m, n, k, accumulate);
        else
            GemmReference.MultiplyTransposedB(a, b, c, m, n, k, accumulate);
    }

    /// <inheritdoc cref="GemmReference.Multiply{T}"/>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        if (typeof(T) == typeof(float))
            GemmFloat.Multiply(Cast(a), Cast(b), Cast(c), m, n, k, accumulate);
        else
            GemmReference.Multiply(a, b, c, m, n, k, accumulate);
    }

    /// <inheritdoc cref="GemmReference.MultiplyTransposedA{T}"/>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        if (typeof(T) == typeof(float))
            GemmFloat.MultiplyTransposedA(Cast(a), Cast(b), Cast(c), m, n, k, accumulate);
        else
            GemmReference.MultiplyTransposedA(a, b, c, m, n, k, accumulate);
    }

    static ReadOnlySpan<float> Cast<T>(ReadOnlySpan<T> s) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(s)), s.Length);
    static Span<float> Cast<T>(Span<T> s) => MemoryMarshal.CreateSpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(s)), s.Length);
}
