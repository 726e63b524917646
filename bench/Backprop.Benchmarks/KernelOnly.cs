using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// The 12×32 Vector512 micro-kernel alone on cache-resident packed panels: its ceiling, to compare with the
/// FMA peak (what the kernel loses) and with whole products (what packing, C traffic and threads lose).
/// </summary>
internal static unsafe class KernelOnly
{
    public static void Run(int kc)
    {
        var a = GC.AllocateArray<float>(MicroKernel512.Mr * kc + 16, pinned: true);
        var b = GC.AllocateArray<float>(MicroKernel512.Nr * kc + 16, pinned: true);
        var c = GC.AllocateArray<float>(MicroKernel512.Mr * MicroKernel512.Nr + 16, pinned: true);
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* aligned(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
            float* aa = aligned(pa), bb = aligned(pb), cc = aligned(pc);
            int repeats = 200_000_000 / kc;
            double best = 0;
            for (int round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                for (int r = 0; r < repeats; r++) MicroKernel512.Run(kc, aa, bb, MicroKernel512.Nr, cc, MicroKernel512.Nr, add: true);
                double flops = 2.0 * MicroKernel512.Mr * MicroKernel512.Nr * kc * repeats;
                best = Math.Max(best, flops / clock.Elapsed.TotalSeconds / 1e9);
            }
            Console.WriteLine($"12x32 micro-kernel, kc={kc}, panels in cache: {best:F1} GFLOP/s (1 thread)");
        }
    }
}
