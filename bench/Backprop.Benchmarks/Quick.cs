using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Benchmarks;

/// <summary>
/// A Stopwatch sweep for tuning (seconds, not minutes): best-of-N time per product and shape under forced
/// settings. BenchmarkDotNet (<see cref="GemmBenchmarks"/>) gives the numbers that are reported.
/// </summary>
internal static class Quick
{
    public static void Run(GemmSettings? settings, IEnumerable<GemmShape> shapes)
    {
        Console.WriteLine($"settings: {(settings is null ? "auto" : settings.ToString())}");
        foreach (var shape in shapes)
        {
            foreach (GemmProduct product in Enum.GetValues<GemmProduct>())
            {
                var operands = new GemmOperands(product, shape);
                long flops = 2L * shape.M * shape.N * shape.K;
                int repeats = (int)Math.Clamp(2_000_000_000L / flops, 3, 20000);
                double best = double.MaxValue, bestCpu = double.MaxValue;
                var process = System.Diagnostics.Process.GetCurrentProcess();
                using (settings is { } forced ? GemmFloat.Force(forced) : default)
                {
                    for (int round = 0; round < 5; round++)
                    {
                        process.Refresh();
                        var cpu = process.TotalProcessorTime;
                        var clock = Stopwatch.StartNew();
                        for (int r = 0; r < repeats; r++) operands.Run();
                        best = Math.Min(best, clock.Elapsed.TotalSeconds / repeats);
                        process.Refresh();
                        bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds / repeats);
                    }
                }
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                for (int r = 0; r < repeats; r++) operands.Run();
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                Console.WriteLine($"{product,-20} {shape,-16} {best * 1e6,10:F2} us {flops / best / 1e9,8:F1} GFLOP/s   per CPU-second {flops / bestCpu / 1e9,8:F1}   process allocated {allocated} B in {repeats} calls");
            }
        }
    }
}
