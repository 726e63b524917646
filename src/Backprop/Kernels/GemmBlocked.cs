using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>
/// One product C (m×n, row-major, row stride n) = op(A)·op(B) (+ C when accumulating), described by pointers.
/// A[i,p] is at A[i·k + p], or at A[p·m + i] when <see cref="ATransposed"/> (A stored k×m);
/// B[p,j] is at B[p·n + j], or at B[j·k + p] when <see cref="BTransposed"/> (B stored n×k).
/// The caller keeps the memory pinned until the product is finished.
/// </summary>
internal unsafe struct GemmProblem
{
    public float* A;
    public float* B;
    public float* C;
    public int M;
    public int N;
    public int K;
    public bool ATransposed;
    public bool BTransposed;
    public bool Accumulate;

    /// <summary>
    /// B already packed whole for the kernel of <see cref="PackedFor"/> (<see cref="GemmPackedWeights"/>), or null to
    /// pack per call. The packed driver then reads its panels in place; <see cref="B"/> still points to B unpacked.
    /// </summary>
    public float* PackedB;

    /// <summary>
    /// B's rows grouped by 4 for the matrix-vector kernel of <see cref="PackedFor"/> (<see cref="GemvKernel.GroupRows"/>), or null
    /// to read B in place.
    /// </summary>
    public float* PackedRows;

    /// <summary>The instruction set whose layouts <see cref="PackedB"/> and <see cref="PackedRows"/> hold.</summary>
    public MatrixInstructionSet PackedFor;

    /// <summary>
    /// A layer's bias b (n values), or null: C[i, j] then becomes C[i, j] + b[j] (and, with <see cref="Relu"/>, that
    /// sum's ReLU) as each part of C is finished, while it is still in cache (<see cref="GemmEpilogue"/>).
    /// </summary>
    public float* Bias;

    /// <summary>With <see cref="Bias"/>: apply ReLU after adding it.</summary>
    public bool Relu;
}

/// <summary>
/// A layer's bias and ReLU applied to a finished part of C, z = a·Wᵀ + b, a = max(z, 0), as inference's forward pass
/// runs them (separate passes over the whole batch cost 2.5–3.5% of 784,1024,1024,10 at batch 256 on one thread). The
/// same operations as the separate passes (an IEEE add, then TensorPrimitives.Max's choices: max(−0, 0) = +0, NaN
/// stays NaN), so the same bits.
/// </summary>
internal static unsafe class GemmEpilogue
{
    /// <summary>Rows [i0, i1) × columns [j0, j1) of C (row stride ldc), with b[j0] at <paramref name="bias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float* c, nint ldc, int rows, int columns, float* bias, bool relu)
    {
        for (int r = 0; r < rows; r++, c += ldc)
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= columns; j += 16)
                {
                    var z = Vector512.Load(c + j) + Vector512.Load(bias + j);
                    if (relu) z = Vector512.ConditionalSelect(Vector512.GreaterThan(z, Vector512<float>.Zero) | ~Vector512.Equals(z, z), z, Vector512<float>.Zero);
                    z.Store(c + j);
                }
            if (Vector128.IsHardwareAccelerated)
                for (; j + 4 <= columns; j += 4)
                {
                    var z = Vector128.Load(c + j) + Vector128.Load(bias + j);
                    if (relu) z = Vector128.ConditionalSelect(Vector128.GreaterThan(z, Vector128<float>.Zero) | ~Vector128.Equals(z, z), z, Vector128<float>.Zero);
                    z.Store(c + j);
                }
            for (; j < columns; j++)
            {
                float z = c[j] + bias[j];
                c[j] = relu && !(z > 0) && !float.IsNaN(z) ? 0f : z;
            }
        }
    }
}

