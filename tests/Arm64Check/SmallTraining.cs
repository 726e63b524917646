using System.Text.Json;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Tests.Arm64Check;

/// <summary>
/// Two small training runs on the built-in digits (64 pixels, 10 classes; 1,438 to train, 359 to test), through the
/// batched engine as a user runs it: one sigmoid network with momentum whose products all go packed (k = 64, 48), and
/// one ReLU network with Adam, an odd batch size (17: a ragged last tile in every product and a partial last batch)
/// and a 200-wide layer whose forward product, k = 200 and n = 33, takes the direct tiles.
/// </summary>
static class SmallTraining
{
    /// <summary>One run's cost after each epoch, final test accuracy and every final parameter.</summary>
    public sealed record RunResult(string Name, double[] Costs, double TestAccuracy, float[] Parameters);

    /// <summary>The runs, and the instruction set that made them.</summary>
    public sealed record Result(string InstructionSet, RunResult[] Runs)
    {
        public string ToJson() => JsonSerializer.Serialize(this);
        public static Result FromJson(string json) => JsonSerializer.Deserialize<Result>(json)
            ?? throw new InvalidDataException("the reference training run is empty");
    }

    public static Result Run() => new(global::Backprop.Kernels.GemmFloat.Detected.ToString(),
    [
        Train("sigmoid 64-48-24-10, momentum, batch 32",
            new Architecture([64, 48, 24, 10], Activation.Sigmoid, Activation.Softmax, Cost.CrossEntropy),
            new TrainingOptions { Epochs = 8, BatchSize = 32, Optimizer = "momentum", LearningRate = 0.5, Seed = 7 }),
        Train("relu 64-200-33-10, adam, batch 17",
            new Architecture([64, 200, 33, 10], Activation.Relu, Activation.Softmax, Cost.CrossEntropy),
            new TrainingOptions { Epochs = 5, BatchSize = 17, Optimizer = "adam", LearningRate = 0.002, Seed = 8 }),
    ]);

    static RunResult Train(string name, Architecture architecture, TrainingOptions options)
    {
        var network = Network<float>.Initialize(architecture, options.Seed);
        var reports = new Trainer(network, options, DigitsData.Train).Run(test: DigitsData.Test).ToList();
        return new RunResult(name, reports.Select(r => r.TrainCost).ToArray(), reports[^1].TestAccuracy ?? double.NaN,
            network.Layers.SelectMany(l => l.Weights.Concat(l.Biases)).ToArray());
    }

    /// <summary>
    /// Agreement with a run on another processor. The two differ only in rounding: FMA (one rounding per
    /// multiply-add on ARM64 and x86 with AVX2 or AVX-512, two under SSE) and the order of the sums (6×8 tiles on
    /// ARM64, 12×32 or 6×16 on x86 with AVX), each worth about one float32 ulp (6e-8 relative) per product, which
    /// training then carries through every later step (most under Adam, whose update divides by √v̂). Measured on
    /// this machine (bench/RESULTS.md, "ARM64 under emulation"): ARM64 against AVX-512 at most 7e-7 relative in
    /// the costs and 7e-6 of the largest parameter; SSE (no FMA) against AVX-512 4e-6 and 1.2e-5. The tolerances
    /// leave a margin of 13× and 40× over the largest of those, and sit far below what a wrong kernel gives (the last
    /// k step dropped from 4 of the 48 accumulators of the 6×8 tile changed the costs by 8e-2 and 8e-1 relative and
    /// the parameters by 0.25 and 0.42 of the largest, though both networks still reached 94–95% test accuracy).
    /// </summary>
    public const double CostTolerance = 5e-5, ParameterTolerance = 5e-4;

    /// <summary>Test accuracy may move by this many of the 359 test examples (one prediction near a tie flipping).</summary>
    public const int AccuracyExamples = 2;

    public static bool Compare(Result expected, Result actual, TextWriter output)
    {
        bool ok = expected.Runs.Length == actual.Runs.Length;
        output.WriteLine($"training: {actual.InstructionSet} against the reference run's {expected.InstructionSet}");
        foreach (var (e, a) in expected.Runs.Zip(actual.Runs))
        {
            double costDifference = e.Costs.Zip(a.Costs, (x, y) => Math.Abs(x - y) / Math.Max(Math.Abs(x), 1e-12)).Max();
            double scale = e.Parameters.Max(MathF.Abs);
            double parameterDifference = e.Parameters.Zip(a.Parameters, (x, y) => (double)MathF.Abs(x - y)).Max() / scale;
            double accuracyDifference = Math.Abs(e.TestAccuracy - a.TestAccuracy) * DigitsData.Test.Count;
            bool same = e.Name == a.Name && e.Costs.Length == a.Costs.Length && e.Parameters.Length == a.Parameters.Length;
            bool close = same && costDifference <= CostTolerance && parameterDifference <= ParameterTolerance && accuracyDifference <= AccuracyExamples + 0.5;
            ok &= close;
            output.WriteLine($"  {(close ? "ok" : "MISMATCH")} {a.Name}: final cost {a.Costs[^1]:F6} (reference {e.Costs[^1]:F6}), " +
                $"test accuracy {a.TestAccuracy:P2} (reference {e.TestAccuracy:P2}); largest differences: cost {costDifference:E2} relative " +
                $"(tolerance {CostTolerance:E0}), parameters {parameterDifference:E2} of the largest |parameter| {scale:F3} (tolerance {ParameterTolerance:E0})");
        }
        return ok;
    }
}
