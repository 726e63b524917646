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
/// A snapshot: later changes to the source weights are not seen.
/// </remarks>
internal sealed unsafe class GemmPackedWeights
{
    const int Alignment = 64;
    readonly float[] storage;

    GemmPackedWeights(ReadOnlySpan<float> weights, int n, int k, GemmInstructionSet instructionSet, int nr)
    {
        N = n;
        K = k;
        InstructionSet = instructionSet;
        Weights = weights.ToArray();
        long panels = ((long)n + nr - 1) / nr * nr * k;
        storage = GC.AllocateUninitializedArray<float>((int)panels + Alignment / sizeof(float), pinned: true);
        // 64-byte alignment keeps every 512-bit load of a panel inside one cache line, as in GemmWorkspace.
        nint address = (nint)Unsafe.AsPointer(ref storage[0]);
        Panels = (float*)((address + Alignment - 1) & ~(nint)(Alignment - 1));
    }

    /// <summary>Rows of W: columns of C.</summary>
    public int N { get; }

    /// <summary>Columns of W: the depth summed over.</summary>
    public int K { get; }

    /// <summary>The kernel whose panels these are; a product run with another set packs per call as usual.</summary>
    public GemmInstructionSet InstructionSet { get; }

    /// <summary>W as given (n×k, row-major), copied.</summary>
    public float[] Weights { get; }

    /// <summary>The packed panels (see the remarks), in pinned memory that lives as long as this object.</summary>
    public float* Panels { get; }

    /// <summary>Copies and packs <paramref name="weights"/> (n×k) for the kernel of <paramref name="instructionSet"/>.</summary>
    public static GemmPackedWeights Pack(ReadOnlySpan<float> weights, int n, int k, GemmInstructionSet instructionSet)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (weights.Length != (long)n * k)
            throw new ArgumentException($"a {n}×{k} weight matrix has {(long)n * k} values, got {weights.Length}", nameof(weights));
        return instructionSet switch
        {
            GemmInstructionSet.Vector512 => Pack<MicroKernel512>(weights, n, k, instructionSet),
            GemmInstructionSet.Vector256 => Pack<MicroKernel256>(weights, n, k, instructionSet),
            GemmInstructionSet.Vector128 => Pack<MicroKernel128>(weights, n, k, instructionSet),
            _ => Pack<MicroKernelScalar>(weights, n, k, instructionSet),
        };
    }

    static GemmPackedWeights Pack<TKernel>(ReadOnlySpan<float> weights, int n, int k, GemmInstructionSet instructionSet)
        where TKernel : struct, IMicroKernel
    {
        var packed = new GemmPackedWeights(weights, n, k, instructionSet, TKernel.Nr);
        fixed (float* w = packed.Weights)
        {
            var problem = new GemmProblem { B = w, N = n, K = k, BTransposed = true };
            GemmBlocked.PackB<TKernel>(problem, 0, k, 0, n, packed.Panels);
        }
        return packed;
    }
}
