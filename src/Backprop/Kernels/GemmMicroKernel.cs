using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// A register-tiled micro-kernel: one Mr×Nr tile of C from one packed A micro-panel and one packed B
/// micro-panel. Implemented by structs so the blocked driver is specialised (and the calls inlined) per kernel.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of the C tile; A micro-panels hold Mr values per k step.</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of the C tile; B micro-panels hold Nr values per k step.</summary>
    static abstract int Nr { get; }

    /// <summary>
    /// C[r, j] = (add ? C[r, j] : 0) + Σ_{p&lt;kc} a[p·Mr + r] · b[p·bStep + j] for r &lt; Mr, j &lt; Nr;
    /// C[r, j] lives at c[r·ldc + j]. bStep is Nr for a packed B micro-panel, or the row stride n when the
    /// kernel reads an unpacked row-major B in place.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add);

    /// <summary>Copies Nr contiguous floats (one k step of a B micro-panel when B is not transposed).</summary>
    static abstract void CopyPanelRow(float* source, float* destination);

    /// <summary>Whether packing may use SIMD transposes (false keeps the scalar path free of any intrinsics).</summary>
    static abstract bool VectorPacking { get; }

    /// <summary>
    /// Copies of each A value in the packed A micro-panel: 1, or 4 when the kernel loads A pre-broadcast (a k step
    /// of the panel is then Mr groups of 4 equal floats, A[r, p] at a[(p·Mr + r)·4 + 0…3]).
    /// </summary>
    static abstract int ACopies { get; }

    /// <summary>Depth Kc of one packed block: a product with k ≤ Kc adds into C once.</summary>
    static virtual int DepthBlock => 512;

    /// <summary>
    /// Rows of the short kernel <see cref="RunEdge"/> for a last row tile of few rows, or 0 when there is none and such
    /// a tile runs the whole kernel into scratch. Only kernels with <see cref="ACopies"/> 1 have one.
    /// </summary>
    static virtual int EdgeRows => 0;

    /// <summary>
    /// As <see cref="Run"/>, for the first <see cref="EdgeRows"/> rows of the A micro-panel only (still Mr values per k
    /// step), with each element's sum taken in the same order, so results are bit-identical to <see cref="Run"/>'s.
    /// </summary>
    static virtual void RunEdge(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add) =>
        throw new System.Diagnostics.UnreachableException("this micro-kernel has no short form");

    /// <summary>Whether <see cref="RunInPlaceA"/> exists: row-major A is then read where it lies instead of packed.</summary>
    static virtual bool ReadsAInPlace => false;

    /// <summary>
    /// As <see cref="Run"/>, with the Mr rows of A read in place from row-major storage, row r at a + r·lda, and each
    /// element's sum taken in the same order, so results are bit-identical to <see cref="Run"/>'s.
    /// </summary>
    static virtual void RunInPlaceA(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, bool add) =>
        throw new System.Diagnostics.UnreachableException("this micro-kernel reads A packed only");
}

