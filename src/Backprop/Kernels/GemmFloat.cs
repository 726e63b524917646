namespace Backprop.Kernels;

/// <summary>
/// float products for training. For now a cache-friendly scalar loop order (i, p, j) over the reference
/// semantics; the SIMD, blocked, threaded kernels replace these bodies (issue: faster than PyTorch).
/// </summary>
internal static class GemmFloat
{
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var row = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                float sum = System.Numerics.Tensors.TensorPrimitives.Dot(row, b.Slice(j * k, k));
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int i = 0; i < m; i++)
        {
            var cRow = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                float aip = a[i * k + p];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aip, cRow, cRow);
            }
        }
    }

    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        if (!accumulate) c.Slice(0, m * n).Clear();
        for (int p = 0; p < k; p++)
        {
            var bRow = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                float api = a[p * m + i];
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bRow, api, c.Slice(i * n, n), c.Slice(i * n, n));
            }
        }
    }
}
