using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// A weight matrix W (n×k, row-major) held for C = A·Wᵀ twice: as it is (for the dot-product tiles and the
/// matrix-vector kernel, which read W in place) and packed once into the B micro-panels of one instruction set's
/// kernel, which <see cref="GemmBlocked"/> would otherwise pack on every call. Inference runs the same weights
/// again and again (ONNX Runtime pre-packs them the same way when a session is made); training changes them every
/// step, so it keeps packing per call.
/// </summary>
/// <remarks>
/// Layout: the whole of Wᵀ packed as one Kc = k, Nc = n block (<see cref="GemmBlocked.PackB{TKernel}"/>): panel t
/// holds W[t·Nr + j, p] at <see cref="Panels"/>[t·Nr·k + p·Nr + j], columns past n zero. The depth block starting at
/// p0 of the panel at column j0 (a multiple of Nr) is then at j0·k + p0·Nr, with a stride of Nr·k from one panel
/// to the next, so the driver's Kc×Nc blocks, and any split of C on panel boundaries, read it without copying.
/// Each C entry is summed in the same order as with per-call packing, so the results are the same to the bit.
/// A snapshot: later changes to the source weights are not seen. For one example at a time (m = 1, the
/// matrix-vector kernel) W is also kept with its rows grouped by 4 (<see cref="Rows"/>), read in one stream.
/// </remarks>
internal sealed unsafe class GemmPackedWeights
{
    const int Alignment = 64;
    readonly float[]? panelStorage, rowStorage;

    GemmPackedWeights(ReadOnlySpan<float> weights, int n, int k, MatrixInstructionSet instructionSet, int nr, bool panels)
    {
        N = n;
        K = k;
        InstructionSet = instructionSet;
        Weights = weights.ToArray();
        if (panels) Panels = Allocate(((long)n + nr - 1) / nr * nr * k, out panelStorage);
        if (instructionSet is MatrixInstructionSet.Vector512 or MatrixInstructionSet.Vector256)
        {
            Rows = Allocate((long)n * k, out rowStorage);
            fixed (float* w = Weights)
                GemvKernel.GroupRows(w, n, k, instructionSet == MatrixInstructionSet.Vector512 ? 32 : 16, Rows);
        }
    }

    /// <summary>Pinned, 64-byte aligned (every 512-bit load inside one cache line, as in GemmWorkspace).</summary>
    static float* Allocate(long length, out float[] storage)
    {
        storage = GC.AllocateUninitializedArray<float>(checked((int)length) + Alignment / sizeof(float), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref storage[0]);
        return (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }

    /// <summary>Rows of W: columns of C.</summary>
    public int N { get; }

    /// <summary>Columns of W: the depth summed over.</summary>
    public int K { get; }

    /// <summary>The kernel whose panels these are; a product run with another set packs per call as usual.</summary>
    public MatrixInstructionSet InstructionSet { get; }

    /// <summary>W as given (n×k, row-major), copied.</summary>
    public float[] Weights { get; }

    /// <summary>The packed panels (see the remarks), in pinned memory that lives as long as this object; null when
    /// packed for one example at a time, whose products never run the packed kernels.</summary>
    public float* Panels { get; }

    /// <summary>
    /// W's rows grouped by 4 for the matrix-vector kernel (one example's forward pass, <see cref="GemvKernel.GroupRows"/>),
    /// so that it streams W in one sequence; null for the instruction sets without that kernel.
    /// </summary>
    public float* Rows { get; }

    /// <summary>
    /// Copies and packs <paramref name="weights"/> (n×k) for the kernels of <paramref name="instructionSet"/>: the
    /// micro-panels unless <paramref name="oneRowOnly"/> (products with one row of A, which never use them), and the
    /// matrix-vector kernel's row groups.
    /// </summary>
    public static GemmPackedWeights Pack(ReadOnlySpan<float> weights, int n, int k, MatrixInstructionSet instructionSet, bool oneRowOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (weights.Length != (long)n * k)
            throw new ArgumentException($"a {n}×{k} weight matrix has {(long)n * k} values, got {weights.Length}", nameof(weights));
        return instructionSet switch
        {
            MatrixInstructionSet.Vector512 => Pack<MicroKernel512>(weights, n, k, instructionSet, oneRowOnly),
            MatrixInstructionSet.Vector256 => Pack<MicroKernel256>(weights, n, k, instructionSet, oneRowOnly),
            MatrixInstructionSet.Vector128 => Pack<MicroKernel128>(weights, n, k, instructionSet, oneRowOnly),
            _ => Pack<MicroKernelScalar>(weights, n, k, instructionSet, oneRowOnly),
        };
    }

    static GemmPackedWeights Pack<TKernel>(ReadOnlySpan<float> weights, int n, int k, MatrixInstructionSet instructionSet, bool oneRowOnly)
        where TKernel : struct, IMicroKernel
    {
        var packed = new GemmPackedWeights(weights, n, k, instructionSet, TKernel.Nr, panels: !oneRowOnly);
        if (oneRowOnly) return packed;
        fixed (float* w = packed.Weights)
        {
            var problem = new GemmProblem { B = w, N = n, K = k, BTransposed = true };
            GemmBlocked.PackB<TKernel>(problem, 0, k, 0, n, packed.Panels);
        }
        return packed;
    }
}