/// <summary>
/// 12×32 tile for AVX-512: 24 zmm accumulators + 2 for the B row + 1 broadcast fit the 32 zmm registers.
/// Each k step issues 24 FMAs against 2 vector loads and 12 broadcasts, so the FMA pipes, not the load
/// ports, are the limit (Zen 4 retires one 512-bit FMA per cycle; latency 4 is hidden by 24 chains).
/// </summary>
internal readonly unsafe struct MicroKernel512 : IMicroKernel
{
    public static int Mr => 12;
    public static int Nr => 32;
    public static bool VectorPacking => true;
    public static int ACopies => 1;

    /// <remarks>
    /// One block for k up to 1024: inference of 784,256,128,10 and 784,1024,1024,10 at batch 256 on one thread took
    /// 1.5–3% less time than with 512 (six interleaved pairs); Fashion-MNIST epochs of C were unchanged. The 256- and
    /// 128-bit kernels keep 512: with 1024 their 256×1024×1024 fell 2–8%.
    /// </remarks>
    public static int DepthBlock => GemmWorkspace.MaxKc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPanelRow(float* source, float* destination)
    {
        Vector512.Store(Vector512.Load(source), destination);
        Vector512.Store(Vector512.Load(source + 16), destination + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add) => RunRows(kc, a, 1, 12, b, bStep, c, ldc, add);

    public static bool ReadsAInPlace => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunInPlaceA(int kc, float* a, nint lda, float* b, nint bStep, float* c, nint ldc, bool add) => RunRows(kc, a, lda, 1, b, bStep, c, ldc, add);

    /// <summary>
    /// The tile with A[r, p] at a[r·rowStride + p·depthStride]: a packed micro-panel (1, 12) or rows of A in place (lda, 1).
    /// Three row pointers and three strides address all 12 rows (row 4g + i at a_g + l_i, x64's base + index·4), so
    /// both layouts run the same loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void RunRows(int kc, float* a, nint rowStride, nint depthStride, float* b, nint bStep, float* c, nint ldc, bool add)
    {
        PrefetchTile(c, ldc, 12);
        float* a0 = a, a4 = a + 4 * rowStride, a8 = a + 8 * rowStride;
        nint l1 = rowStride, l2 = 2 * rowStride, l3 = 3 * rowStride;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), s;
            s = Vector512.Create(a0[0]); c00 = Vector512.FusedMultiplyAdd(s, b0, c00); c01 = Vector512.FusedMultiplyAdd(s, b1, c01);
            s = Vector512.Create(a0[l1]); c10 = Vector512.FusedMultiplyAdd(s, b0, c10); c11 = Vector512.FusedMultiplyAdd(s, b1, c11);
            s = Vector512.Create(a0[l2]); c20 = Vector512.FusedMultiplyAdd(s, b0, c20); c21 = Vector512.FusedMultiplyAdd(s, b1, c21);
            s = Vector512.Create(a0[l3]); c30 = Vector512.FusedMultiplyAdd(s, b0, c30); c31 = Vector512.FusedMultiplyAdd(s, b1, c31);
            s = Vector512.Create(a4[0]); c40 = Vector512.FusedMultiplyAdd(s, b0, c40); c41 = Vector512.FusedMultiplyAdd(s, b1, c41);
            s = Vector512.Create(a4[l1]); c50 = Vector512.FusedMultiplyAdd(s, b0, c50); c51 = Vector512.FusedMultiplyAdd(s, b1, c51);
            s = Vector512.Create(a4[l2]); c60 = Vector512.FusedMultiplyAdd(s, b0, c60); c61 = Vector512.FusedMultiplyAdd(s, b1, c61);
            s = Vector512.Create(a4[l3]); c70 = Vector512.FusedMultiplyAdd(s, b0, c70); c71 = Vector512.FusedMultiplyAdd(s, b1, c71);
            s = Vector512.Create(a8[0]); c80 = Vector512.FusedMultiplyAdd(s, b0, c80); c81 = Vector512.FusedMultiplyAdd(s, b1, c81);
            s = Vector512.Create(a8[l1]); c90 = Vector512.FusedMultiplyAdd(s, b0, c90); c91 = Vector512.FusedMultiplyAdd(s, b1, c91);
            s = Vector512.Create(a8[l2]); ca0 = Vector512.FusedMultiplyAdd(s, b0, ca0); ca1 = Vector512.FusedMultiplyAdd(s, b1, ca1);
            s = Vector512.Create(a8[l3]); cb0 = Vector512.FusedMultiplyAdd(s, b0, cb0); cb1 = Vector512.FusedMultiplyAdd(s, b1, cb1);
            a0 += depthStride;
            a4 += depthStride;
            a8 += depthStride;
            b += bStep;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add); c += ldc;
        Store(c, c40, c41, add); c += ldc;
        Store(c, c50, c51, add); c += ldc;
        Store(c, c60, c61, add); c += ldc;
        Store(c, c70, c71, add); c += ldc;
        Store(c, c80, c81, add); c += ldc;
        Store(c, c90, c91, add); c += ldc;
        Store(c, ca0, ca1, add); c += ldc;
        Store(c, cb0, cb1, add);
    }

    /// <remarks>
    /// 4×32: 8 accumulators, as many chains as two FMA pipes of latency 4 need. A batch of 64 or 256 rows ends in a
    /// 4-row tile that the 12-row kernel would compute two thirds in vain (B's batch of 64: 8 of 72 rows).
    /// </remarks>
    public static int EdgeRows => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunEdge(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add)
    {
        PrefetchTile(c, ldc, 4);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), s;
            s = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(s, b0, c00); c01 = Vector512.FusedMultiplyAdd(s, b1, c01);
            s = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(s, b0, c10); c11 = Vector512.FusedMultiplyAdd(s, b1, c11);
            s = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(s, b0, c20); c21 = Vector512.FusedMultiplyAdd(s, b1, c21);
            s = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(s, b0, c30); c31 = Vector512.FusedMultiplyAdd(s, b1, c31);
            a += 12;
            b += bStep;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add);
    }

    /// <summary>
    /// Starts fetching the C tile (two lines per row) so its load after the k loop does not stall: C rows are
    /// n floats apart, typically on different pages and, for n a multiple of 1024, in the same L1 set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrefetchTile(float* c, nint ldc, int rows)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 15);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, Vector512<float> left, Vector512<float> right, bool add)
    {
        if (add)
        {
            left += Vector512.Load(c);
            right += Vector512.Load(c + 16);
        }
        Vector512.Store(left, c);
        Vector512.Store(right, c + 16);
    }
}

