using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Backprop.Benchmarks;

/// <summary>GFLOP/s = 2·m·n·k / mean time (for a training step, 2 × its multiply-adds / mean time), and that as a percentage of the measured 1- and 2-thread FMA peaks.</summary>
public sealed class GflopsColumn(string name, Func<double, double> transform, string format, string legend) : IColumn
{
    /// <summary>Measured once, in the host process, the first time a % column is shown.</summary>
    static readonly Lazy<(double One, double Two)> peak = new(() => (FmaPeak.Measure(1), FmaPeak.Measure(2)));

    public static double PeakOneThread => peak.Value.One;
    public static double PeakTwoThreads => peak.Value.Two;

    public static IColumn[] All =>
    [
        new GflopsColumn("GFLOP/s", g => g, "F1", "2·m·n·k / mean time, 1e9 flop/s"),
        new GflopsColumn("% peak 1T", g => 100 * g / PeakOneThread, "F0", "GFLOP/s as % of the measured 1-thread FP32 FMA peak (FmaPeak)"),
        new GflopsColumn("% peak 2T", g => 100 * g / PeakTwoThreads, "F0", "GFLOP/s as % of the measured 2-thread FP32 FMA peak (FmaPeak)"),
    ];

    public string Id => nameof(GflopsColumn) + ColumnName;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? gflops = Gflops(summary, benchmarkCase);
        return gflops is { } value ? transform(value).ToString(format) : "-";
    }

    public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics) return null;
        // The mean is in nanoseconds: flop/ns = GFLOP/s.
        if (benchmarkCase.Parameters["Shape"] is string text)
        {
            var shape = GemmShape.Parse(text);
            return 2.0 * shape.M * shape.N * shape.K / statistics.Mean;
        }
        if (benchmarkCase.Parameters["Configuration"] is string configuration && benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(TrainingStepBenchmarks.ForwardBackward))
            return 2.0 * TrainingStep.MultiplyAddsOf(configuration) / statistics.Mean;
        return null;
    }

    public override string ToString() => ColumnName;
}
