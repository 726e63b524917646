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
    /// `--inference`: a Stopwatch loop over the same cases, median of 15 rounds, for tuning between BenchmarkDotNet runs;
    /// the allocation column is this thread's bytes per call. Beside each wall time, the CPU time per call: of the calling
    /// thread with one thread (on a shared machine the steadier figure: time spent descheduled does not count), of the
    /// whole process with two (spinning counts too). "per call" is the same predictor packing W on every call.
    /// </summary>
    public static void Quick(string[] layers)
    {
        if (layers.Length == 0) layers = ["784,256,128,10", "784,1024,1024,10"];
        Console.WriteLine($"{"layers",-18} {"batch",5} {"threads",7} {"ONNX µs",14} {"Backprop µs",14} {"ratio",11} {"per call µs",14} {"B/call",7}");
        Console.WriteLine($"{"",-18} {"",5} {"",7} {"wall / CPU",14} {"wall / CPU",14} {"wall / CPU",11} {"wall / CPU",14}");
        foreach (var l in layers)
            foreach (int batch in new[] { 1, 256 })
                foreach (int threads in new[] { 1, 2 })
                {
                    using var s = new InferenceSetup(l, batch, threads);
                    var onnx = Median(s.RunOnnx, batch, threads);
                    var ours = Median(s.RunBackprop, batch, threads);
                    var perCall = Median(s.RunBackpropPackingPerCall, batch, threads);
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < 100; i++) s.RunBackprop();
                    long bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
                    Console.WriteLine($"{l,-18} {batch,5} {threads,7} {onnx.Wall,6:F1} / {onnx.Cpu,-6:F1} {ours.Wall,6:F1} / {ours.Cpu,-6:F1} {ours.Wall / onnx.Wall,4:F2} / {ours.Cpu / onnx.Cpu,-4:F2} {perCall.Wall,6:F1} / {perCall.Cpu,-6:F1} {bytes,7}");
                    if (threads == 1)
                    {
                        var oneOff = Median(() => s.RunNetworkForward(), batch, threads);
                        before = GC.GetAllocatedBytesForCurrentThread();
                        for (int i = 0; i < 100; i++) s.RunNetworkForward();
                        Console.WriteLine($"{"",-18} Network.Forward(inputs, count): {oneOff.Wall:F1} µs, {(GC.GetAllocatedBytesForCurrentThread() - before) / 100} B/call");
                    }
                }
    }

    /// <summary>Median over 15 rounds of the wall time and the CPU time per call, in µs.</summary>
    static (double Wall, double Cpu) Median(Action run, int batch, int threads)
    {
        int calls = batch == 1 ? 2000 : 40;
        for (int i = 0; i < calls; i++) run();
        var walls = new double[15];
        var cpus = new double[15];
        for (int r = 0; r < walls.Length; r++)
        {
            double cpuStart = CpuMicroseconds(threads);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) run();
            walls[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
            cpus[r] = (CpuMicroseconds(threads) - cpuStart) / calls;
        }
        Array.Sort(walls);
        Array.Sort(cpus);
        return (walls[walls.Length / 2], cpus[cpus.Length / 2]);
    }

    /// <summary>CPU time so far of the calling thread (one thread) or of the process (two), in µs.</summary>
    static double CpuMicroseconds(int threads) => (threads == 1 ? CpuClock.ThreadNanoseconds() : CpuClock.ProcessNanoseconds()) / 1e3;
}