/// <summary>
/// 6×16 tile for AVX2 + FMA: 12 ymm accumulators + 2 for the B row + 1 broadcast fit the 16 ymm registers,
/// and 12 independent chains cover FMA latency × 2 pipes.
/// </summary>
internal readonly unsafe struct MicroKernel256 : IMicroKernel
{
    public static int Mr => 6;
    public static int Nr => 16;
    public static bool VectorPacking => true;
    public static int ACopies => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPanelRow(float* source, float* destination)
    {
        Vector256.Store(Vector256.Load(source), destination);
        Vector256.Store(Vector256.Load(source + 8), destination + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add)
    {
        MicroKernel512.PrefetchTile(c, ldc, 6);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8), s;
            s = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(s, b0, c00); c01 = Vector256.FusedMultiplyAdd(s, b1, c01);
            s = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(s, b0, c10); c11 = Vector256.FusedMultiplyAdd(s, b1, c11);
            s = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(s, b0, c20); c21 = Vector256.FusedMultiplyAdd(s, b1, c21);
            s = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(s, b0, c30); c31 = Vector256.FusedMultiplyAdd(s, b1, c31);
            s = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(s, b0, c40); c41 = Vector256.FusedMultiplyAdd(s, b1, c41);
            s = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(s, b0, c50); c51 = Vector256.FusedMultiplyAdd(s, b1, c51);
            a += 6;
            b += bStep;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add); c += ldc;
        Store(c, c40, c41, add); c += ldc;
        Store(c, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, Vector256<float> left, Vector256<float> right, bool add)
    {
        if (add)
        {
            left += Vector256.Load(c);
            right += Vector256.Load(c + 8);
        }
        Vector256.Store(left, c);
        Vector256.Store(right, c + 8);
    }
}

