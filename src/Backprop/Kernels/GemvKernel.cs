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
        int k = problem.K, whole = k / 32 * 32;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* rows = problem.B + (nint)j * k;
            FourRows512(problem, j, rows, k, 32, rows + whole, k);
        }
        for (; j < j1; j++) Store(problem, j, Dot512(problem.A, problem.B + (nint)j * k, k));
    }

    /// <summary>
    /// The same reading B from <paramref name="groups"/> (<see cref="GroupRows"/> with 32-float chunks): each group of
    /// 4 rows one sequential stream instead of 4. The same operations in the same order: the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB512(in GemmProblem problem, float* groups, int j0, int j1)
    {
        int k = problem.K, whole = k / 32 * 32;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* group = groups + (nint)j * k;
            FourRows512(problem, j, group, 32, 128, group + 4 * whole, k - whole);
        }
        for (; j < j1; j++) Store(problem, j, Dot512(problem.A, problem.B + (nint)j * k, k));
    }

    /// <summary>
    /// C[j … j+3] from 4 rows of B: in the 32-float chunks, row r's chunk c at b + r·rowOffset + c·chunkStride; past the
    /// last whole chunk (p ≥ 32⌊k/32⌋), row r's remaining floats at tail + r·tailOffset.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void FourRows512(in GemmProblem problem, int j, float* b, nint rowOffset, nint chunkStride, float* tail, nint tailOffset)
    {
        int k = problem.K;
        float* a = problem.A;
        float* b0 = b, b1 = b0 + rowOffset, b2 = b1 + rowOffset, b3 = b2 + rowOffset;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
        int p = 0;
        for (; p <= k - 32; p += 32, b0 += chunkStride, b1 += chunkStride, b2 += chunkStride, b3 += chunkStride)
        {
            Vector512<float> x = Vector512.Load(a + p), y = Vector512.Load(a + p + 16);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0), s0); t0 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b0 + 16), t0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1), s1); t1 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b1 + 16), t1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2), s2); t2 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b2 + 16), t2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3), s3); t3 = Vector512.FusedMultiplyAdd(y, Vector512.Load(b3 + 16), t3);
        }
        float* e0 = tail, e1 = e0 + tailOffset, e2 = e1 + tailOffset, e3 = e2 + tailOffset;
        int q = 0;
        if (p <= k - 16)
        {
            Vector512<float> x = Vector512.Load(a + p);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(e0), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(e1), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(e2), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(e3), s3);
            p += 16;
            q = 16;
        }
        float c0 = Vector512.Sum(s0 + t0), c1 = Vector512.Sum(s1 + t1), c2 = Vector512.Sum(s2 + t2), c3 = Vector512.Sum(s3 + t3);
        for (; p < k; p++, q++)
        {
            float x = a[p];
            c0 += x * e0[q]; c1 += x * e1[q]; c2 += x * e2[q]; c3 += x * e3[q];
        }
        Store(problem, j, c0, c1, c2, c3);
    }

    /// <summary>The same with 8-wide Vector256 along p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB256(in GemmProblem problem, int j0, int j1)
    {
        int k = problem.K, whole = k / 16 * 16;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* rows = problem.B + (nint)j * k;
            FourRows256(problem, j, rows, k, 16, rows + whole, k);
        }
        for (; j < j1; j++) Store(problem, j, Dot256(problem.A, problem.B + (nint)j * k, k));
    }

    /// <summary>The same reading B from <paramref name="groups"/> (<see cref="GroupRows"/> with 16-float chunks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB256(in GemmProblem problem, float* groups, int j0, int j1)
    {
        int k = problem.K, whole = k / 16 * 16;
        int j = j0;
        for (; j <= j1 - 4; j += 4)
        {
            float* group = groups + (nint)j * k;
            FourRows256(problem, j, group, 16, 64, group + 4 * whole, k - whole);
        }
        for (; j < j1; j++) Store(problem, j, Dot256(problem.A, problem.B + (nint)j * k, k));
    }

    /// <summary><see cref="FourRows512"/> with 16-float chunks of two Vector256 each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void FourRows256(in GemmProblem problem, int j, float* b, nint rowOffset, nint chunkStride, float* tail, nint tailOffset)
    {
        int k = problem.K;
        float* a = problem.A;
        float* b0 = b, b1 = b0 + rowOffset, b2 = b1 + rowOffset, b3 = b2 + rowOffset;
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, t0 = default, t1 = default, t2 = default, t3 = default;
        int p = 0;
        for (; p <= k - 16; p += 16, b0 += chunkStride, b1 += chunkStride, b2 += chunkStride, b3 += chunkStride)
        {
            Vector256<float> x = Vector256.Load(a + p), y = Vector256.Load(a + p + 8);
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0), s0); t0 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b0 + 8), t0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1), s1); t1 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b1 + 8), t1);
            s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2), s2); t2 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b2 + 8), t2);
            s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3), s3); t3 = Vector256.FusedMultiplyAdd(y, Vector256.Load(b3 + 8), t3);
        }
        float* e0 = tail, e1 = e0 + tailOffset, e2 = e1 + tailOffset, e3 = e2 + tailOffset;
        int q = 0;
        if (p <= k - 8)
        {
            Vector256<float> x = Vector256.Load(a + p);
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(e0), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(e1), s1);
            s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(e2), s2);
            s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(e3), s3);
            p += 8;
            q = 8;
        }
        float c0 = Vector256.Sum(s0 + t0), c1 = Vector256.Sum(s1 + t1), c2 = Vector256.Sum(s2 + t2), c3 = Vector256.Sum(s3 + t3);
        for (; p < k; p++, q++)
        {
            float x = a[p];
            c0 += x * e0[q]; c1 += x * e1[q]; c2 += x * e2[q]; c3 += x * e3[q];
        }
        Store(problem, j, c0, c1, c2, c3);
    }

    /// <summary>
    /// Lays out W (n×k) for the grouped kernels: each group of 4 rows (from row j, at destination + j·k, 4k floats)
    /// holds its whole chunks of <paramref name="chunk"/> floats interleaved, chunk c of row r at (c·4 + r)·chunk,
    /// then each row's remaining k − chunk⌊k/chunk⌋ floats, row after row. Rows past the last whole group are not
    /// copied (the kernels read them from W).
    /// </summary>
    public static void GroupRows(float* weights, int n, int k, int chunk, float* destination)
    {
        int whole = k / chunk * chunk, rest = k - whole;
        for (int j = 0; j + 4 <= n; j += 4)
        {
            float* group = destination + (nint)j * k;
            for (int r = 0; r < 4; r++)
            {
                float* row = weights + (nint)(j + r) * k;
                for (int c = 0; c < whole; c += chunk)
                    Buffer.MemoryCopy(row + c, group + (nint)(c * 4 + r * chunk), chunk * sizeof(float), chunk * sizeof(float));
                Buffer.MemoryCopy(row + whole, group + 4 * whole + r * rest, rest * sizeof(float), rest * sizeof(float));
            }
        }
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
