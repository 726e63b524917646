using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// The plain triple loops that define what each product means. Every fast kernel is tested against these,
/// and the double-precision checking path runs on them. All matrices are row-major.
/// </summary>
internal static class GemmReference
{
    /// <summary>C (m×n) = A (m×k) · Bᵀ, B stored (n×k); adds to C when <paramref name="accumulate"/>.</summary>
    public static void MultiplyTransposedB<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[j * k + p];
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }

    /// <summary>C (m×n) = A (m×k) · B (k×n); adds to C when <paramref name="accumulate"/>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }

    /// <summary>C (m×n) = Aᵀ · B, A stored (k×m), B (k×n); adds to C when <paramref name="accumulate"/>.</summary>
    public static void MultiplyTransposedA<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k, bool accumulate)
        where T : INumber<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++) sum += a[p * m + i] * b[p * n + j];
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }
}
