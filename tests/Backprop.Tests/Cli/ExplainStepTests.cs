using System.Text.Json;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Serialization;
using Backprop.Tests.Autodiff;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>Issue 11, the missing ideas with numbers: the mean over examples is the mini-batch gradient; one update step.</summary>
public class ExplainStepTests(ExplainModels models) : IClassFixture<ExplainModels>
{
    static readonly string Here = Path.GetTempPath();

    static (double[] Inputs, double[] Targets) Batch(IReadOnlyList<int> indices, int outputs)
    {
        var data = DataSource.Test("xor", new DataOptions())!;
        var inputs = indices.SelectMany(i => data.Example(i).ToArray().Select(v => (double)v)).ToArray();
        var targets = indices.SelectMany(i => Targets.Create<double>([data.Labels[i]], outputs)).ToArray();
        return (inputs, targets);
    }

    [Fact]
    public void The_mean_of_the_per_example_derivatives_is_the_trainers_mini_batch_gradient()
    {
        var run = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--weight", "1:2:1", "--example", "0-9", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(Assert.Single(run.OutputLines));
        var root = json.RootElement;

        // Independently: the batched engine on each example alone, and on all ten as one mini-batch.
        var network = ModelFile.Load(models.Small).Network.Convert<double>();
        var examples = root.GetProperty("examples").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(0, 10), examples.Select(e => e.GetProperty("example").GetInt32()));
        double sum = 0;
        for (int i = 0; i < 10; i++)
        {
            var (input, target) = Batch([i], 2);
            var (cost, single) = network.Backpropagate(input, target, 1);
            Numeric.Close(cost, examples[i].GetProperty("cost").GetDouble(), 1e-12, $"C_{i}");
            Numeric.Close(single.Weights[0][2 * 2 + 1], examples[i].GetProperty("derivative").GetDouble(), 1e-12, $"∂C_{i}/∂W1[2,1]");
            sum += single.Weights[0][2 * 2 + 1];
        }
        var (inputs, targets) = Batch(Enumerable.Range(0, 10).ToArray(), 2);
        var (_, batch) = network.Backpropagate(inputs, targets, 10);
        double trainer = batch.Weights[0][2 * 2 + 1];
        Numeric.Close(sum / 10, trainer, 1e-12, "the mean is the mini-batch gradient");
        Numeric.Close(trainer, root.GetProperty("mean_derivative").GetDouble(), 1e-9, "printed mean vs the trainer's gradient");
        Numeric.Close(trainer, root.GetProperty("batch_derivative").GetDouble(), 1e-12, "printed batch gradient");
        Assert.NotEqual(0, trainer); // examples 2, 3, 4, 7, 8, 9 reach this weight: the check is not 0 = 0
    }

    [Fact]
    public void The_text_lists_each_example_and_says_the_mean_is_the_mini_batch_gradient()
    {
        var run = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--weight", "2:0:1", "--example", "0,3,5");
        Assert.True(run.ExitCode == 0, run.ToString());

        var rows = run.OutputLines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+\s+[01]\s")).ToArray();
        Assert.Equal(["0", "3", "5"], rows.Select(r => r.Trim().Split(' ')[0]));
        Assert.Contains("C = (1/m) Σ_k C_k, so its gradient is the mean of theirs", run.Output);
        Assert.Contains("∂C/∂W2[0,1] = (1/3) Σ_k ∂C_k/∂W2[0,1]", run.Output);
        Assert.Contains("backpropagation on the 3 examples as one mini-batch (as train computes it)", run.Output);
    }

    [Fact]
    public void Lr_on_a_model_steps_every_parameter_and_the_cost_falls()
    {
        var run = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--weight", "1:2:1", "--example", "0-9", "--lr", "0.5", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, run.OutputLines.Length);
        using var json = JsonDocument.Parse(run.OutputLines[1]);
        var step = json.RootElement.GetProperty("step");

        var network = ModelFile.Load(models.Small).Network.Convert<double>();
        var (inputs, targets) = Batch(Enumerable.Range(0, 10).ToArray(), 2);
        var (before, gradients) = network.Backpropagate(inputs, targets, 10);
        double w = network.Layers[0].Weights[2 * 2 + 1], g = gradients.Weights[0][2 * 2 + 1];
        Numeric.Close(w, step.GetProperty("value").GetDouble(), 1e-7, "W1[2,1]");
        Numeric.Close(w - 0.5 * g, step.GetProperty("value_new").GetDouble(), 1e-12, "W1[2,1]′ = w − η·∂C/∂w");
        Numeric.Close(before, step.GetProperty("cost_before").GetDouble(), 1e-12, "C before");
        var stepped = network.Clone();
        for (int l = 0; l < stepped.Layers.Count; l++)
        {
            for (int i = 0; i < stepped.Layers[l].Weights.Length; i++) stepped.Layers[l].Weights[i] -= 0.5 * gradients.Weights[l][i];
            for (int i = 0; i < stepped.Layers[l].Biases.Length; i++) stepped.Layers[l].Biases[i] -= 0.5 * gradients.Biases[l][i];
        }
        double after = stepped.Cost(inputs, targets, 10);
        Numeric.Close(after, step.GetProperty("cost_after").GetDouble(), 1e-12, "C after");
        Assert.True(after < before, $"one small step should lower the cost: {before} → {after}");
    }

    [Fact]
    public void Lr_on_the_chain_shows_w_minus_eta_times_the_derivative_and_the_cost_before_and_after()
    {
        var run = BackpropProcess.Run(Here, "explain", "--lr", "0.5", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var first = JsonDocument.Parse(run.OutputLines[0]);
        using var second = JsonDocument.Parse(run.OutputLines[1]);
        var layers = first.RootElement.GetProperty("layers");
        var step = second.RootElement.GetProperty("step");

        // By hand: w′ = w − η·∂C/∂w for both weights (biases 0 − η·∂C/∂b), then the chain again.
        var before = ChainExplanation.Compute(1.5, 0.5, [0.8, -0.4]);
        var w = before.Layers.Select(l => l.Weight - 0.5 * l.CostByWeight).ToArray();
        var b = before.Layers.Select(l => -0.5 * l.CostByBias).ToArray();
        double z1 = w[0] * 1.5 + b[0], a1 = 1 / (1 + Math.Exp(-z1)), z2 = w[1] * a1 + b[1], a2 = 1 / (1 + Math.Exp(-z2));
        Numeric.Close(w[0], step.GetProperty("layers")[0].GetProperty("w_new").GetDouble(), 1e-15, "w1′");
        Numeric.Close(0.8 - 0.5 * layers[0].GetProperty("dC_dw").GetDouble(), step.GetProperty("layers")[0].GetProperty("w_new").GetDouble(), 1e-15, "w1′ from the printed ∂C/∂w1");
        Numeric.Close(before.Cost, step.GetProperty("cost_before").GetDouble(), 1e-15, "C before");
        Numeric.Close((a2 - 0.5) * (a2 - 0.5), step.GetProperty("cost_after").GetDouble(), 1e-14, "C after");

        var text = BackpropProcess.Run(Here, "explain", "--lr", "0.5");
        Assert.Contains("w1′ = w1 − η·∂C/∂w1 = 0.8 − 0.5·0.00397484", text.Output);
        Assert.Contains("C = 0.00581451 before the step, 0.00475168 after: it fell", text.Output);
    }

    [Theory]
    [InlineData(new[] { "explain", "--lr", "0" }, "--lr must be a positive number")]
    [InlineData(new[] { "explain", "--model", "{small}", "--data", "xor", "--weight", "1:0:0", "--example", "3-1" }, "write it 1-3")]
    [InlineData(new[] { "explain", "--model", "{small}", "--data", "xor", "--weight", "1:0:0", "--example", "0-x" }, "like 3, 0-9 or 0,3,5")]
    [InlineData(new[] { "explain", "--model", "{small}", "--data", "xor", "--weight", "1:0:0", "--example", "0-5000" }, "at most 1000")]
    [InlineData(new[] { "explain", "--model", "{small}", "--data", "xor", "--weight", "1:0:0", "--example", "995-1000" }, "use 0…999")]
    [InlineData(new[] { "explain", "--cost-of-derivatives", "--lr", "0.1" }, "leave out --lr")]
    public void Bad_steps_and_example_lists_exit_2_naming_the_fix(string[] args, string expected)
    {
        var run = BackpropProcess.Run(models.Folder, args.Select(a => a == "{small}" ? models.Small : a).ToArray());
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, Assert.Single(run.ErrorLines));
    }
}
