using System.Text.Json;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>train --lr-schedule and --early-stopping: what they report, what the model holds, and resuming them.</summary>
public class TrainingControlCommandTests
{
    // Noisy moons and a wide layer: the validation cost turns up by epoch 10, so early stopping ends the run, and the
    // plateau schedule halves η on the way (150 training examples in batches of 16: 10 batches an epoch).
    static readonly string[] Run =
    [
        "train", "--data", "moons", "--noise", "0.3", "--examples", "400", "--layers", "2,32,2", "--batch", "16", "--epochs", "40", "--seed", "3",
        "--validation-split", "0.25", "--early-stopping", "3", "--lr-schedule", "plateau:1:0.5", "--lr", "0.05", "--no-pictures",
    ];

    [Fact]
    public void Early_stopping_saves_the_best_epochs_weights_and_the_summary_names_that_epoch()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, [.. Run, "--json", "--out", "m.safetensors"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var epochs = lines.Where(l => l.GetProperty("event").GetString() == "epoch").ToList();
        var summary = lines[^1];
        var costs = epochs.Select(e => e.GetProperty("validation_cost").GetDouble()).ToList();
        int best = costs.IndexOf(costs.Min()) + 1;

        Assert.True(summary.GetProperty("stopped_early").GetBoolean(), r.ToString());
        Assert.Equal(best, summary.GetProperty("best_epoch").GetInt32());
        Assert.Equal(best + 3, epochs.Count); // three epochs without improvement after the best
        Assert.Equal(costs[best - 1], summary.GetProperty("validation_cost").GetDouble());
        Assert.Contains(epochs, e => e.GetProperty("learning_rate").GetDouble() == 0.025); // the plateau halved η
        // The model file holds the best epoch's weights: evaluate finds that epoch's test accuracy, which the summary gives.
        double bestTest = epochs[best - 1].GetProperty("test_accuracy").GetDouble();
        Assert.NotEqual(bestTest, epochs[^1].GetProperty("test_accuracy").GetDouble());
        Assert.Equal(bestTest, summary.GetProperty("test_accuracy").GetDouble());
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "moons", "--noise", "0.3", "--examples", "400", "--seed", "3", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.Equal(bestTest, JsonDocument.Parse(e.OutputLines[^1]).RootElement.GetProperty("accuracy").GetDouble());

        var text = BackpropProcess.Run(folder.Path, [.. Run, "--out", "t.safetensors"]);
        Assert.Contains($"stopped early after epoch {epochs.Count}: the validation cost has not improved for 3 epochs; the model holds epoch {best}'s weights", text.Output);
        Assert.Equal(File.ReadAllBytes(folder.File("m.safetensors")), File.ReadAllBytes(folder.File("t.safetensors")));
    }

    [Fact]
    public void A_run_with_a_schedule_and_early_stopping_resumed_mid_epoch_saves_the_same_model_file()
    {
        using var folder = new TempDirectory();
        var alone = BackpropProcess.Run(folder.Path, [.. Run, "--out", "alone.safetensors"]);
        Assert.True(alone.ExitCode == 0, alone.ToString());
        var first = BackpropProcess.Run(folder.Path, [.. Run, "--out", "resumed.safetensors", "--checkpoint-dir", "checkpoints", "--checkpoint-every", "3"]);
        Assert.True(first.ExitCode == 0, first.ToString());

        // The newest three are kept: drop the two newest and the model, and resume from the one before (mid-epoch,
        // after η was halved and the best epoch found).
        var kept = Directory.GetFiles(folder.File("checkpoints"), "checkpoint-*.safetensors").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, kept.Length);
        File.Delete(kept[2]);
        File.Delete(kept[1]);
        File.Delete(folder.File("resumed.safetensors"));
        Assert.DoesNotContain("-00000000.", Path.GetFileName(kept[0]));
        var resumed = BackpropProcess.Run(folder.Path, "train", "--resume", "checkpoints", "--out", "resumed.safetensors");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains(Path.GetFileName(kept[0]), resumed.Output);
        Assert.Contains("stopped early", resumed.Output);
        Assert.Equal(File.ReadAllBytes(folder.File("alone.safetensors")), File.ReadAllBytes(folder.File("resumed.safetensors")));
    }

    [Theory]
    [InlineData(new[] { "--early-stopping", "3" }, "--early-stopping 3 watches the cost on held-out examples, and there are none; add --validation-split 0.1")]
    [InlineData(new[] { "--early-stopping", "-1", "--validation-split", "0.1" }, "--early-stopping must be 0 or more epochs, got -1")]
    [InlineData(new[] { "--lr-schedule", "cosine" }, "--lr-schedule: learning-rate schedule 'cosine': cosine takes 1 to 2 values; use step:STEP[:FACTOR]")]
    [InlineData(new[] { "--lr-schedule", "step:3:2" }, "--lr-schedule: learning-rate schedule 'step:3:2': the factor must be between 0 and 1, got 2")]
    [InlineData(new[] { "--batch", "0" }, "--batch must be at least 1, got 0; 10 to 256 is usual")]
    [InlineData(new[] { "--layers", "3,4,2" }, "moons has 2 features but --layers starts with 3; use --layers 2,…")]
    public void A_bad_control_flag_is_refused_in_one_line_in_the_commands_words(string[] flags, string message)
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, ["train", "--data", "moons", "--no-pictures", .. flags]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: " + message, r.ErrorLines[0]);
    }

    [Fact]
    public void Help_lists_the_schedules_and_early_stopping()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--help");
        // The syntax's brackets are Spectre markup unless doubled: unescaped, help crashed.
        Assert.True(r.ExitCode == 0 && r.Error == "", r.ToString());
        Assert.Contains("--lr-schedule <SCHEDULE>", r.Output);
        Assert.Contains("--early-stopping <PATIENCE>", r.Output);
        string flat = string.Concat(r.Output.Where(c => !char.IsWhiteSpace(c)));
        Assert.Contains("plateau[:PATIENCE[:FACTOR]]", flat);
    }
}
