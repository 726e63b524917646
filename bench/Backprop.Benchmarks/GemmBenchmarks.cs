using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks;

/// <summary>
/// GEMM time per product at the training shapes (m×n×k, C is m×n): batch-10 forward, a 64-batch 784→256
/// layer, and two large squares. GFLOP/s and % of the measured FMA peak are added as columns.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    GemmOperands operands = null!;

    [ParamsAllValues]
    public GemmProduct Product { get; set; }

    [Params("10x30x784", "64x256x784", "256x1024x1024", "1024x1024x1024")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup() => operands = new GemmOperands(Product, GemmShape.Parse(Shape));

    [Benchmark]
    public void Gemm() => operands.Run();
}