/// <summary>
/// 6×8 tile of <see cref="Vector128{T}"/> for processors with 128-bit SIMD only: ARM64 (NEON), x86 without AVX,
/// WebAssembly. 12 accumulators + 2 for the B row + 1 broadcast + 1 product (no FMA) are exactly the 16 SSE
/// registers. Measured as temporary variants of this kernel alone on cache-resident panels (as `--kernel` runs
/// them; GFLOP/s per CPU-second, two runs on a loaded machine): under DOTNET_EnableAVX=0 the tiles that fit, 4×8,
/// 5×8, 3×12 and 6×8, ran 36–40 (one 6×8 reading 28), and every tile that spills (8×8, 4×12, 6×12, 8×12, 12×8)
/// 27–33; of those that fit, 6×8 loads the fewest operands per multiply-add. With FMA and 32 registers (forced on
/// the AVX-512 machine, whose EVEX encoding gives 32 xmm registers as NEON has 32), 6×8 ran 52 and 8×8, 12×8, 8×12
/// and 6×12 51–53: no larger tile earned its place, so ARM64 runs the same 6×8 (not measured on an ARM processor).
/// </summary>
internal readonly unsafe struct MicroKernel128 : IMicroKernel
{
    public static int Mr => 6;
    public static int Nr => 8;
    public static bool VectorPacking => true;
    public static int ACopies => PreBroadcast ? 4 : 1;

    /// <summary>
    /// Whether A is packed pre-broadcast: on x86 without FMA (SSE), where broadcasting a float costs a load and a
    /// shuffle (movss + shufps; SSE has no broadcast load) and the shuffles compete with the multiplies and adds for
    /// the FP pipes; a pre-broadcast value is one aligned 16-byte load that the multiply takes as its memory operand.
    /// </summary>
    public static readonly bool PreBroadcast = Sse.IsSupported && !Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPanelRow(float* source, float* destination)
    {
        Vector128.Store(Vector128.Load(source), destination);
        Vector128.Store(Vector128.Load(source + 4), destination + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add)
    {
        MicroKernel512.PrefetchTile(c, ldc, 6);
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (PreBroadcast)
        {
            for (int p = 0; p < kc; p++)
            {
                Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), s;
                s = Vector128.LoadAligned(a); c00 += s * b0; c01 += s * b1;
                s = Vector128.LoadAligned(a + 4); c10 += s * b0; c11 += s * b1;
                s = Vector128.LoadAligned(a + 8); c20 += s * b0; c21 += s * b1;
                s = Vector128.LoadAligned(a + 12); c30 += s * b0; c31 += s * b1;
                s = Vector128.LoadAligned(a + 16); c40 += s * b0; c41 += s * b1;
                s = Vector128.LoadAligned(a + 20); c50 += s * b0; c51 += s * b1;
                a += 24;
                b += bStep;
            }
        }
        else
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), s;
            s = Vector128.Create(a[0]); c00 = MultiplyAdd128.Run(s, b0, c00); c01 = MultiplyAdd128.Run(s, b1, c01);
            s = Vector128.Create(a[1]); c10 = MultiplyAdd128.Run(s, b0, c10); c11 = MultiplyAdd128.Run(s, b1, c11);
            s = Vector128.Create(a[2]); c20 = MultiplyAdd128.Run(s, b0, c20); c21 = MultiplyAdd128.Run(s, b1, c21);
            s = Vector128.Create(a[3]); c30 = MultiplyAdd128.Run(s, b0, c30); c31 = MultiplyAdd128.Run(s, b1, c31);
            s = Vector128.Create(a[4]); c40 = MultiplyAdd128.Run(s, b0, c40); c41 = MultiplyAdd128.Run(s, b1, c41);
            s = Vector128.Create(a[5]); c50 = MultiplyAdd128.Run(s, b0, c50); c51 = MultiplyAdd128.Run(s, b1, c51);
            a += 6;
            b += bStep;
        }
        Store(c, c00, c01, add); c += ldc;
        Store(c, c10, c11, add); c += ldc;
        Store(c, c20, c21, add); c += ldc;
        Store(c, c30, c31, add); c += ldc;
        Store(c, c40, c41, add); c += ldc;
        Store(c, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, Vector128<float> left, Vector128<float> right, bool add)
    {
        if (add)
        {
            left += Vector128.Load(c);
            right += Vector128.Load(c + 4);
        }
        Vector128.Store(left, c);
        Vector128.Store(right, c + 4);
    }
}

/// <summary>
/// x·y + z on <see cref="Vector128{T}"/>: one fused instruction where the processor has one (ARM64 AdvSimd, x86
/// FMA), else a multiply then an add. Not <see cref="Vector128.FusedMultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/>
/// everywhere: without hardware FMA it is emulated lane by lane (x86 without AVX; WebAssembly, whose SIMD has no
/// FMA), slower than the scalar tiles. The condition is a JIT-time constant, so each processor compiles one branch.
/// </summary>
internal static class MultiplyAdd128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Run(Vector128<float> x, Vector128<float> y, Vector128<float> z) =>
        Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(x, y, z) : x * y + z;
}

/// <summary>
/// 4×4 scalar tile for processors without SIMD acceleration: 16 accumulators in registers, each A and B value
/// loaded once per k step and used four times.
/// </summary>
internal readonly unsafe struct MicroKernelScalar : IMicroKernel
{
    public static int Mr => 4;
    public static int Nr => 4;
    public static bool VectorPacking => false;
    public static int ACopies => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyPanelRow(float* source, float* destination)
    {
        destination[0] = source[0];
        destination[1] = source[1];
        destination[2] = source[2];
        destination[3] = source[3];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint bStep, float* c, nint ldc, bool add)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], s;
            s = a[0]; c00 += s * b0; c01 += s * b1; c02 += s * b2; c03 += s * b3;
            s = a[1]; c10 += s * b0; c11 += s * b1; c12 += s * b2; c13 += s * b3;
            s = a[2]; c20 += s * b0; c21 += s * b1; c22 += s * b2; c23 += s * b3;
            s = a[3]; c30 += s * b0; c31 += s * b1; c32 += s * b2; c33 += s * b3;
            a += 4;
            b += bStep;
        }
        Store(c, c00, c01, c02, c03, add); c += ldc;
        Store(c, c10, c11, c12, c13, add); c += ldc;
        Store(c, c20, c21, c22, c23, add); c += ldc;
        Store(c, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, float v0, float v1, float v2, float v3, bool add)
    {
        if (add)
        {
            c[0] += v0; c[1] += v1; c[2] += v2; c[3] += v3;
        }
        else
        {
            c[0] = v0; c[1] = v1; c[2] = v2; c[3] = v3;
        }
    }
}
