using System.Text.Json;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Training;

namespace Backprop.Tests.CrossCheck;

/// <summary>
/// Learning-rate schedules against torch.optim.lr_scheduler (make_schedule_fixtures.py): every epoch's η to the bit,
/// and networks trained several epochs under a schedule ending with PyTorch's weights.
/// </summary>
public class ScheduleParityTests
{
    static readonly JsonElement Fixtures = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "CrossCheck", "fixtures", "lr_schedules.json"))).RootElement;

    public static TheoryData<string> RateCases()
    {
        var names = new TheoryData<string>();
        foreach (var c in Fixtures.GetProperty("rates").EnumerateArray()) names.Add(c.GetProperty("schedule").GetString()!);
        return names;
    }

    public static TheoryData<string> TrainingCases()
    {
        var names = new TheoryData<string>();
        foreach (var c in Fixtures.GetProperty("training").EnumerateArray()) names.Add(c.GetProperty("name").GetString()!);
        return names;
    }

    [Fact]
    public void The_fixtures_cover_every_schedule_in_rates_and_in_training()
    {
        string Name(JsonElement c) => c.GetProperty("schedule").GetString()!.Split(':')[0];
        Assert.Equal(LearningRateSchedule.Names.ToHashSet(), Fixtures.GetProperty("rates").EnumerateArray().Select(Name).ToHashSet());
        Assert.Superset(new HashSet<string> { "cosine", "step", "warmup", "plateau" }, Fixtures.GetProperty("training").EnumerateArray().Select(Name).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(RateCases))]
    public void Every_epochs_learning_rate_is_torchs_to_the_bit(string schedule)
    {
        var c = Fixtures.GetProperty("rates").EnumerateArray().Single(x => x.GetProperty("schedule").GetString() == schedule);
        var monitored = c.TryGetProperty("monitored", out var m) ? m.EnumerateArray().Select(e => e.GetDouble()).ToList() : null;
        var expected = c.GetProperty("rates").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var actual = LearningRateSchedule.Parse(schedule).Rates(c.GetProperty("initial").GetDouble(), c.GetProperty("epochs").GetInt32(), monitored);
        Assert.Equal(expected.Count, actual.Count);
        for (int e = 0; e < expected.Count; e++)
            Assert.True(expected[e] == actual[e], $"{schedule} epoch {e + 1}: torch η {expected[e]:R}, ours {actual[e]:R}");
    }

    [Theory]
    [MemberData(nameof(TrainingCases))]
    public void Training_under_a_schedule_ends_with_torchs_weights(string name)
    {
        var c = Fixtures.GetProperty("training").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        int[] sizes = c.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var architecture = new Architecture(sizes, Architecture.ParseHiddenActivations(c.GetProperty("activation").GetString()!, sizes.Length - 2),
            Activation.Parse(c.GetProperty("output_activation").GetString()!), Cost.Parse(c.GetProperty("cost").GetString()!));
        var network = new Network<float>(architecture, Enumerable.Range(0, architecture.LayerCount).Select(l => new Layer<float>(
            sizes[l], sizes[l + 1], architecture.ActivationOf(l),
            Matrix(c.GetProperty("initial").GetProperty("weights")[l]), Vector(c.GetProperty("initial").GetProperty("biases")[l]))).ToArray());
        var data = new Dataset(c.GetProperty("inputs").EnumerateArray().SelectMany(Vector).ToArray(),
            c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray(), sizes[0], sizes[^1]);
        var options = new TrainingOptions
        {
            Epochs = c.GetProperty("epochs").GetInt32(), BatchSize = c.GetProperty("batch_size").GetInt32(), Shuffle = false,
            Optimizer = c.GetProperty("optimizer").GetString()!, LearningRate = c.GetProperty("learning_rate").GetDouble(),
            Momentum = c.TryGetProperty("momentum", out var mu) ? mu.GetDouble() : 0.9,
            Schedule = LearningRateSchedule.Parse(c.GetProperty("schedule").GetString()!),
        };
        var reports = new Trainer(network, options, data).Run().ToList();

        var rates = c.GetProperty("rates").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var costs = c.GetProperty("epoch_costs").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal(rates.Count, reports.Count);
        for (int e = 0; e < rates.Count; e++)
        {
            Assert.True(rates[e] == reports[e].LearningRate, $"{name} epoch {e + 1}: torch η {rates[e]:R}, ours {reports[e].LearningRate:R}");
            Close(costs[e], reports[e].TrainCost, $"{name} epoch {e + 1} train cost");
        }
        for (int l = 0; l < architecture.LayerCount; l++)
        {
            AllClose(Matrix(c.GetProperty("final").GetProperty("weights")[l]), network.Layers[l].Weights, $"{name} W{l + 1} after {rates.Count} epochs");
            AllClose(Vector(c.GetProperty("final").GetProperty("biases")[l]), network.Layers[l].Biases, $"{name} b{l + 1} after {rates.Count} epochs");
        }
    }

    static float[] Vector(JsonElement e) => e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
    static float[] Matrix(JsonElement e) => e.EnumerateArray().SelectMany(Vector).ToArray();

    /// <summary>float32 agreement after several epochs: relative 1e-4, or absolute 1e-5 near zero.</summary>
    static void Close(double expected, double actual, string what)
    {
        double tolerance = 1e-5 + 1e-4 * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, actual {actual:R}, tolerance {tolerance:E2}");
    }

    static void AllClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], $"{what}[{i}]");
    }
}
