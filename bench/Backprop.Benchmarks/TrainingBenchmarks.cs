using BenchmarkDotNet.Attributes;
using Backprop.Data;

namespace Backprop.Benchmarks;

/// <summary>
/// One training step per batch of the configurations: A (784,30,10 sigmoid, batch 10), B (784,256,128,10
/// ReLU/softmax, momentum, batch 64), C (784,1024,1024,10 ReLU/softmax, batch 256). Forward + backward is the
/// number the issue asks for; the optimizer's update is measured beside it. Allocations must read 0 B.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    TrainingStep step = null!;

    [Params("A", "B", "C")]
    public string Configuration { get; set; } = "";

    [GlobalSetup]
    public void Setup() => step = new TrainingStep(Configuration);

    [Benchmark]
    public void ForwardBackward()
    {
        step.Forward();
        step.Backward();
    }

    [Benchmark]
    public void Update() => step.Update();
}

/// <summary>
/// Loading the four gzip IDX files of Fashion-MNIST (60,000 + 10,000 images, decompressed and scaled to [0, 1]),
/// as `backprop train --data fashion-mnist` does before its first epoch; the limit is 1 s.
/// </summary>
[MemoryDiagnoser]
public class IdxLoadBenchmarks
{
    readonly DataOptions options = new();

    [GlobalSetup]
    public void Setup()
    {
        // Fail at once, naming the fix, rather than report the time of an exception.
        _ = DataSource.Test("fashion-mnist", options)
            ?? throw new InvalidOperationException("Fashion-MNIST is not installed: apt-get install -y dataset-fashion-mnist");
    }

    [Benchmark]
    public int LoadFashionMnist() => DataSource.Train("fashion-mnist", options).Count + DataSource.Test("fashion-mnist", options)!.Count;
}
