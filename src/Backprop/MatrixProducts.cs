using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Backprop.Kernels;

namespace Backprop;

/// <summary>The instructions the library's float matrix products run on (see <see cref="MatrixProducts"/>).</summary>
public enum MatrixInstructionSet
{
    /// <summary>4×4 tiles of scalar multiply-adds: any processor.</summary>
    Scalar,

    /// <summary>128-bit SIMD (ARM64 NEON, x86 SSE, WebAssembly SIMD): fused multiply-add where the processor has one.</summary>
    Vector128,

    /// <summary>256-bit SIMD with fused multiply-add (x86 AVX2 and FMA).</summary>
    Vector256,

    /// <summary>512-bit SIMD (x86 AVX-512).</summary>
    Vector512,
}

/// <summary>
/// The float matrix products under every forward pass (Z = A·Wᵀ), backward pass (Δ·W) and gradient (Δᵀ·A): which
/// instructions they run on and whether they share work with a second thread. The library picks the widest SIMD this
/// processor accelerates, once, at start-up; <see cref="Use"/> overrides it on one thread, to measure one path
/// against another.
/// </summary>
public static class MatrixProducts
{
    /// <summary>The widest instruction set this processor accelerates: what products run on unless <see cref="Use"/> says otherwise.</summary>
    public static MatrixInstructionSet Widest => GemmFloat.Detected;

    /// <summary>The instruction set products called from this thread run on now.</summary>
    public static MatrixInstructionSet Current => GemmFloat.Current;

    /// <summary>
    /// Whether large products (and long optimizer updates) may share their work with one background thread, which
    /// the library starts on first use. False in a browser (WebAssembly has no threads here: the library never starts
    /// one) and on a single core.
    /// </summary>
    public static bool UsesSecondThread => GemmWorker.Available;

    /// <summary>
    /// <see cref="Current"/> in words, with how its multiply-adds round and the thread count, e.g. "128-bit SIMD
    /// (multiply, then add), one thread" in a browser or "512-bit SIMD (fused multiply-add), two threads".
    /// </summary>
    public static string Description
    {
        get
        {
            // The 128-bit kernels fuse only where the hardware has FMA (MultiplyAdd128); the scalar tiles never do.
            string instructions = Current switch
            {
                MatrixInstructionSet.Vector512 => "512-bit SIMD (fused multiply-add)",
                MatrixInstructionSet.Vector256 => "256-bit SIMD (fused multiply-add)",
                MatrixInstructionSet.Vector128 when Fma.IsSupported || AdvSimd.IsSupported => "128-bit SIMD (fused multiply-add)",
                MatrixInstructionSet.Vector128 => "128-bit SIMD (multiply, then add)",
                _ => "scalar 4×4 tiles",
            };
            return instructions + (UsesSecondThread ? ", two threads" : ", one thread");
        }
    }

    /// <summary>
    /// For benchmarks and tests: products called from the calling thread run on <paramref name="instructionSet"/>
    /// until the returned scope is disposed; other threads keep theirs. Each set computes the same products, but sums
    /// in its own order and rounds a multiply-add once (fused) or twice, so results can differ from
    /// <see cref="Widest"/>'s in the last bits and a seed's model file can differ; with the same set, runs stay
    /// reproducible to the bit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="instructionSet"/> is not a defined value.</exception>
    /// <exception cref="ArgumentException">This processor does not accelerate <paramref name="instructionSet"/> (it would only be emulated, slowly); the message names the widest that it does.</exception>
    public static IDisposable Use(MatrixInstructionSet instructionSet)
    {
        if (!Enum.IsDefined(instructionSet))
            throw new ArgumentOutOfRangeException(nameof(instructionSet), instructionSet, "not an instruction set: use Scalar, Vector128, Vector256 or Vector512");
        bool accelerated = instructionSet switch
        {
            MatrixInstructionSet.Vector512 => Widest == MatrixInstructionSet.Vector512,
            MatrixInstructionSet.Vector256 => Widest >= MatrixInstructionSet.Vector256,
            MatrixInstructionSet.Vector128 => Vector128.IsHardwareAccelerated,
            _ => true,
        };
        if (!accelerated)
            throw new ArgumentException($"this processor does not accelerate {instructionSet}; use {Widest} or a narrower set", nameof(instructionSet));
        return new Scope(GemmFloat.Force(new GemmSettings(instructionSet)));
    }

    sealed class Scope(GemmFloat.Scope inner) : IDisposable
    {
        bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            inner.Dispose();
        }
    }
}
