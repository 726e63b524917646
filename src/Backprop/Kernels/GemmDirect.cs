using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Unpacked C = A·Bᵀ for small products (the forward pass at small batch, e.g. 10×30×784), where packing
/// would cost as much as the product. A rows and B rows are both contiguous along k, so each C entry is a
/// dot product; a 4×4 tile of them shares every loaded vector four times (8 loads per 16 FMAs).
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>C[i,j] = (accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[j,p] for i0 ≤ i &lt; i1, j0 ≤ j &lt; j1, 16-wide Vector512 along p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB512(in GemmProblem problem, int i0, int i1, int j0, int j1)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        nint ldc = n;
        float* tile = stackalloc float[16];
        for (int i = i0; i < i1; i += 4)
        {
            int rows = Math.Min(4, i1 - i);
            // Rows past m alias the last row: the tile stays 4×4 and the extra results are not stored.
            float* a0 = problem.A + (nint)Math.Min(i + 0, m - 1) * k;
            float* a1 = problem.A + (nint)Math.Min(i + 1, m - 1) * k;
            float* a2 = problem.A + (nint)Math.Min(i + 2, m - 1) * k;
            float* a3 = problem.A + (nint)Math.Min(i + 3, m - 1) * k;
            for (int j = j0; j < j1; j += 4)
            {
                int columns = Math.Min(4, j1 - j);
                float* b0 = problem.B + (nint)Math.Min(j + 0, n - 1) * k;
                float* b1 = problem.B + (nint)Math.Min(j + 1, n - 1) * k;
                float* b2 = problem.B + (nint)Math.Min(j + 2, n - 1) * k;
                float* b3 = problem.B + (nint)Math.Min(j + 3, n - 1) * k;
                Vector512<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
                Vector512<float> s02 = default, s03 = default, s12 = default, s13 = default, s22 = default, s23 = default, s32 = default, s33 = default;
                int q = 0;
                for (; q <= k - 16; q += 16)
                {
                    Vector512<float> x0 = Vector512.Load(a0 + q), x1 = Vector512.Load(a1 + q), x2 = Vector512.Load(a2 + q), x3 = Vector512.Load(a3 + q);
                    Vector512<float> y0 = Vector512.Load(b0 + q), y1 = Vector512.Load(b1 + q), y2 = Vector512.Load(b2 + q), y3 = Vector512.Load(b3 + q);
                    s00 = Vector512.FusedMultiplyAdd(x0, y0, s00); s01 = Vector512.FusedMultiplyAdd(x0, y1, s01); s02 = Vector512.FusedMultiplyAdd(x0, y2, s02); s03 = Vector512.FusedMultiplyAdd(x0, y3, s03);
                    s10 = Vector512.FusedMultiplyAdd(x1, y0, s10); s11 = Vector512.FusedMultiplyAdd(x1, y1, s11); s12 = Vector512.FusedMultiplyAdd(x1, y2, s12); s13 = Vector512.FusedMultiplyAdd(x1, y3, s13);
                    s20 = Vector512.FusedMultiplyAdd(x2, y0, s20); s21 = Vector512.FusedMultiplyAdd(x2, y1, s21); s22 = Vector512.FusedMultiplyAdd(x2, y2, s22); s23 = Vector512.FusedMultiplyAdd(x2, y3, s23);
                    s30 = Vector512.FusedMultiplyAdd(x3, y0, s30); s31 = Vector512.FusedMultiplyAdd(x3, y1, s31); s32 = Vector512.FusedMultiplyAdd(x3, y2, s32); s33 = Vector512.FusedMultiplyAdd(x3, y3, s33);
                }
                tile[0] = Vector512.Sum(s00); tile[1] = Vector512.Sum(s01); tile[2] = Vector512.Sum(s02); tile[3] = Vector512.Sum(s03);
                tile[4] = Vector512.Sum(s10); tile[5] = Vector512.Sum(s11); tile[6] = Vector512.Sum(s12); tile[7] = Vector512.Sum(s13);
                tile[8] = Vector512.Sum(s20); tile[9] = Vector512.Sum(s21); tile[10] = Vector512.Sum(s22); tile[11] = Vector512.Sum(s23);
                tile[12] = Vector512.Sum(s30); tile[13] = Vector512.Sum(s31); tile[14] = Vector512.Sum(s32); tile[15] = Vector512.Sum(s33);
                for (; q < k; q++)
                {
                    float y0 = b0[q], y1 = b1[q], y2 = b2[q], y3 = b3[q];
                    float x0 = a0[q]; tile[0] += x0 * y0; tile[1] += x0 * y1; tile[2] += x0 * y2; tile[3] += x0 * y3;
                    float x1 = a1[q]; tile[4] += x1 * y0; tile[5] += x1 * y1; tile[6] += x1 * y2; tile[7] += x1 * y3;
                    float x2 = a2[q]; tile[8] += x2 * y0; tile[9] += x2 * y1; tile[10] += x2 * y2; tile[11] += x2 * y3;
                    float x3 = a3[q]; tile[12] += x3 * y0; tile[13] += x3 * y1; tile[14] += x3 * y2; tile[15] += x3 * y3;
                }
                StoreTile(tile, problem.C + i * ldc + j, ldc, rows, columns, problem.Accumulate);
            }
        }
    }

    /// <summary>C[i,j] = (accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[j,p] for i0 ≤ i &lt; i1, j0 ≤ j &lt; j1, 8-wide Vector256 along p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB256(in GemmProblem problem, int i0, int i1, int j0, int j1)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        nint ldc = n;
        float* tile = stackalloc float[16];
        for (int i = i0; i < i1; i += 4)
        {
            int rows = Math.Min(4, i1 - i);
            // Rows past m alias the last row: the tile stays 4×4 and the extra results are not stored.
            float* a0 = problem.A + (nint)Math.Min(i + 0, m - 1) * k;
            float* a1 = problem.A + (nint)Math.Min(i + 1, m - 1) * k;
            float* a2 = problem.A + (nint)Math.Min(i + 2, m - 1) * k;
            float* a3 = problem.A + (nint)Math.Min(i + 3, m - 1) * k;
            for (int j = j0; j < j1; j += 4)
            {
                int columns = Math.Min(4, j1 - j);
                float* b0 = problem.B + (nint)Math.Min(j + 0, n - 1) * k;
                float* b1 = problem.B + (nint)Math.Min(j + 1, n - 1) * k;
                float* b2 = problem.B + (nint)Math.Min(j + 2, n - 1) * k;
                float* b3 = problem.B + (nint)Math.Min(j + 3, n - 1) * k;
                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
                Vector256<float> s02 = default, s03 = default, s12 = default, s13 = default, s22 = default, s23 = default, s32 = default, s33 = default;
                int q = 0;
                for (; q <= k - 8; q += 8)
                {
                    Vector256<float> x0 = Vector256.Load(a0 + q), x1 = Vector256.Load(a1 + q), x2 = Vector256.Load(a2 + q), x3 = Vector256.Load(a3 + q);
                    Vector256<float> y0 = Vector256.Load(b0 + q), y1 = Vector256.Load(b1 + q), y2 = Vector256.Load(b2 + q), y3 = Vector256.Load(b3 + q);
                    s00 = Vector256.FusedMultiplyAdd(x0, y0, s00); s01 = Vector256.FusedMultiplyAdd(x0, y1, s01); s02 = Vector256.FusedMultiplyAdd(x0, y2, s02); s03 = Vector256.FusedMultiplyAdd(x0, y3, s03);
                    s10 = Vector256.FusedMultiplyAdd(x1, y0, s10); s11 = Vector256.FusedMultiplyAdd(x1, y1, s11); s12 = Vector256.FusedMultiplyAdd(x1, y2, s12); s13 = Vector256.FusedMultiplyAdd(x1, y3, s13);
                    s20 = Vector256.FusedMultiplyAdd(x2, y0, s20); s21 = Vector256.FusedMultiplyAdd(x2, y1, s21); s22 = Vector256.FusedMultiplyAdd(x2, y2, s22); s23 = Vector256.FusedMultiplyAdd(x2, y3, s23);
                    s30 = Vector256.FusedMultiplyAdd(x3, y0, s30); s31 = Vector256.FusedMultiplyAdd(x3, y1, s31); s32 = Vector256.FusedMultiplyAdd(x3, y2, s32); s33 = Vector256.FusedMultiplyAdd(x3, y3, s33);
                }
                tile[0] = Vector256.Sum(s00); tile[1] = Vector256.Sum(s01); tile[2] = Vector256.Sum(s02); tile[3] = Vector256.Sum(s03);
                tile[4] = Vector256.Sum(s10); tile[5] = Vector256.Sum(s11); tile[6] = Vector256.Sum(s12); tile[7] = Vector256.Sum(s13);
                tile[8] = Vector256.Sum(s20); tile[9] = Vector256.Sum(s21); tile[10] = Vector256.Sum(s22); tile[11] = Vector256.Sum(s23);
                tile[12] = Vector256.Sum(s30); tile[13] = Vector256.Sum(s31); tile[14] = Vector256.Sum(s32); tile[15] = Vector256.Sum(s33);
                for (; q < k; q++)
                {
                    float y0 = b0[q], y1 = b1[q], y2 = b2[q], y3 = b3[q];
                    float x0 = a0[q]; tile[0] += x0 * y0; tile[1] += x0 * y1; tile[2] += x0 * y2; tile[3] += x0 * y3;
                    float x1 = a1[q]; tile[4] += x1 * y0; tile[5] += x1 * y1; tile[6] += x1 * y2; tile[7] += x1 * y3;
                    float x2 = a2[q]; tile[8] += x2 * y0; tile[9] += x2 * y1; tile[10] += x2 * y2; tile[11] += x2 * y3;
                    float x3 = a3[q]; tile[12] += x3 * y0; tile[13] += x3 * y1; tile[14] += x3 * y2; tile[15] += x3 * y3;
                }
                StoreTile(tile, problem.C + i * ldc + j, ldc, rows, columns, problem.Accumulate);
            }
        }
    }

    /// <summary>
    /// C[i,j] = (accumulate ? C[i,j] : 0) + Σ_p A[i,p]·B[j,p] for i0 ≤ i &lt; i1, j0 ≤ j &lt; j1, 4-wide Vector128 along p
    /// (multiply-add as in <see cref="MultiplyAdd128"/>). Each 4×4 tile is two passes of 2×4 dot products: one 4×4
    /// pass needs 16 accumulators + 8 operands, which spilled on x86's 16 SSE registers (DOTNET_EnableAVX=0, GFLOP/s
    /// per CPU-second, `--quick --isa Vector128 --strategy Direct`): 4×4 20 at 10×30×784, 24 at 64×256×784, 23 at
    /// 64×128×256; two 2×4 passes (8 accumulators + 2 + 1 operands + 1 product) 31, 32, 31. The second pass reads
    /// the four B rows again, from L1. Not measured on ARM64, whose 32 registers would hold a whole 4×4 pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TransposedB128(in GemmProblem problem, int i0, int i1, int j0, int j1)
    {
        int m = problem.M, n = problem.N, k = problem.K;
        nint ldc = n;
        float* tile = stackalloc float[16];
        for (int i = i0; i < i1; i += 4)
        {
            int rows = Math.Min(4, i1 - i);
            // Rows past m alias the last row: the tile stays 4×4 and the extra results are not stored.
            float* a0 = problem.A + (nint)Math.Min(i + 0, m - 1) * k;
            float* a1 = problem.A + (nint)Math.Min(i + 1, m - 1) * k;
            float* a2 = problem.A + (nint)Math.Min(i + 2, m - 1) * k;
            float* a3 = problem.A + (nint)Math.Min(i + 3, m - 1) * k;
            for (int j = j0; j < j1; j += 4)
            {
                int columns = Math.Min(4, j1 - j);
                float* b0 = problem.B + (nint)Math.Min(j + 0, n - 1) * k;
                float* b1 = problem.B + (nint)Math.Min(j + 1, n - 1) * k;
                float* b2 = problem.B + (nint)Math.Min(j + 2, n - 1) * k;
                float* b3 = problem.B + (nint)Math.Min(j + 3, n - 1) * k;
                DotProducts2x4(a0, a1, b0, b1, b2, b3, k, tile);
                if (rows > 2) DotProducts2x4(a2, a3, b0, b1, b2, b3, k, tile + 8);
                StoreTile(tile, problem.C + i * ldc + j, ldc, rows, columns, problem.Accumulate);
            }
        }
    }

    /// <summary>tile[r·4 + j] = Σ_p x_r[p]·y_j[p] for r &lt; 2, j &lt; 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void DotProducts2x4(float* a0, float* a1, float* b0, float* b1, float* b2, float* b3, int k, float* tile)
    {
        Vector128<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        int q = 0;
        for (; q <= k - 4; q += 4)
        {
            Vector128<float> x0 = Vector128.Load(a0 + q), x1 = Vector128.Load(a1 + q), y;
            y = Vector128.Load(b0 + q); s00 = MultiplyAdd128.Run(x0, y, s00); s10 = MultiplyAdd128.Run(x1, y, s10);
            y = Vector128.Load(b1 + q); s01 = MultiplyAdd128.Run(x0, y, s01); s11 = MultiplyAdd128.Run(x1, y, s11);
            y = Vector128.Load(b2 + q); s02 = MultiplyAdd128.Run(x0, y, s02); s12 = MultiplyAdd128.Run(x1, y, s12);
            y = Vector128.Load(b3 + q); s03 = MultiplyAdd128.Run(x0, y, s03); s13 = MultiplyAdd128.Run(x1, y, s13);
        }
        tile[0] = Vector128.Sum(s00); tile[1] = Vector128.Sum(s01); tile[2] = Vector128.Sum(s02); tile[3] = Vector128.Sum(s03);
        tile[4] = Vector128.Sum(s10); tile[5] = Vector128.Sum(s11); tile[6] = Vector128.Sum(s12); tile[7] = Vector128.Sum(s13);
        for (; q < k; q++)
        {
            float y0 = b0[q], y1 = b1[q], y2 = b2[q], y3 = b3[q];
            float x0 = a0[q]; tile[0] += x0 * y0; tile[1] += x0 * y1; tile[2] += x0 * y2; tile[3] += x0 * y3;
            float x1 = a1[q]; tile[4] += x1 * y0; tile[5] += x1 * y1; tile[6] += x1 * y2; tile[7] += x1 * y3;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void StoreTile(float* tile, float* c, nint ldc, int rows, int columns, bool accumulate)
    {
        for (int r = 0; r < rows; r++, c += ldc, tile += 4)
        {
            if (accumulate)
                for (int j = 0; j < columns; j++) c[j] += tile[j];
            else
                for (int j = 0; j < columns; j++) c[j] = tile[j];
        }
    }
}
