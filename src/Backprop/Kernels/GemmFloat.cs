using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>How a product is computed; <see cref="Auto"/> picks by size.</summary>
internal enum GemmStrategy
{
    Auto,

    /// <summary>Unpacked dot-product tiles (<see cref="GemmDirect"/>) for C = A·Bᵀ; the other products stay packed.</summary>
    Direct,

    /// <summary>Packed, cache-blocked micro-kernels (<see cref="GemmBlocked"/>).</summary>
    Packed,

    /// <summary>Matrix-vector dot products (<see cref="GemvKernel"/>) for C = A·Bᵀ with one row of A; any other product as <see cref="Auto"/>.</summary>
    MatrixVector,
}

/// <summary>A forced configuration. <see cref="Threads"/> 0 means by size; 1 the calling thread only; 2 also the worker.</summary>
internal readonly record struct GemmSettings(MatrixInstructionSet InstructionSet, GemmStrategy Strategy = GemmStrategy.Auto, int Threads = 0);

/// <summary>
/// float products for training: packed, cache-blocked, register-tiled SIMD micro-kernels; large products split
/// over the calling thread and one persistent worker; small forward products on unpacked dot-product tiles.
/// Semantics are exactly <see cref="GemmReference"/>'s (row-major; accumulate adds into C). No call allocates
/// after the first one on a thread (which allocates that thread's packing buffers).
/// </summary>
internal static unsafe class GemmFloat
{
    /// <summary>The best instruction set this processor accelerates.</summary>
    public static readonly MatrixInstructionSet Detected =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? MatrixInstructionSet.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? MatrixInstructionSet.Vector256
        : Vector128.IsHardwareAccelerated ? MatrixInstructionSet.Vector128
        : MatrixInstructionSet.Scalar;

    /// <summary>
    /// Products below this many multiply-adds (m·n·k, here 2 Mflop) stay on the calling thread. Measured on
    /// Zen 4: two threads were 1.2–1.4× faster at 64×128×128 (1 M), 1.7–1.9× at 2 M, mixed at 0.5 M; the
    /// handshake costs ~3 µs while the worker is still polling (see bench/RESULTS.md).
    /// </summary>
    public const long ParallelThreshold = 1L << 20;

    /// <summary>
    /// The same for one example's matrix-vector product (m = 1, 128 K multiply-adds: 512 KiB of weights). It reads each
    /// weight once, so it is bound by memory, and a second core brings a second share of bandwidth. Measured
    /// (`--inference`, two threads, batch 1, three runs each, µs): 784,1024,1024,10 60.9–72.6 at 1 M (its 784×1024
    /// layer then stayed on one thread) against 46.9–61.2 at 128 K; 784,256,128,10 7.0–10.7 against 4.7–7.4; 64 K
    /// and 32 K no better.
    /// </summary>
    public const long MatrixVectorParallelThreshold = 1L << 17;

    /// <summary>
    /// C = A·Bᵀ (the forward pass) skips packing when k is long enough to amortise the horizontal sums of the
    /// dot-product tiles and either a side is narrow (micro-tiles would be mostly padding) or, below 512 bits, k is
    /// long and the product small enough that packing B would cost a good share of it. Measured with `--quick`, one
    /// thread, GFLOP/s direct against packed: direct wins 10×30×784 (118 vs 55), 256×10×1024 (108 vs 43), 16×256×784
    /// (130 vs 113); packing wins 64×128×256 (114 vs 166). For 64×256×784: 127 vs 173 with the 12×32 kernel (its
    /// 4-row edge form and A read in place), but 94 vs 92 with the 256-bit kernel and 42 vs 37 under SSE; 32×256×784
    /// 99 vs 78 (256-bit), 42 vs 31 (SSE).
    /// </summary>
    static bool PrefersDirect(in GemmProblem problem, MatrixInstructionSet instructionSet) =>
        problem.K >= 128 && (problem.N < 64 || problem.M < 24
            || (instructionSet != MatrixInstructionSet.Vector512 && problem.K >= 512 && (long)problem.M * problem.N * problem.K <= 1L << 24));

