using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// C = A·Bᵀ for one row of A (m = 1): the forward pass of one example, z = W a, a matrix-vector product. Each C
/// entry is the dot product of the row a with a row of B, both contiguous along k. The dot-product tiles of
/// <see cref="GemmDirect"/> would alias their 4 rows of A to this one and do 4 times the multiply-adds; packing
/// B would copy the whole matrix to read it once. Here 4 rows of B are read at a time, each with 2 accumulators,
/// so every loaded vector of a serves 4 rows and 8 independent FMA chains hide the FMA latency: the loop runs
/// as fast as B streams in from memory, which at m = 1 is the bound (each weight is used once).
/// The reference twin is <see cref="GemmReference.MultiplyTransposedB{T}"/> with m = 1.
/// </summary>
internal static unsafe class GemvKernel
{
    /// <summary>C[j] = (accumulate ? C[j] : 0) + Σ_p A[p]·B[j,p] for j0 ≤ j &lt; j1, 16-wide Vector512 along p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB512(in GemmProblem problem, int j0, int j1)
    {
        int k = problem.K;
        float* a = problem.A;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* b0 = problem.B + (nint)j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
            int p = 0;
            for (; p <= k - 32; p += 32)
            {
                Vector512<float> x = Vector512.Load(a + p), y = Vector512.Load(a + p + 16);
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0); t0 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b0 + p + 16), t0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1); t1 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b1 + p + 16), t1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2); t2 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b2 + p + 16), t2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3); t3 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b3 + p + 16), t3);
            }
            if (p <= k - 16)
            {
                Vector512<float> x = Vector512.Load(a + p);
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3);
                p += 16;
            }
            float c0 = Vector512.Sum(s0 + t0), c1 = Vector512.Sum(s1 + t1), c2 = Vector512.Sum(s2 + t2), c3 = Vector512.Sum(s3 + t3);
            for (; p < k; p++)
            {
                float x = a[p];
                c0 += x * b0[p]; c1 += x * b1[p]; c2 += x * b2[p]; c3 += x * b3[p];
            }
            Store(problem, j, c0, c1, c2, c3);
        }
        for (; j < j1; j++) Store(problem, j, Dot512(a, problem.B + (nint)j * k, k));
    }

    /// <summary>The same with 8-wide Vector256 along p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB256(in GemmProblem problem, int j0, int j1)
    {
        int k = problem.K;
        float* a = problem.A;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* b0 = problem.B + (nint)j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
            int p = 0;
            for (; p <= k - 16; p += 16)
            {
                Vector256<float> x = Vector256.Load(a + p), y = Vector256.Load(a + p + 8);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0 + p), s0); t0 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b0 + p + 8), t0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1 + p), s1); t1 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b1 + p + 8), t1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2 + p), s2); t2 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b2 + p + 8), t2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3 + p), s3); t3 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b3 + p + 8), t3);
            }
            if (p <= k - 8)
            {
                Vector256<float> x = Vector256.Load(a + p);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0 + p), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1 + p), s1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2 + p), s2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3 + p), s3);
                p += 8;
            }
            float c0 = Vector256.Sum(s0 + t0), c1 = Vector256.Sum(s1 + t1), c2 = Vector256.Sum(s2 + t2), c3 = Vector256.Sum(s3 + t3);
            for (; p < k; p++)
            {
                float x = a[p];
                c0 += x * b0[p]; c1 += x * b1[p]; c2 += x * b2[p]; c3 += x * b3[p];
            }
            Store(problem, j, c0, c1, c2, c3);
        }
        for (; j < j1; j++) Store(problem, j, Dot256(a, problem.B + (nint)j * k, k));
    }

    /// <summary>One row of B past the last group of 4.</summary>
    static float Dot512(float* a, float* b, int k)
    {
        Vector512<float> s = default;
        int p = 0;
        for (; p <= k - 16; p += 16) s = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s);
        float c = Vector512.Sum(s);
        for (; p < k; p++) c += a[p] * b[p];
        return c;
    }

    static float Dot256(float* a, float* b, int k)
    {
        Vector256<float> s = default;
        int p = 0;
        for (; p <= k - 8; p += 8) s = Vector256.FusedMultiplyAdd(Vector256.Load(a + p), Vector256.Load(b + p), s);
        float c = Vector256.Sum(s);
        for (; p < k; p++) c += a[p] * b[p];
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(in GemmProblem problem, int j, float c0, float c1, float c2, float c3)
    {
        Store(problem, j, c0);
        Store(problem, j + 1, c1);
        Store(problem, j + 2, c2);
        Store(problem, j + 3, c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(in GemmProblem problem, int j, float c)
    {
        if (problem.Accumulate) problem.C[j] += c;
        else problem.C[j] = c;
    }
}
