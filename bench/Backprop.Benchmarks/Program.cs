using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Backprop;
using Backprop.Kernels;
using Backprop.Benchmarks;

// --peak               FP32 FMA peak on 1 and 2 threads, of the vectors the kernels use (128-bit under DOTNET_EnableAVX=0).
// --kernel [kc] [isa]  one micro-kernel (by default the detected set's) alone on cache-resident panels.
// --phases [A B C]    Stopwatch split of one training step into forward, backward and update.
// --epoch-phases [A B C] whole epochs of Fashion-MNIST split into gather, forward, backward (worker waits), update.
// --quick [shapes…]    Stopwatch sweep for tuning; --isa, --strategy, --threads force settings.
// --inference [layers…] [--rounds N] Stopwatch comparison of the predictor with ONNX Runtime (batch 1 and 256, 1 and 2
//                      threads; one thread in alternating rounds, with the per-round ratios' median and quartiles).
// anything else        BenchmarkDotNet (e.g. --filter '*Gemm*'), short in-process runs: the machine is shared.
if (args.Length > 0 && args[0] == "--kernel")
{
    KernelOnly.Run(args.Length > 1 ? int.Parse(args[1]) : 512,
        args.Length > 2 ? Enum.Parse<MatrixInstructionSet>(args[2], ignoreCase: true) : GemmFloat.Detected);
    return;
}

if (args.Length > 0 && args[0] == "--phases")
{
    TrainingStep.Phases(args.Length > 1 ? args[1..] : TrainingStep.Configurations);
    return;
}

if (args.Length > 0 && args[0] == "--epoch-phases")
{
    EpochPhases.Run(args.Length > 1 ? args[1..] : TrainingStep.Configurations);
    return;
}

if (args.Length > 0 && args[0] == "--inference")
{
    InferenceSetup.Quick(args[1..]);
    return;
}

if (args.Contains("--peak"))
{
    Console.WriteLine($"FP32 FMA peak: 1 thread {FmaPeak.Measure(1):F1} GFLOP/s, 2 threads {FmaPeak.Measure(2):F1} GFLOP/s");
    return;
}

if (args.Length > 0 && args[0] == "--quick")
{
    var shapes = new List<GemmShape>();
    MatrixInstructionSet isa = GemmFloat.Detected;
    GemmStrategy strategy = GemmStrategy.Auto;
    int threads = 0;
    bool forced = false;
    for (int i = 1; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--isa": isa = Enum.Parse<MatrixInstructionSet>(args[++i], ignoreCase: true); forced = true; break;
            case "--strategy": strategy = Enum.Parse<GemmStrategy>(args[++i], ignoreCase: true); forced = true; break;
            case "--threads": threads = int.Parse(args[++i]); forced = true; break;
            default: shapes.Add(GemmShape.Parse(args[i])); break;
        }
    }
    if (shapes.Count == 0) shapes.AddRange([new(10, 30, 784), new(64, 256, 784), new(256, 1024, 1024), new(1024, 1024, 1024)]);
    Quick.Run(forced ? new GemmSettings(isa, strategy, threads) : null, shapes);
    return;
}

var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(5);
var config = DefaultConfig.Instance.AddJob(job).AddColumn(GflopsColumn.All);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args, config);
if (summaries.Any(s => s.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(GemmBenchmarks) || c.Descriptor.Type == typeof(TrainingStepBenchmarks))))
{
    Console.WriteLine();
    Console.WriteLine($"FP32 FMA peak (measured): 1 thread {GflopsColumn.PeakOneThread:F1} GFLOP/s, 2 threads {GflopsColumn.PeakTwoThreads:F1} GFLOP/s");
    Console.WriteLine($"{"Product",-12} {"m x n x k",-16} {"GFLOP/s",8} {"% peak 1T",10} {"% peak 2T",10}");
    foreach (var summary in summaries)
        foreach (var benchmarkCase in summary.BenchmarksCases)
            if (GflopsColumn.Gflops(summary, benchmarkCase) is { } gflops)
                Console.WriteLine($"{benchmarkCase.Parameters["Product"] ?? benchmarkCase.Parameters["Configuration"],-12} {benchmarkCase.Parameters["Shape"] ?? benchmarkCase.Descriptor.WorkloadMethod.Name,-16} {gflops,8:F1} {100 * gflops / GflopsColumn.PeakOneThread,10:F0} {100 * gflops / GflopsColumn.PeakTwoThreads,10:F0}");
}
