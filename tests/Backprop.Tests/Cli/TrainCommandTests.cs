using System.Text.Json;
using Backprop.Serialization;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

public class TrainCommandTests
{
    static JsonElement[] JsonLines(RunResult r) => r.OutputLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [Fact]
    public void Train_with_no_arguments_learns_the_embedded_spirals_and_saves_the_model()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(folder.File("model.safetensors")), r.ToString());
        var saved = r.OutputLines.Single(l => l.StartsWith("saved "));
        double accuracy = double.Parse(saved[(saved.LastIndexOf(' ') + 1)..].TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 95, $"embedded default reached {accuracy}%, needs ≥ 95%\n{r}");
        Assert.Contains(r.OutputLines, l => l.StartsWith("next: backprop evaluate --model model.safetensors"));
        Assert.DoesNotContain('\u001b', r.Output); // no escape codes when the output is not a terminal
        var model = ModelFile.Load(folder.File("model.safetensors"));
        Assert.Equal("2,64,64,2", model.Network.Architecture.SizesText);
    }

    [Fact]
    public void The_same_seed_writes_the_same_model_file_and_another_seed_a_different_one()
    {
        using var folder = new TempDirectory();
        string[] Args(string seed, string output) => ["train", "--data", "moons", "--layers", "2,8,2", "--epochs", "3", "--seed", seed, "--out", output];
        Assert.Equal(0, BackpropProcess.Run(folder.Path, Args("4", "a.safetensors")).ExitCode);
        Assert.Equal(0, BackpropProcess.Run(folder.Path, Args("4", "b.safetensors")).ExitCode);
        Assert.Equal(0, BackpropProcess.Run(folder.Path, Args("5", "c.safetensors")).ExitCode);
        Assert.Equal(File.ReadAllBytes(folder.File("a.safetensors")), File.ReadAllBytes(folder.File("b.safetensors")));
        Assert.NotEqual(File.ReadAllBytes(folder.File("a.safetensors")), File.ReadAllBytes(folder.File("c.safetensors")));
    }

    [Fact]
    public void Json_output_has_an_object_per_epoch_and_a_summary_that_evaluate_agrees_with()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "blobs", "--layers", "2,16,3", "--epochs", "4", "--validation-split", "0.2", "--json", "--out", "m.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = JsonLines(r);
        Assert.Equal(5, lines.Length);
        for (int e = 0; e < 4; e++)
        {
            Assert.Equal(e + 1, lines[e].GetProperty("epoch").GetInt32());
            Assert.True(lines[e].GetProperty("train_cost").GetDouble() > 0);
            Assert.True(lines[e].GetProperty("seconds").GetDouble() >= 0);
            Assert.InRange(lines[e].GetProperty("validation_accuracy").GetDouble(), 0, 1);
        }
        Assert.True(lines[3].GetProperty("train_cost").GetDouble() < lines[0].GetProperty("train_cost").GetDouble(), "the cost should fall");
        double testAccuracy = lines[4].GetProperty("test_accuracy").GetDouble();
        Assert.True(testAccuracy > 0.9, $"blobs should be easy, got {testAccuracy}");

        var evaluation = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "blobs", "--json");
        Assert.True(evaluation.ExitCode == 0, evaluation.ToString());
        var e1 = JsonLines(evaluation).Single();
        Assert.Equal(testAccuracy, e1.GetProperty("accuracy").GetDouble(), 12);
        Assert.True(e1.GetProperty("cost").GetDouble() > 0);
        Assert.Equal(1000, e1.GetProperty("examples").GetInt32());
    }

    [Fact]
    public void Predict_gives_a_class_and_outputs_per_row_ignoring_a_trailing_label_column()
    {
        using var folder = new TempDirectory();
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", "2,8,2", "--epochs", "30", "--out", "xor.safetensors").ExitCode);
        folder.WriteText("points.csv", "x1,x2,label\n0.5,0.5,0\n-0.5,0.5,1\n0.5,-0.5,1\n-0.5,-0.5,0\n");
        var r = BackpropProcess.Run(folder.Path, "predict", "--model", "xor.safetensors", "--input", "csv:points.csv", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = JsonLines(r);
        Assert.Equal([0, 1, 1, 0], rows.Select(o => o.GetProperty("class").GetInt32()));
        foreach (var row in rows)
        {
            var outputs = row.GetProperty("outputs").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(2, outputs.Length);
            Assert.Equal(1.0, outputs.Sum(), 5); // softmax
            Assert.Equal(row.GetProperty("class").GetInt32(), Array.IndexOf(outputs, outputs.Max()));
        }
    }

    [Fact]
    public void Standardisation_is_learned_stored_in_the_model_and_applied_when_evaluating()
    {
        using var folder = new TempDirectory();
        // Two features on scales a million apart: the second alone decides the class.
        var rng = new Rng(3);
        var lines = new List<string> { "big,small,label" };
        for (int i = 0; i < 400; i++)
        {
            double small = rng.NextDouble(-1, 1);
            lines.Add(FormattableString.Invariant($"{rng.NextDouble(-1e6, 1e6)},{small},{(small > 0 ? 1 : 0)}"));
        }
        folder.WriteText("scaled.csv", string.Join('\n', lines));
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "csv:scaled.csv", "--layers", "2,8,2", "--epochs", "40", "--standardize", "--out", "s.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        var model = ModelFile.Load(folder.File("s.safetensors"));
        Assert.NotNull(model.Standardizer);
        Assert.InRange(model.Standardizer!.Deviation[0], 4e5, 7e5);
        var evaluation = JsonLines(BackpropProcess.Run(folder.Path, "evaluate", "--model", "s.safetensors", "--data", "csv:scaled.csv", "--json")).Single();
        Assert.True(evaluation.GetProperty("accuracy").GetDouble() > 0.95, evaluation.ToString());
    }

    [Fact]
    public void Init_starts_from_a_file_whose_architecture_must_match_the_flags()
    {
        using var folder = new TempDirectory();
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,8,2", "--epochs", "1", "--out", "first.safetensors").ExitCode);
        var resumed = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,8,2", "--epochs", "1", "--init", "first.safetensors", "--out", "second.safetensors");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var mismatch = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,9,2", "--epochs", "1", "--init", "first.safetensors", "--out", "third.safetensors");
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains("holds a 2,8,2", mismatch.Error);
        Assert.False(File.Exists(folder.File("third.safetensors")));
    }

    [Fact]
    public void A_diverging_run_exits_2_and_leaves_the_previous_model_file_as_it_was()
    {
        using var folder = new TempDirectory();
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,8,2", "--epochs", "1", "--out", "m.safetensors").ExitCode);
        var before = File.ReadAllBytes(folder.File("m.safetensors"));
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,32,2", "--activation", "relu", "--output-activation", "identity",
            "--cost", "quadratic", "--optimizer", "sgd", "--lr", "1e9", "--epochs", "5", "--out", "m.safetensors");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lower the learning rate", Assert.Single(r.ErrorLines));
        Assert.Equal(before, File.ReadAllBytes(folder.File("m.safetensors")));
    }

    [Fact]
    public void Gradcheck_reports_agreement_and_its_json_last_line_holds_the_maximum_error()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "gradcheck", "--layers", "4,6,5,3", "--activation", "sigmoid", "--output-activation", "softmax", "--cost", "cross-entropy", "--seed", "2", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var last = JsonDocument.Parse(r.OutputLines[^1]).RootElement;
        Assert.InRange(last.GetProperty("max_relative_error").GetDouble(), 0, 1e-6);
        Assert.Equal(3, last.GetProperty("layers").GetArrayLength());
        Assert.Equal(4 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3, last.GetProperty("parameters").GetInt32());
        var text = BackpropProcess.Run(folder.Path, "gradcheck");
        Assert.Contains(text.OutputLines, l => l.StartsWith("layer 2: max relative error"));
    }

    [Fact]
    public void Nielsens_network_learns_real_fashion_mnist()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "fashion-mnist", "--layers", "784,30,10", "--activation", "sigmoid", "--output-activation", "sigmoid",
            "--cost", "quadratic", "--optimizer", "sgd", "--lr", "3.0", "--batch", "10", "--epochs", "1", "--json", "--out", "n.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        double accuracy = JsonLines(r)[^1].GetProperty("test_accuracy").GetDouble();
        // Seed 1 reaches 79% after one epoch; chance is 10%, and a broken gradient stays near it.
        Assert.True(accuracy > 0.74, $"test accuracy {accuracy}");
        var evaluation = JsonLines(BackpropProcess.Run(folder.Path, "evaluate", "--model", "n.safetensors", "--data", "fashion-mnist", "--json")).Single();
        Assert.Equal(accuracy, evaluation.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(10000, evaluation.GetProperty("examples").GetInt32());
    }
}
