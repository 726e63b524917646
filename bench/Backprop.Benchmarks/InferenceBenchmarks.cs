using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Kernels;
using Backprop.Layers;
using Backprop.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace Backprop.Benchmarks;

/// <summary>
/// One forward pass of the same network through Backprop's <see cref="Predictor{T}"/> and through ONNX Runtime on
/// the CPU, fed the file <see cref="OnnxExport"/> writes (what `backprop export` writes): throughput at batch 256,
/// latency at batch 1. Threads 1: ONNX Runtime's intra-op pool of 1 against our GEMM on the calling thread only;
/// threads 2: an intra-op pool of 2 against our GEMM with its one worker (products of 1 M multiply-adds and up are
/// shared). Both write into buffers made once (ONNX Runtime through an I/O binding), so allocations should read 0 B.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class InferenceBenchmarks
{
    InferenceSetup setup = null!;

    [Params("784,256,128,10", "784,1024,1024,10")]
    public string Layers { get; set; } = "";

    [Params(1, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => setup = new InferenceSetup(Layers, Batch, Threads);

    [GlobalCleanup]
    public void Cleanup() => setup.Dispose();

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => setup.RunOnnx();

    [Benchmark]
    public void Backprop() => setup.RunBackprop();

    /// <summary>The same predictor reading the network's weights unpacked, so every packed product packs W again (before weights were packed once).</summary>
    [Benchmark]
    public void BackpropPackingPerCall() => setup.RunBackpropPackingPerCall();
}

/// <summary>The two engines loaded with the same network and inputs, their outputs checked against each other first.</summary>
public sealed class InferenceSetup : IDisposable
{
    readonly Predictor<float> predictor, packingPerCall;
    readonly float[] inputs, outputs, onnxOutputs;
    readonly InferenceSession session;
    readonly OrtValue inputValue, outputValue;
    readonly OrtIoBinding binding;
    readonly RunOptions runOptions = new();
    readonly GemmSettings gemm;

    public InferenceSetup(string layers, int batch, int threads)
    {
        var sizes = Architecture.ParseSizes(layers);
        var network = Network<float>.Initialize(new Architecture(sizes, Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 1);
        var rng = new Rng(2);
        inputs = Enumerable.Range(0, batch * sizes[0]).Select(_ => (float)rng.NextDouble(0, 1)).ToArray();
        outputs = new float[batch * sizes[^1]];
        onnxOutputs = new float[batch * sizes[^1]];
        predictor = network.CreatePredictor(batch);
        packingPerCall = new Predictor<float>(network, batch, snapshot: false);
        // Threads 1: never the worker; threads 2: the worker by size, as in training.
        gemm = new GemmSettings(GemmFloat.Detected, GemmStrategy.Auto, threads == 1 ? 1 : 0);

        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        session = new InferenceSession(OnnxExport.ToBytes(network), options);
        inputValue = OrtValue.CreateTensorValueFromMemory(inputs, [batch, sizes[0]]);
        outputValue = OrtValue.CreateTensorValueFromMemory(onnxOutputs, [batch, sizes[^1]]);
        binding = session.CreateIoBinding();
        binding.BindInput("input", inputValue);
        binding.BindOutput("output", outputValue);

        RunBackprop();
        RunOnnx();
        double largest = 0;
        for (int i = 0; i < outputs.Length; i++) largest = Math.Max(largest, Math.Abs(outputs[i] - onnxOutputs[i]));
        if (!(largest <= 1e-5)) throw new InvalidOperationException($"the engines disagree by {largest:G3} on {layers} at batch {batch}");
    }

    public void RunBackprop()
    {
        using var scope = GemmFloat.Force(gemm);
        predictor.Forward(inputs, outputs);
    }

    public void RunBackpropPackingPerCall()
    {
        using var scope = GemmFloat.Force(gemm);
        packingPerCall.Forward(inputs, outputs);
    }

    public void RunOnnx() => session.RunWithBinding(runOptions, binding);

    /// <summary>The one-off <see cref="Network{T}.Forward(ReadOnlySpan{T}, int)"/>, which makes its buffers each call.</summary>
    public float[] RunNetworkForward() => predictor.Network.Forward(inputs, inputs.Length / predictor.Network.InputSize);

    public void Dispose()
    {
        binding.Dispose();
        inputValue.Dispose();
        outputValue.Dispose();
        session.Dispose();
        runOptions.Dispose();
    }

    /// <summary>
    /// `--inference`: a Stopwatch comparison of the same cases, for tuning between BenchmarkDotNet runs. On one thread the
    /// two engines run in alternating rounds (which one goes first alternates too), so a drift of the shared host falls
    /// on both: two runs minutes apart read 0.90 and 1.10 for the same code in whole blocks, while the round-by-round
    /// ratio of one run keeps its quartiles within ±1%. Two threads cannot be interleaved: after ONNX Runtime's spinning
    /// pool has run, our worker often misses its half (the caller then does both) for the next hundreds of milliseconds,
    /// even after a 200 ms pause, and 784,256,128,10 at batch 256 read 1.2–1.7 against 0.79 with ONNX Runtime's spinning off
    /// and 0.96 without ONNX Runtime in the rounds. So with two threads each engine runs its rounds in one block, as
    /// BenchmarkDotNet does. Reported: each engine's median wall and CPU µs per call, the median of the per-round ratios
    /// with their quartiles, and the rounds Backprop won. CPU time is the calling thread's with one thread (on a shared
    /// machine the steadier figure: time spent descheduled does not count), the whole process's with two (spinning
    /// counts too). "per call" is the same predictor packing W on every call; B/call is this thread's bytes.
    /// </summary>
    public static void Quick(string[] layers)
    {
        int rounds = 31;
        var arguments = layers.ToList();
        int at = arguments.IndexOf("--rounds");
        if (at >= 0)
        {
            rounds = int.Parse(arguments[at + 1]);
            arguments.RemoveRange(at, 2);
        }
        layers = arguments.Count == 0 ? ["784,256,128,10", "784,1024,1024,10"] : [.. arguments];
        Console.WriteLine($"{rounds} rounds per case; ratio = Backprop / ONNX Runtime: one thread, per pair of rounds, median [quartiles]; two threads, of the medians");
        Console.WriteLine($"{"layers",-18} {"batch",5} {"threads",7} {"ONNX µs",14} {"Backprop µs",14} {"wall ratio",20} {"CPU ratio",20} {"won",5} {"per call µs",14} {"B/call",7}");
        Console.WriteLine($"{"",-18} {"",5} {"",7} {"wall / CPU",14} {"wall / CPU",14}");
        foreach (var l in layers)
            foreach (int batch in new[] { 1, 256 })
                foreach (int threads in new[] { 1, 2 })
                {
                    using var s = new InferenceSetup(l, batch, threads);
                    bool interleave = threads == 1;
                    var (onnx, ours) = Measure(s.RunOnnx, s.RunBackprop, batch, threads, rounds, interleave);
                    var perCall = Measure(s.RunBackpropPackingPerCall, null, batch, threads, 5, interleave).First;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 100; i++) s.RunBackprop();
                    long bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
                    string wall = Ratio(ours.Walls, onnx.Walls, interleave), cpu = Ratio(ours.Cpus, onnx.Cpus, interleave);
                    string won = interleave ? $"{ours.Walls.Zip(onnx.Walls).Count(pair => pair.First < pair.Second),2}/{rounds,-2}" : "–";
                    Console.WriteLine($"{l,-18} {batch,5} {threads,7} {Median(onnx.Walls),6:F1} / {Median(onnx.Cpus),-6:F1} {Median(ours.Walls),6:F1} / {Median(ours.Cpus),-6:F1} {wall,20} {cpu,20} {won,5} {Median(perCall.Walls),6:F1} / {Median(perCall.Cpus),-6:F1} {bytes,7}");
                    if (threads == 1)
                    {
                        var oneOff = Measure(() => s.RunNetworkForward(), null, batch, threads, 5, interleave).First;
                        before = GC.GetAllocatedBytesForCurrentThread();
                        for (int i = 0; i < 100; i++) s.RunNetworkForward();
                        Console.WriteLine($"{"",-18} Network.Forward(inputs, count): {Median(oneOff.Walls):F1} µs, {(GC.GetAllocatedBytesForCurrentThread() - before) / 100} B/call");
                    }
                }
    }

    /// <summary>
    /// Wall and CPU µs per call of each round of <paramref name="first"/> and <paramref name="second"/> (if any): in
    /// alternating rounds when <paramref name="interleave"/>, else each warmed up and timed in a block of its own.
    /// </summary>
    static ((double[] Walls, double[] Cpus) First, (double[] Walls, double[] Cpus) Second) Measure(Action first, Action? second, int batch, int threads, int rounds, bool interleave)
    {
        int calls = batch == 1 ? 2000 : 40;
        var a = (Walls: new double[rounds], Cpus: new double[rounds]);
        var b = (Walls: new double[rounds], Cpus: new double[rounds]);
        if (interleave && second is not null)
        {
            Warm(first);
            Warm(second);
            for (int r = 0; r < rounds; r++)
            {
                var (earlier, later) = r % 2 == 0 ? ((first, a), (second, b)) : ((second, b), (first, a));
                Time(earlier.Item1, earlier.Item2, r);
                Time(later.Item1, later.Item2, r);
            }
            return (a, b);
        }
        Warm(first);
        for (int r = 0; r < rounds; r++) Time(first, a, r);
        if (second is not null)
        {
            Warm(second);
            for (int r = 0; r < rounds; r++) Time(second, b, r);
        }
        return (a, b);

        void Warm(Action run)
        {
            for (int i = 0; i < calls; i++) run();
        }

        void Time(Action run, (double[] Walls, double[] Cpus) into, int round)
        {
            double cpuStart = CpuMicroseconds(threads);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) run();
            into.Walls[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
            into.Cpus[round] = (CpuMicroseconds(threads) - cpuStart) / calls;
        }
    }

    /// <summary>Ours / theirs: per pair of rounds with quartiles when they were interleaved, else of the medians.</summary>
    static string Ratio(double[] ours, double[] theirs, bool paired)
    {
        if (!paired) return $"{Median(ours) / Median(theirs):F3}";
        var ratios = ours.Zip(theirs, (o, t) => o / t).ToArray();
        return $"{Quantile(ratios, 0.5):F3} [{Quantile(ratios, 0.25):F3}–{Quantile(ratios, 0.75):F3}]";
    }

    static double Median(double[] values) => Quantile(values, 0.5);

    /// <summary>The <paramref name="q"/> quantile of <paramref name="values"/> (nearest rank, on a sorted copy).</summary>
    static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    /// <summary>CPU time so far of the calling thread (one thread) or of the process (two), in µs.</summary>
    static double CpuMicroseconds(int threads) => (threads == 1 ? CpuClock.ThreadNanoseconds() : CpuClock.ProcessNanoseconds()) / 1e3;
}
