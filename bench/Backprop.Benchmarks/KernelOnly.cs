using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// One micro-kernel alone on cache-resident packed panels: its ceiling, to compare with the FMA peak (what the
/// kernel loses) and with whole products (what packing, C traffic and threads lose). Also per CPU-second, since
/// the machine may be shared.
/// </summary>
internal static unsafe class KernelOnly
{
    public static void Run(int kc, MatrixInstructionSet instructionSet)
    {
        switch (instructionSet)
        {
            case MatrixInstructionSet.Vector512: Run<MicroKernel512>(kc); break;
            case MatrixInstructionSet.Vector256: Run<MicroKernel256>(kc); break;
            case MatrixInstructionSet.Vector128: Run<MicroKernel128>(kc); break;
            default: Run<MicroKernelScalar>(kc); break;
        }
    }

    public static void Run<TKernel>(int kc) where TKernel : struct, IMicroKernel
    {
        var a = GC.AllocateArray<float>(TKernel.Mr * kc * TKernel.ACopies + 16, pinned: true);
        var b = GC.AllocateArray<float>(TKernel.Nr * kc + 16, pinned: true);
        var c = GC.AllocateArray<float>(TKernel.Mr * TKernel.Nr + 16, pinned: true);
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* aligned(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
            float* aa = aligned(pa), bb = aligned(pb), cc = aligned(pc);
            double flopsPerCall = 2.0 * TKernel.Mr * TKernel.Nr * kc;
            int repeats = (int)(4e9 / flopsPerCall);
            double best = 0, bestCpu = 0;
            var process = Process.GetCurrentProcess();
            for (int round = 0; round < 5; round++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                for (int r = 0; r < repeats; r++) TKernel.Run(kc, aa, bb, TKernel.Nr, cc, TKernel.Nr, add: true);
                double seconds = clock.Elapsed.TotalSeconds;
                process.Refresh();
                best = Math.Max(best, flopsPerCall * repeats / seconds / 1e9);
                bestCpu = Math.Max(bestCpu, flopsPerCall * repeats / (process.TotalProcessorTime - cpu).TotalSeconds / 1e9);
            }
            Console.WriteLine($"{typeof(TKernel).Name} {TKernel.Mr}x{TKernel.Nr}, kc={kc}, panels in cache: {best:F1} GFLOP/s (1 thread), per CPU-second {bestCpu:F1}");
        }
    }
}
