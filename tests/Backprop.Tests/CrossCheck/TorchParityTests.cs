using Backprop.Data;
using System.Text.Json;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Training;

namespace Backprop.Tests.CrossCheck;

/// <summary>
/// Replays the training steps recorded from PyTorch (make_torch_fixtures.py) and compares the cost, every
/// gradient and every parameter after every step, to float32 tolerance.
/// </summary>
public class TorchParityTests
{
    static readonly JsonElement Fixtures = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "CrossCheck", "fixtures", "torch_parity.json"))).RootElement;

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var c in Fixtures.GetProperty("cases").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    [Fact]
    public void The_fixtures_cover_every_activation_cost_and_optimizer()
    {
        var cases = Fixtures.GetProperty("cases").EnumerateArray().ToList();
        var activations = cases.SelectMany(c => c.GetProperty("activation").GetString()!.Split(',').Append(c.GetProperty("output_activation").GetString()!)).ToHashSet();
        Assert.Superset(Activation.All.Select(a => a.Name).ToHashSet()!, activations!);
        Assert.Equal(Activation.All.Select(a => a.Name).ToHashSet(), activations!);
        Assert.Equal(Cost.All.Select(c => c.Name).ToHashSet(), cases.Select(c => c.GetProperty("cost").GetString()).ToHashSet()!);
        Assert.Equal(Optimizer<float>.Names.ToHashSet(), cases.Select(c => c.GetProperty("optimizer").GetString()).ToHashSet()!);
        Assert.Contains(cases, c => c.GetProperty("weight_decay").GetDouble() > 0);
        Assert.Contains(cases, c => c.GetProperty("l1").GetDouble() > 0);
        Assert.Contains(cases, c => c.GetProperty("activation").GetString()!.Contains(','));
        Assert.Contains(cases, c => c.TryGetProperty("task", out var task) && task.GetString() == "regression");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Every_step_matches_PyTorch(string name)
    {
        var c = Fixtures.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        int[] sizes = c.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var architecture = new Architecture(sizes, Architecture.ParseHiddenActivations(c.GetProperty("activation").GetString()!, sizes.Length - 2),
            Activation.Parse(c.GetProperty("output_activation").GetString()!), Cost.Parse(c.GetProperty("cost").GetString()!));
        var network = new Network<float>(architecture, Enumerable.Range(0, architecture.LayerCount).Select(l => new Layer<float>(
            sizes[l], sizes[l + 1], architecture.ActivationOf(l),
            Matrix(c.GetProperty("initial").GetProperty("weights")[l]), Vector(c.GetProperty("initial").GetProperty("biases")[l]))).ToArray());
        var optimizer = Optimizer<float>.Create(c.GetProperty("optimizer").GetString()!, network, c.GetProperty("learning_rate").GetDouble(),
            c.GetProperty("momentum").GetDouble(), c.GetProperty("weight_decay").GetDouble(), c.GetProperty("l1").GetDouble());
        float[] inputs = c.GetProperty("inputs").EnumerateArray().SelectMany(r => Vector(r)).ToArray();
        int[] labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        // One Dataset for both tasks: a regression case's real targets, or the labels, become y through FillTargets.
        var data = c.TryGetProperty("targets", out var targets)
            ? new Dataset(inputs, targets.EnumerateArray().SelectMany(r => Vector(r)).ToArray(), sizes[0], sizes[^1])
            : new Dataset(inputs, labels, sizes[0], Math.Max(2, sizes[^1]));

        int stepNumber = 0;
        foreach (var step in c.GetProperty("steps").EnumerateArray())
        {
            stepNumber++;
            int start = step.GetProperty("batch_start").GetInt32(), count = step.GetProperty("batch_count").GetInt32();
            var y = new float[count * architecture.OutputSize];
            for (int i = 0; i < count; i++) data.FillTargets(start + i, y.AsSpan(i * architecture.OutputSize, architecture.OutputSize), architecture.OutputSize);
            var (cost, gradients) = network.Backpropagate(inputs.AsSpan(start * sizes[0], count * sizes[0]), y, count);
            Close(step.GetProperty("cost").GetDouble(), cost, $"{name} step {stepNumber} cost");
            for (int l = 0; l < architecture.LayerCount; l++)
            {
                AllClose(Matrix(step.GetProperty("gradients").GetProperty("weights")[l]), gradients.Weights[l], $"{name} step {stepNumber} ∂C/∂W{l + 1}");
                AllClose(Vector(step.GetProperty("gradients").GetProperty("biases")[l]), gradients.Biases[l], $"{name} step {stepNumber} ∂C/∂b{l + 1}");
            }
            optimizer.Step(gradients);
            for (int l = 0; l < architecture.LayerCount; l++)
            {
                AllClose(Matrix(step.GetProperty("after").GetProperty("weights")[l]), network.Layers[l].Weights, $"{name} step {stepNumber} W{l + 1} after");
                AllClose(Vector(step.GetProperty("after").GetProperty("biases")[l]), network.Layers[l].Biases, $"{name} step {stepNumber} b{l + 1} after");
            }
        }
        Assert.True(stepNumber > 0);
    }

    static float[] Vector(JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
    static float[] Matrix(JsonElement e) => e.EnumerateArray().SelectMany(Vector).ToArray();

    /// <summary>float32 agreement: relative 1e-4, or absolute 1e-6 near zero (rounding differs in summation order).</summary>
    static void Close(double expected, double actual, string what)
    {
        double tolerance = 1e-6 + 1e-4 * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, actual {actual:R}, tolerance {tolerance:E2}");
    }

    static void AllClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], $"{what}[{i}]");
    }
}