    [ThreadStatic] static GemmSettings? forced;

    /// <summary>The instruction set products on the calling thread run on: the forced one, else <see cref="Detected"/>.</summary>
    public static MatrixInstructionSet Current => forced?.InstructionSet ?? Detected;

    /// <summary>Forces <paramref name="settings"/> on the calling thread until the returned scope is disposed (tests, benchmarks).</summary>
    public static Scope Force(GemmSettings settings)
    {
        var scope = new Scope(forced);
        forced = settings;
        return scope;
    }

    /// <summary>Restores the previously forced settings.</summary>
    public readonly struct Scope(GemmSettings? previous) : IDisposable
    {
        public void Dispose() => forced = previous;
    }

    /// <inheritdoc cref="GemmReference.MultiplyTransposedB{T}"/>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k);
        fixed (float* pa = a, pb = b, pc = c)
            Execute(new GemmProblem { A = pa, B = pb, C = pc, M = m, N = n, K = k, BTransposed = true, Accumulate = accumulate });
    }

    /// <summary>
    /// C = A·Wᵀ (+ C when accumulating) for the weights <paramref name="b"/> packed once (inference): A is m×b.K, C is
    /// m×b.N. The same strategy and the same bits as <see cref="MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/> on the unpacked weights; only
    /// the packed kernels of <see cref="GemmPackedWeights.InstructionSet"/> skip their per-call packing of B.
    /// </summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, GemmPackedWeights b, Span<float> c, int m, bool accumulate) =>
        Packed(a, b, c, m, accumulate, bias: default, relu: false);

    /// <summary>
    /// z = a·Wᵀ + b, or a = max(z, 0) with <paramref name="relu"/>, for the weights <paramref name="w"/> packed once: a
    /// layer of inference in one call. The bias and ReLU are applied to each part of z as it is finished, with the
    /// operations and bits of a separate pass (<see cref="GemmEpilogue"/>).
    /// </summary>
    public static void Layer(ReadOnlySpan<float> a, GemmPackedWeights w, ReadOnlySpan<float> bias, bool relu, Span<float> z, int m)
    {
        if (bias.Length != w.N) throw new ArgumentException($"the bias has {bias.Length} values for {w.N} outputs", nameof(bias));
        Packed(a, w, z, m, accumulate: false, bias, relu);
    }

    /// <summary>C = A·Wᵀ (+ C), then, when <paramref name="bias"/> is not empty, its epilogue (w.K ≥ 1: <see cref="GemmPackedWeights.Pack"/>).</summary>
    static void Packed(ReadOnlySpan<float> a, GemmPackedWeights w, Span<float> c, int m, bool accumulate, ReadOnlySpan<float> bias, bool relu)
    {
        CheckShapes(a.Length, w.Weights.Length, c.Length, m, w.N, w.K);
        fixed (float* pa = a, pb = w.Weights, pc = c, pbias = bias)
            Execute(new GemmProblem
            {
                A = pa, B = pb, C = pc, M = m, N = w.N, K = w.K, BTransposed = true, Accumulate = accumulate,
                PackedB = w.Panels, PackedRows = w.Rows, PackedFor = w.InstructionSet, Bias = pbias, Relu = relu,
            });
    }

    /// <inheritdoc cref="GemmReference.Multiply{T}"/>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k);
        fixed (float* pa = a, pb = b, pc = c)
            Execute(new GemmProblem { A = pa, B = pb, C = pc, M = m, N = n, K = k, Accumulate = accumulate });
    }

    /// <inheritdoc cref="GemmReference.MultiplyTransposedA{T}"/>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate)
    {
        CheckShapes(a.Length, b.Length, c.Length, m, n, k);
        fixed (float* pa = a, pb = b, pc = c)
            Execute(new GemmProblem { A = pa, B = pb, C = pc, M = m, N = n, K = k, ATransposed = true, Accumulate = accumulate });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Execute(GemmProblem problem)
    {
        if (problem.M == 0 || problem.N == 0) return;
        if (problem.K == 0)
        {
            // An empty sum: C = 0, or C unchanged when accumulating.
            if (!problem.Accumulate) new Span<float>(problem.C, problem.M * problem.N).Clear();
            return;
        }

        GemmSettings settings = forced ?? new GemmSettings(Detected);
        // Panels packed for another kernel (a test or benchmark forcing a set) are not used: B is packed per call.
        if (problem.PackedFor != settings.InstructionSet)
        {
            problem.PackedB = null;
            problem.PackedRows = null;
        }
        long multiplyAdds = (long)problem.M * problem.N * problem.K;
        // One example's forward pass, z = W a, is a matrix-vector product: the tiles of the other kernels would waste
        // most of their work on it (see GemvKernel, which has 512- and 256-bit forms only: on a 128-bit processor its
        // Vector256 form would be emulated, so there the direct 128-bit tiles take the product).
        bool vector = problem.M == 1 && problem.BTransposed && settings.InstructionSet is MatrixInstructionSet.Vector512 or MatrixInstructionSet.Vector256
                      && settings.Strategy is GemmStrategy.Auto or GemmStrategy.MatrixVector;
        bool direct = !vector && problem.BTransposed && settings.InstructionSet != MatrixInstructionSet.Scalar && settings.Strategy switch
        {
            GemmStrategy.Direct => true,
            GemmStrategy.Packed => false,
            _ => PrefersDirect(problem, settings.InstructionSet),
        };
        var whole = new GemmWorker.Job { Problem = problem, InstructionSet = settings.InstructionSet, Direct = direct, MatrixVector = vector, I1 = problem.M, J1 = problem.N };
        bool split = settings.Threads switch
        {
            1 => false,
            0 => multiplyAdds >= (vector ? MatrixVectorParallelThreshold : ParallelThreshold) && Environment.ProcessorCount > 1,
            _ => true,
        };
        if (split && GemmWorker.Available && Split(whole, out var mine, out var theirs) && GemmWorker.Instance.TryShare(mine, theirs)) return;
        RunPart(whole);
    }

    /// <summary>
    /// Shares C between two threads: halved along its longer side on tile boundaries, each half packing (or reading
    /// in place) its own operands. The packing that is then done twice (all of A for a column split, all of B for a
    /// row split) is 1/n or 1/m of the work.
    /// </summary>
    /// <remarks>
    /// Two threads once computed tall products as a team sharing one packed B, taking 12-row chunks dynamically.
    /// On the 2-core Zen 5 host of 2026-12 (a 512-bit FMA per pipe, twice Zen 4's flops per cycle) every chunk
    /// streamed the whole packed B block from L3, and the static halves measured faster at every size tried
    /// (`--quick`, GFLOP/s, quiet): 256×1024×1024 278–291 against 337–378, 1024×1024×256 345–348 against 380–392,
    /// 256×1024×784 258–267 against 361–373; also with the 256- and 128-bit kernels. C's epoch went from 2.41–2.46 s
    /// to 1.96–1.98 s. A caller whose worker has not started its half by the time the caller's is done runs that
    /// half too (<see cref="GemmWorker.TryShare"/>), so a worker waiting for a core does not hold the product up.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool Split(in GemmWorker.Job whole, out GemmWorker.Job first, out GemmWorker.Job second)
    {
        (int mr, int nr) = whole.Direct || whole.MatrixVector ? (4, 4) : whole.InstructionSet switch
        {
            MatrixInstructionSet.Vector512 => (MicroKernel512.Mr, MicroKernel512.Nr),
            MatrixInstructionSet.Vector256 => (MicroKernel256.Mr, MicroKernel256.Nr),
            MatrixInstructionSet.Vector128 => (MicroKernel128.Mr, MicroKernel128.Nr),
            _ => (MicroKernelScalar.Mr, MicroKernelScalar.Nr),
        };
        first = second = whole;
        int m = whole.Problem.M, n = whole.Problem.N;
        int rowHalf = (m / 2 + mr - 1) / mr * mr, columnHalf = (n / 2 + nr - 1) / nr * nr;
        if (n >= m && 0 < columnHalf && columnHalf < n)
            first.J1 = second.J0 = columnHalf;
        else if (0 < rowHalf && rowHalf < m)
            first.I1 = second.I0 = rowHalf;
        else
            return false;
        return true;
    }

    /// <summary>Computes one job's rectangle of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RunPart(in GemmWorker.Job job)
    {
        if (job.MatrixVector)
        {
            float* rows = job.Problem.PackedRows;
            if (job.InstructionSet == MatrixInstructionSet.Vector512)
            {
                if (rows != null) GemvKernel.TransposedB512(job.Problem, rows, job.J0, job.J1);
                else GemvKernel.TransposedB512(job.Problem, job.J0, job.J1);
            }
            else
            {
                if (rows != null) GemvKernel.TransposedB256(job.Problem, rows, job.J0, job.J1);
                else GemvKernel.TransposedB256(job.Problem, job.J0, job.J1);
            }
            FinishPart(job);
            return;
        }
        if (job.Direct)
        {
            switch (job.InstructionSet)
            {
                case MatrixInstructionSet.Vector512: GemmDirect.TransposedB512(job.Problem, job.I0, job.I1, job.J0, job.J1); break;
                case MatrixInstructionSet.Vector256: GemmDirect.TransposedB256(job.Problem, job.I0, job.I1, job.J0, job.J1); break;
                default: GemmDirect.TransposedB128(job.Problem, job.I0, job.I1, job.J0, job.J1); break;
            }
            FinishPart(job);
            return;
        }
        var workspace = GemmWorkspace.Current;
        switch (job.InstructionSet)
        {
            case MatrixInstructionSet.Vector512:
                GemmBlocked.Run<MicroKernel512>(job.Problem, job.I0, job.I1, job.J0, job.J1, workspace);
                break;
            case MatrixInstructionSet.Vector256:
                GemmBlocked.Run<MicroKernel256>(job.Problem, job.I0, job.I1, job.J0, job.J1, workspace);
                break;
            case MatrixInstructionSet.Vector128:
                GemmBlocked.Run<MicroKernel128>(job.Problem, job.I0, job.I1, job.J0, job.J1, workspace);
                break;
            default:
                GemmBlocked.Run<MicroKernelScalar>(job.Problem, job.I0, job.I1, job.J0, job.J1, workspace);
                break;
        }
    }

    /// <summary>The bias and ReLU of a layer (<see cref="Layer"/>) on a job's rectangle, for the kernels that write C whole; the packed
    /// driver applies them tile by tile instead.</summary>
    static void FinishPart(in GemmWorker.Job job)
    {
        ref readonly var p = ref job.Problem;
        if (p.Bias != null)
            GemmEpilogue.Apply(p.C + (nint)job.I0 * p.N + job.J0, p.N, job.I1 - job.I0, job.J1 - job.J0, p.Bias + job.J0, p.Relu);
    }

    static void CheckShapes(int aLength, int bLength, int cLength, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0) ThrowNegative(m, n, k);
        // Reads and writes go through raw pointers, so a short span must fail here rather than corrupt memory.
        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n)
            ThrowTooShort(aLength, bLength, cLength, m, n, k);
    }

    [DoesNotReturn]
    static void ThrowNegative(int m, int n, int k) =>
        throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be non-negative, got m={m}, n={n}, k={k}.");

    [DoesNotReturn]
    static void ThrowTooShort(int aLength, int bLength, int cLength, int m, int n, int k) =>
        throw new ArgumentException(
            $"GEMM spans too short for m={m}, n={n}, k={k}: A has {aLength} (needs {(long)m * k}), B has {bLength} (needs {(long)k * n}), C has {cLength} (needs {(long)m * n}).");
}