/// <summary>
/// Per-thread packing buffers, allocated once per thread on first use and reused by every product after.
/// Pinned arrays (not native memory) so a thread's workspace is freed with the thread, with no finalizer.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    // Block sizes for Zen 4 and 5 (32–48 KiB L1d, 1 MiB L2 per core, shared L3), tuned with `--quick` (bench/RESULTS.md):
    // Kc 256 → 512 gained ~10% at 1024³ (half the passes over C); Mc and Nc were flat within noise. The depth of a
    // block is the kernel's (IMicroKernel.DepthBlock), and its columns fill a B block of a fixed size.

    /// <summary>Rows of A packed at a time: the A block (Mc×Kc floats, up to 768 KiB) stays in L2.</summary>
    public const int Mc = 192;

    /// <summary>The deepest block of any kernel, the 12×32 kernel's (<see cref="IMicroKernel.DepthBlock"/>): the A buffer is sized by it.</summary>
    public const int MaxKc = 1024;

    /// <summary>Floats in one packed B block, Kc×Nc (4 MiB, in L3): Nc = 2048 columns at Kc = 512, 1024 at Kc = 1024.</summary>
    public const int BlockFloats = 1 << 20;

    /// <summary>Largest Mr×Nr of any micro-kernel: the edge-tile scratch.</summary>
    const int MaxTile = 12 * 32;

    const int Alignment = 64;

    [ThreadStatic] static GemmWorkspace? current;

    readonly float[] storage;

    /// <summary>Packed A block: Mc/Mr micro-panels of Kc×Mr floats.</summary>
    public readonly float* PackedA;

    /// <summary>Packed B block: Nc/Nr micro-panels of Kc×Nr floats.</summary>
    public readonly float* PackedB;

    /// <summary>Scratch tile for edge tiles, written by the micro-kernel then merged into C.</summary>
    public readonly float* Tile;

    GemmWorkspace()
    {
        const int aLength = Mc * MaxKc, bLength = BlockFloats;
        storage = GC.AllocateUninitializedArray<float>(aLength + bLength + MaxTile + Alignment / sizeof(float), pinned: true);
        // 64-byte alignment keeps every 512-bit load of a packed panel inside one cache line.
        nint address = (nint)Unsafe.AsPointer(ref storage[0]);
        float* aligned = (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
        PackedA = aligned;
        PackedB = aligned + aLength;
        Tile = PackedB + bLength;
    }

    public static GemmWorkspace Current => current ??= new GemmWorkspace();
}

/// <summary>
/// The packed, cache-blocked product (Goto/BLIS loop nest): for each Nc column block and Kc depth block pack
/// B; for each Mc row block pack A; then sweep Mr×Nr micro-tiles with the register-tiled kernel. Packing
/// turns every layout (A or Aᵀ, B or Bᵀ) into the same contiguous micro-panels, so one kernel serves all three
/// products, and zero-padding the panels lets edge tiles run the same kernel into a scratch tile.
/// </summary>
internal static unsafe class GemmBlocked
{
    /// <summary>
    /// Up to this many micro-panels of rows (24 with the 12×32 kernel), row-major B is read in place rather
    /// than packed: at batch 10, Δ·W (10×784×30) went from ~57 to ~72 GFLOP/s; larger values were within noise.
    /// </summary>
    const int UnpackedBMaxRows = 2;

    /// <summary>Computes rows [i0, i1) × columns [j0, j1) of C for <paramref name="problem"/> (k ≥ 1) on this thread alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TKernel>(in GemmProblem problem, int i0, int i1, int j0, int j1, GemmWorkspace workspace)
        where TKernel : struct, IMicroKernel
    {
        int nr = TKernel.Nr, k = problem.K, kcBlock = TKernel.DepthBlock, ncBlock = GemmWorkspace.BlockFloats / kcBlock;
        // A pre-broadcast A block takes ACopies floats a value: fewer rows keep it the same size in L2 (192 / 4 = 48 rows).
        int mcBlock = GemmWorkspace.Mc / TKernel.ACopies;
        // With few rows, each B micro-panel would be used at most a few times after packing: the kernel reads
        // row-major B in place instead (backward Δ·W and gradient Δᵀ·A at small batch), packing only the
        // ragged last panel.
        bool packB = problem.BTransposed || i1 - i0 > UnpackedBMaxRows * TKernel.Mr;
        for (int jc = j0; jc < j1; jc += ncBlock)
        {
            int nc = Math.Min(ncBlock, j1 - jc);
            for (int pc = 0; pc < k; pc += kcBlock)
            {
                int kc = Math.Min(kcBlock, k - pc);
                if (problem.PackedB != null)
                {
                    // Packed once for all calls (GemmPackedWeights: jc is on a panel boundary); panels k deep.
                    float* panels = problem.PackedB + (nint)jc * k + (nint)pc * nr;
                    for (int ic = i0; ic < i1; ic += mcBlock)
                        RowBlock<TKernel>(problem, ic, Math.Min(mcBlock, i1 - ic), pc, kc, jc, nc, panels, k, 0, workspace);
                    continue;
                }
                int packedFrom = packB ? 0 : nc / nr * nr;
                PackB<TKernel>(problem, pc, kc, jc + packedFrom, nc - packedFrom, workspace.PackedB + (nint)packedFrom * kc);
                for (int ic = i0; ic < i1; ic += mcBlock)
                    RowBlock<TKernel>(problem, ic, Math.Min(mcBlock, i1 - ic), pc, kc, jc, nc, workspace.PackedB, kc, packedFrom, workspace);
            }
        }
    }

