using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Backprop.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// The processor's measured FP32 FMA peak: a loop of independent <see cref="Vector512{T}"/> FMA chains
/// (or of the widest vectors the matrix-product kernels use here) on 1 and on 2 threads. 16 chains (12 of 128 bits) cover
/// FMA latency × pipes on any current x86 core, so the loop is throughput-bound, the same bound a GEMM micro-kernel
/// faces. The 128-bit loop multiplies then adds where there is no FMA (<see cref="MultiplyAdd128"/>, as the 128-bit
/// kernel does): under DOTNET_EnableAVX=0 it measures the peak of the SSE path, whose Vector256 would be emulated.
/// </summary>
public static class FmaPeak
{
    const long Iterations = 50_000_000;

    /// <summary>Best GFLOP/s of a few runs with <paramref name="threads"/> threads running the FMA loop at once.</summary>
    public static double Measure(int threads, int runs = 5)
    {
        double best = 0;
        for (int run = 0; run < runs; run++)
        {
            using var barrier = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    barrier.SignalAndWait();
                    Sink(Lanes switch { 16 => Loop512(Iterations), 8 => Loop256(Iterations), _ => Loop128(Iterations) });
                });
                workers[t].Start();
            }
            barrier.SignalAndWait();
            var clock = Stopwatch.StartNew();
            foreach (var worker in workers) worker.Join();
            double seconds = clock.Elapsed.TotalSeconds;
            // Chains × lanes × 2 flops (multiply and add) per iteration, per thread.
            best = Math.Max(best, threads * Iterations * (Lanes == 4 ? 12.0 : 16.0) * Lanes * 2 / seconds / 1e9);
        }
        return best;
    }

    /// <summary>Float lanes of the vectors the matrix-product kernels run on here (<see cref="GemmFloat.Detected"/>).</summary>
    static int Lanes => GemmFloat.Detected switch
    {
        MatrixInstructionSet.Vector512 => 16,
        MatrixInstructionSet.Vector256 => 8,
        _ => 4,
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Sink(float value)
    {
        if (value == 42.125f) Console.Write("");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Loop512(long iterations)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
            a12 = Vector512.FusedMultiplyAdd(a12, x, y); a13 = Vector512.FusedMultiplyAdd(a13, x, y);
            a14 = Vector512.FusedMultiplyAdd(a14, x, y); a15 = Vector512.FusedMultiplyAdd(a15, x, y);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Loop256(long iterations)
    {
        var x = Vector256.Create(0.999999f);
        var y = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector256<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
            a12 = Vector256.FusedMultiplyAdd(a12, x, y); a13 = Vector256.FusedMultiplyAdd(a13, x, y);
            a14 = Vector256.FusedMultiplyAdd(a14, x, y); a15 = Vector256.FusedMultiplyAdd(a15, x, y);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Loop128(long iterations)
    {
        // 12 chains, not 16: with x and y they stay in x86's 16 SSE registers. 16 spilled two of them, whose stores
        // and reloads held every chain back (27 GFLOP/s on one thread under DOTNET_EnableAVX=0, against 47–49 with 12;
        // 14 spilled too and read 49–50). A multiply then an add take about 6 cycles, on two multiply and two add pipes.
        var x = Vector128.Create(0.999999f);
        var y = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector128<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = MultiplyAdd128.Run(a0, x, y); a1 = MultiplyAdd128.Run(a1, x, y);
            a2 = MultiplyAdd128.Run(a2, x, y); a3 = MultiplyAdd128.Run(a3, x, y);
            a4 = MultiplyAdd128.Run(a4, x, y); a5 = MultiplyAdd128.Run(a5, x, y);
            a6 = MultiplyAdd128.Run(a6, x, y); a7 = MultiplyAdd128.Run(a7, x, y);
            a8 = MultiplyAdd128.Run(a8, x, y); a9 = MultiplyAdd128.Run(a9, x, y);
            a10 = MultiplyAdd128.Run(a10, x, y); a11 = MultiplyAdd128.Run(a11, x, y);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector128.Sum(sum);
    }
}