    /// <summary>
    /// Packs A[ic..ic+mc, pc..pc+kc] and sweeps its micro-tiles against the Kc×Nc block of B starting at column
    /// jc: packed micro-panels from <paramref name="packedB"/> (each <paramref name="panelDepth"/>·Nr floats after the
    /// one before), except columns below <paramref name="packedFrom"/>, which the kernel reads from row-major B in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void RowBlock<TKernel>(in GemmProblem problem, int ic, int mc, int pc, int kc, int jc, int nc, float* packedB, nint panelDepth, int packedFrom, GemmWorkspace workspace)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        nint ldc = problem.N, ldb = problem.N;
        // Later depth blocks add to what the first one wrote; the first one overwrites unless accumulating.
        bool add = pc > 0 || problem.Accumulate;
        float* bias = pc + kc == problem.K ? problem.Bias : null;
        // Whole panels of row-major A are read in place when the kernel can (RunInPlaceA; MLAS does the same), and only a
        // short last panel is packed. `--quick`, one thread: 256×128×256 194 → 204 GFLOP/s, 256×256×784 196 → 202,
        // large products flat; inference of 784,256,128,10 at batch 256 615 → 598 µs.
        // Not when A's rows are a multiple of 4 KiB apart: the 12 rows then share one L1 set, and 256×1024×1024 ran at
        // 138 GFLOP/s in place against 194 packed in two of four processes (never slower packed).
        bool inPlace = TKernel.ReadsAInPlace && !problem.ATransposed && problem.K % 1024 != 0;
        int packedRows = inPlace ? mc / mr * mr : 0;
        if (packedRows < mc) PackA<TKernel>(problem, ic + packedRows, mc - packedRows, pc, kc, workspace.PackedA);
        nint lda = problem.K;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int columns = Math.Min(nr, nc - jr);
            float* bPanel = packedB + jr * panelDepth;
            nint bStep = nr;
            if (jr < packedFrom)
            {
                bPanel = problem.B + pc * ldb + jc + jr;
                bStep = ldb;
            }
            float* cColumn = problem.C + jc + jr;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* cTile = cColumn + (ic + ir) * ldc;
                if (ir < packedRows)
                    TileInPlaceA<TKernel>(kc, problem.A + (ic + ir) * lda + pc, lda, bPanel, bStep, cTile, ldc, rows, columns, add, workspace);
                else
                    TilePackedA<TKernel>(kc, workspace.PackedA + (nint)(ir - packedRows) * kc * TKernel.ACopies, bPanel, bStep, cTile, ldc, rows, columns, add, workspace);
                if (bias != null) GemmEpilogue.Apply(cTile, ldc, rows, columns, bias + jc + jr, problem.Relu);
            }
        }
    }

    /// <summary>One tile of C from whole rows of A read in place: into C, or through the scratch tile when its columns are ragged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void TileInPlaceA<TKernel>(int kc, float* aRows, nint lda, float* bPanel, nint bStep, float* cTile, nint ldc, int rows, int columns, bool add, GemmWorkspace workspace)
        where TKernel : struct, IMicroKernel
    {
        int nr = TKernel.Nr;
        if (columns == nr)
        {
            TKernel.RunInPlaceA(kc, aRows, lda, bPanel, bStep, cTile, ldc, add);
        }
        else
        {
            TKernel.RunInPlaceA(kc, aRows, lda, bPanel, bStep, workspace.Tile, nr, add: false);
            MergeTile(workspace.Tile, nr, cTile, ldc, rows, columns, add);
        }
    }

    /// <summary>One tile of C from a packed A micro-panel: whole, short (the edge form), or ragged through the scratch tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void TilePackedA<TKernel>(int kc, float* aPanel, float* bPanel, nint bStep, float* cTile, nint ldc, int rows, int columns, bool add, GemmWorkspace workspace)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        if (rows == mr && columns == nr)
        {
            TKernel.Run(kc, aPanel, bPanel, bStep, cTile, ldc, add);
        }
        else if (rows <= 2 * TKernel.EdgeRows)
        {
            // A short last tile: one or two passes of the short kernel instead of a whole tile mostly of zeros.
            for (int r = 0; r < rows; r += TKernel.EdgeRows)
            {
                int part = Math.Min(TKernel.EdgeRows, rows - r);
                if (part == TKernel.EdgeRows && columns == nr)
                {
                    TKernel.RunEdge(kc, aPanel + r, bPanel, bStep, cTile + r * ldc, ldc, add);
                }
                else
                {
                    TKernel.RunEdge(kc, aPanel + r, bPanel, bStep, workspace.Tile, nr, add: false);
                    MergeTile(workspace.Tile, nr, cTile + r * ldc, ldc, part, columns, add);
                }
            }
        }
        else
        {
            TKernel.Run(kc, aPanel, bPanel, bStep, workspace.Tile, nr, add: false);
            MergeTile(workspace.Tile, nr, cTile, ldc, rows, columns, add);
        }
    }

    /// <summary>
    /// Packs A[ic..ic+mc, pc..pc+kc] as micro-panels of Mr rows: panel t holds A[ic + t·Mr + r, pc + q] at
    /// destination[t·Mr·kc + q·Mr + r], rows past mc zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackA<TKernel>(in GemmProblem problem, int ic, int mc, int pc, int kc, float* destination)
        where TKernel : struct, IMicroKernel
    {
        int mr = TKernel.Mr;
        if (TKernel.ACopies > 1)
        {
            PackABroadcast(problem, ic, mc, pc, kc, destination, mr, TKernel.ACopies);
            return;
        }
        if (problem.ATransposed)
        {
            // Aᵀ storage: one k step of every panel lies in one contiguous source row; walk the rows in order.
            int full = mc / mr * mr;
            float* source = problem.A + (nint)pc * problem.M + ic;
            for (int q = 0; q < kc; q++, source += problem.M)
            {
                float* d = destination + q * mr;
                for (int ir = 0; ir < full; ir += mr, d += (nint)mr * kc) Unsafe.CopyBlockUnaligned(d, source + ir, (uint)(mr * sizeof(float)));
                if (full < mc) CopyPadded(source + full, d, mc - full, mr);
            }
            return;
        }
        for (int ir = 0; ir < mc; ir += mr, destination += (nint)mr * kc)
        {
            // Row-major A: each panel row is a contiguous source row, so packing is a transpose.
            float* source = problem.A + (nint)(ic + ir) * problem.K + pc;
            Transpose(source, problem.K, Math.Min(mr, mc - ir), kc, destination, mr, TKernel.VectorPacking);
        }
    }

    /// <summary>
    /// Packs A as <see cref="PackA{TKernel}"/> does, each value written <paramref name="copies"/> (4) times in a row:
    /// A[ic + t·Mr + r, pc + q] at destination[((t·kc + q)·Mr + r)·4 + 0…3], rows past mc zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void PackABroadcast(in GemmProblem problem, int ic, int mc, int pc, int kc, float* destination, int mr, int copies)
    {
        nint rowStride = problem.ATransposed ? 1 : problem.K, depthStride = problem.ATransposed ? problem.M : 1;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* d = destination + (nint)ir * kc * copies;
            float* source = problem.ATransposed ? problem.A + (nint)pc * problem.M + ic + ir : problem.A + (nint)(ic + ir) * problem.K + pc;
            for (int q = 0; q < kc; q++, source += depthStride)
            {
                int r = 0;
                for (; r < rows; r++, d += copies) Vector128.Store(Vector128.Create(source[r * rowStride]), d);
                for (; r < mr; r++, d += copies) Vector128.Store(Vector128<float>.Zero, d);
            }
        }
    }

    /// <summary>
    /// Packs B[pc..pc+kc, jc..jc+nc] as micro-panels of Nr columns: panel t holds B[pc + q, jc + t·Nr + j] at
    /// destination[t·Nr·kc + q·Nr + j], columns past nc zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void PackB<TKernel>(in GemmProblem problem, int pc, int kc, int jc, int nc, float* destination)
        where TKernel : struct, IMicroKernel
    {
        int nr = TKernel.Nr;
        if (!problem.BTransposed)
        {
            // Row-major B: one k step of every panel lies in one contiguous source row; walk the rows in order.
            int full = nc / nr * nr;
            nint ldb = problem.N;
            float* source = problem.B + pc * ldb + jc;
            for (int q = 0; q < kc; q++, source += ldb)
            {
                float* d = destination + q * nr;
                for (int jr = 0; jr < full; jr += nr, d += (nint)nr * kc) TKernel.CopyPanelRow(source + jr, d);
                if (full < nc) CopyPadded(source + full, d, nc - full, nr);
            }
            return;
        }
        for (int jr = 0; jr < nc; jr += nr, destination += (nint)nr * kc)
        {
            // Bᵀ storage: each panel column is a contiguous source row, so packing is a transpose.
            float* source = problem.B + (nint)(jc + jr) * problem.K + pc;
            Transpose(source, problem.K, Math.Min(nr, nc - jr), kc, destination, nr, TKernel.VectorPacking);
        }
    }

    /// <summary>
    /// destination[q·width + r] = source[r·stride + q] for r &lt; count, q &lt; kc; zero for count ≤ r &lt; width.
    /// With AVX, 8×8 (and 4×8) blocks are transposed in registers: a scalar transpose costs one load and one
    /// strided store per element and, for C = A·Bᵀ, cost as much as a third of the product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Transpose(float* source, nint stride, int count, int kc, float* destination, int width, bool vector)
    {
        int r = 0;
        if (vector && Avx.IsSupported)
        {
            int q8 = kc & ~7;
            for (; r + 8 <= count; r += 8)
            {
                float* s = source + r * stride;
                for (int q = 0; q < q8; q += 8) Transpose8x8(s + q, stride, destination + q * width + r, width);
                TransposeScalar(s + q8, stride, 8, kc - q8, destination + q8 * width + r, width);
            }
            for (; r + 4 <= count; r += 4)
            {
                float* s = source + r * stride;
                for (int q = 0; q < q8; q += 8) Transpose4x8(s + q, stride, destination + q * width + r, width);
                TransposeScalar(s + q8, stride, 4, kc - q8, destination + q8 * width + r, width);
            }
        }
        TransposeScalar(source + r * stride, stride, count - r, kc, destination + r, width);
        for (r = count; r < width; r++)
            for (int q = 0; q < kc; q++) destination[q * width + r] = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TransposeScalar(float* source, nint stride, int count, int kc, float* destination, int width)
    {
        for (int r = 0; r < count; r++, source += stride)
        {
            float* d = destination + r;
            for (int q = 0; q < kc; q++, d += width) *d = source[q];
        }
    }

    /// <summary>Rows r &lt; 8 of 8 floats at source + r·stride become the 8 columns at destination + q·width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8x8(float* source, nint stride, float* destination, nint width)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + stride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * stride), r3 = Avx.LoadVector256(source + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(source + 4 * stride), r5 = Avx.LoadVector256(source + 5 * stride);
        Vector256<float> r6 = Avx.LoadVector256(source + 6 * stride), r7 = Avx.LoadVector256(source + 7 * stride);
        // Interleave pairs of rows, then pairs of pairs: sN holds columns N and N+4 of four rows, one per lane.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        // Join rows 0–3 (sN) with rows 4–7 (sN+4): low lanes give columns 0–3, high lanes columns 4–7.
        Avx.Store(destination, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(destination + width, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(destination + 2 * width, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(destination + 3 * width, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(destination + 4 * width, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(destination + 5 * width, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(destination + 6 * width, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(destination + 7 * width, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>Rows r &lt; 4 of 8 floats at source + r·stride become 8 columns of 4 at destination + q·width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose4x8(float* source, nint stride, float* destination, nint width)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + stride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * stride), r3 = Avx.LoadVector256(source + 3 * stride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Sse.Store(destination, s0.GetLower());
        Sse.Store(destination + width, s1.GetLower());
        Sse.Store(destination + 2 * width, s2.GetLower());
        Sse.Store(destination + 3 * width, s3.GetLower());
        Sse.Store(destination + 4 * width, s0.GetUpper());
        Sse.Store(destination + 5 * width, s1.GetUpper());
        Sse.Store(destination + 6 * width, s2.GetUpper());
        Sse.Store(destination + 7 * width, s3.GetUpper());
    }

    /// <summary>destination[i] = source[i] for i &lt; count, 0 for count ≤ i &lt; width: one k step of a ragged panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void CopyPadded(float* source, float* destination, int count, int width)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(source + i), destination + i);
        for (; i < count; i++) destination[i] = source[i];
        for (; i < width; i++) destination[i] = 0;
    }

    /// <summary>C[r, j] (+)= tile[r, j] for r &lt; rows, j &lt; columns: the valid part of an edge tile.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static void MergeTile(float* tile, nint ldt, float* c, nint ldc, int rows, int columns, bool add)
    {
        for (int r = 0; r < rows; r++, tile += ldt, c += ldc)
        {
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= columns; j += 8)
                {
                    var value = Vector256.Load(tile + j);
                    if (add) value += Vector256.Load(c + j);
                    Vector256.Store(value, c + j);
                }
            }
            for (; j < columns; j++) c[j] = add ? c[j] + tile[j] : tile[j];
        }
    }
}
