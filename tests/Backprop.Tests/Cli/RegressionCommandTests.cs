using System.Globalization;
using System.Text.Json;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>`--task regression` end to end: train, evaluate, predict, and every refusal.</summary>
public class RegressionCommandTests
{
    /// <summary>y = 40·x1 − 25·x2 + 300 (+ a second target 2·x1 when asked), x in [−1, 1]: targets far from 0, in their own units.</summary>
    static string Table(int rows = 300, bool twoTargets = false)
    {
        var rng = new Random(7);
        var lines = new List<string> { twoTargets ? "x1,x2,price,double_x1" : "x1,x2,price" };
        for (int i = 0; i < rows; i++)
        {
            double x1 = 2 * rng.NextDouble() - 1, x2 = 2 * rng.NextDouble() - 1;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{40 * x1 - 25 * x2 + 300:F4}") +
                      (twoTargets ? string.Create(CultureInfo.InvariantCulture, $",{2 * x1:F4}") : ""));
        }
        return string.Join('\n', lines) + "\n";
    }

    static JsonElement LastJson(RunResult r) => JsonDocument.Parse(r.OutputLines[^1]).RootElement;

    [Fact]
    public void A_standardised_regression_trains_and_evaluate_and_predict_speak_in_the_targets_units()
    {
        using var folder = new TempDirectory();
        folder.WriteText("prices.csv", Table());
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:prices.csv", "--layers", "2,16,1",
            "--standardize", "--epochs", "40", "--lr", "0.01", "--batch", "16", "--test-fraction", "0.2", "--json", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        var epoch = JsonDocument.Parse(t.OutputLines[0]).RootElement;
        Assert.Equal(1, epoch.GetProperty("epoch").GetInt32());
        Assert.Equal(240, epoch.GetProperty("train").GetProperty("examples").GetInt32());
        var test = LastJson(t).GetProperty("test");
        double r2 = test.GetProperty("r2").GetDouble();
        Assert.True(r2 > 0.99, $"test R² {r2}");
        Assert.True(test.GetProperty("rmse").GetDouble() < 5, test.ToString()); // targets spread over ±65
        // Its pictures: the curves of cost and R², and for two features the predicted surface (no decision regions).
        Assert.Equal(["m.curves.png", "m.fit.png"], LastJson(t).GetProperty("pictures").EnumerateArray().Select(p => p.GetString()!));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(folder.File("m.curves.png"))[..4]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(folder.File("m.fit.png"))[..4]);
        Assert.False(File.Exists(folder.File("m.boundary.png")));

        var model = ModelFile.Load(folder.File("m.safetensors"));
        Assert.Equal(LearningTask.Regression, model.Task);
        Assert.Equal("identity", model.Network.Architecture.OutputActivation.Name);
        Assert.Equal("quadratic", model.Network.Architecture.Cost.Name);
        Assert.InRange(model.TargetScale!.Mean[0], 290f, 310f);

        // evaluate reads the whole file (no --test-fraction): its figures in JSON, and in text.
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:prices.csv", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        var all = LastJson(e);
        Assert.Equal(300, all.GetProperty("examples").GetInt32());
        Assert.Equal(["mse", "rmse", "mae", "r2", "examples"], all.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Math.Sqrt(all.GetProperty("mse").GetDouble()), all.GetProperty("rmse").GetDouble(), 9);
        Assert.True(all.GetProperty("r2").GetDouble() > 0.99, all.ToString());
        // The same test part as training: the same R².
        var et = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:prices.csv", "--test-fraction", "0.2", "--json");
        Assert.Equal(r2, LastJson(et).GetProperty("r2").GetDouble(), 9);
        var text = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:prices.csv");
        Assert.StartsWith("R² 0.99", text.OutputLines[0]);

        folder.WriteText("points.csv", "0,0\n0.5,-0.5\n");
        var p = BackpropProcess.Run(folder.Path, "predict", "--model", "m.safetensors", "--input", "csv:points.csv", "--json");
        Assert.True(p.ExitCode == 0, p.ToString());
        var values = p.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("outputs")[0].GetDouble()).ToArray();
        Assert.InRange(values[0], 300 - 5, 300 + 5);
        Assert.InRange(values[1], 332.5 - 5, 332.5 + 5);
        Assert.DoesNotContain("class", p.Output);
    }

    [Fact]
    public void Two_target_columns_make_two_outputs()
    {
        using var folder = new TempDirectory();
        folder.WriteText("two.csv", Table(twoTargets: true));
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:two.csv", "--label-column", "2,3",
            "--layers", "2,2", "--standardize", "--epochs", "60", "--lr", "0.05", "--batch", "16", "--json", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        Assert.True(LastJson(t).GetProperty("train").GetProperty("r2").GetDouble() > 0.999, t.Output);
        Assert.Equal(2, ModelFile.Load(folder.File("m.safetensors")).Network.OutputSize);
    }

    [Fact]
    public void One_feature_gets_the_fitted_curve_over_the_data()
    {
        using var folder = new TempDirectory();
        var rng = new Random(3);
        folder.WriteText("curve.csv", "x,y\n" + string.Concat(Enumerable.Range(0, 200).Select(_ =>
        {
            double x = 6 * rng.NextDouble() - 3;
            return string.Create(CultureInfo.InvariantCulture, $"{x:F4},{50 + 10 * Math.Sin(x):F4}\n");
        })));
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:curve.csv", "--layers", "1,16,1",
            "--standardize", "--epochs", "5", "--json", "--out", "c.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        Assert.Equal(["c.curves.png", "c.fit.png"], LastJson(t).GetProperty("pictures").EnumerateArray().Select(p => p.GetString()!));
        Assert.True(new FileInfo(folder.File("c.fit.png")).Length > 10_000);
    }

    public static TheoryData<string[], string> Refusals() => new()
    {
        { ["train", "--task", "regression", "--output-activation", "softmax"], "--task regression predicts real numbers, which softmax (outputs summing to 1) cannot; leave --output-activation out for identity" },
        { ["train", "--task", "regression", "--cost", "cross-entropy"], "--task regression compares real numbers, which cross-entropy (of class probabilities) cannot; leave --cost out for quadratic" },
        { ["train", "--task", "regression", "--label-column", "9"], "target column 9 is out of range: line 1 has 3 columns, numbered 0 to 2" },
        { ["train", "--task", "regression", "--label-column", "2,2"], "--label-column 2,2: column 2 is given twice; name each target column once" },
        { ["train", "--label-column", "1,2"], "a classification has one label column; several target columns need --task regression" },
        { ["train", "--task", "regresion"], "--task regresion: unknown task; use --task classification or --task regression" },
        { ["train"], "is not a non-negative integer; class labels are 0, 1, 2, … or names, one kind per column (choose the label column with --label-column; a measurement needs --task regression)" },
        { ["train", "--task", "regression", "--data", "spiral"], "spiral holds classes, not real targets; a regression reads a table: --data csv:FILE, or a regression set: plane, gaussians" },
        { ["train", "--data", "gaussians"], "--data gaussians holds real targets, not classes; add --task regression" },
        { ["train", "--task", "regression", "--data", "csv:nan.csv"], "line 3, column 3: target \"NaN\" is not a finite number" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Bad_regression_input_exits_2_with_one_line_and_writes_nothing(string[] args, string message)
    {
        using var folder = new TempDirectory();
        folder.WriteText("prices.csv", Table());
        folder.WriteText("nan.csv", "x1,x2,y\n1,2,3\n4,5,NaN\n");
        var all = args.Contains("--data") ? args : [.. args, "--data", "csv:prices.csv"];
        var r = BackpropProcess.Run(folder.Path, [.. all, "--epochs", "1", "--out", "m.safetensors"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Single(r.ErrorLines);
        Assert.Contains(message, r.Error);
        Assert.False(File.Exists(folder.File("m.safetensors")));
    }

    [Fact]
    public void A_model_of_one_task_is_refused_when_used_as_the_other()
    {
        using var folder = new TempDirectory();
        folder.WriteText("prices.csv", Table(rows: 40));
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:prices.csv", "--epochs", "1", "--out", "r.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "r.safetensors", "--data", "csv:prices.csv", "--task", "classification");
        Assert.Equal(2, e.ExitCode);
        Assert.Equal("error: r.safetensors is a regression model but --task asks for classification; leave --task out (the model knows its task) or use a classification model",
            e.ErrorLines.Single());

        var c = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--epochs", "1", "--no-pictures", "--out", "c.safetensors");
        Assert.True(c.ExitCode == 0, c.ToString());
        var p = BackpropProcess.Run(folder.Path, "predict", "--model", "c.safetensors", "--input", "csv:prices.csv", "--task", "regression");
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("c.safetensors is a classification model but --task asks for regression", p.ErrorLines.Single());
    }

    [Fact]
    public void Explain_takes_a_regression_model_apart_on_its_standardised_target_and_the_batched_engine_agrees()
    {
        using var folder = new TempDirectory();
        folder.WriteText("prices.csv", Table(60));
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:prices.csv", "--layers", "2,4,1",
            "--standardize", "--epochs", "3", "--lr", "0.01", "--batch", "8", "--test-fraction", "0.2", "--seed", "5", "--no-pictures", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        var model = ModelFile.Load(folder.File("m.safetensors"));
        var network = model.Network.Convert<double>();

        // Example 7 of the file, standardised here by hand: x by the model's feature scale, y by its target scale.
        var cells = File.ReadAllLines(folder.File("prices.csv"))[1 + 7].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        double[] x = [(cells[0] - model.Standardizer!.Mean[0]) / model.Standardizer.Deviation[0], (cells[1] - model.Standardizer.Mean[1]) / model.Standardizer.Deviation[1]];
        double y = (cells[2] - model.TargetScale!.Mean[0]) / model.TargetScale.Deviation[0];
        var (cost, gradients) = network.Backpropagate(x, [y], 1);

        var e = BackpropProcess.Run(folder.Path, "explain", "--model", "m.safetensors", "--data", "csv:prices.csv", "--example", "7", "--weight", "1:2:1", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        var json = LastJson(e);
        Assert.False(json.TryGetProperty("label", out _), "a regression's example has no label"); // JSON lines leave nulls out
        Assert.True(Math.Abs(json.GetProperty("target")[0].GetDouble() - y) < 1e-5, $"target {json.GetProperty("target")[0]} against (y − mean)/deviation = {y}");
        double derivative = json.GetProperty("derivative").GetDouble(), expected = gradients.Weights[0][2 * 2 + 1];
        Assert.True(Math.Abs(derivative - expected) <= 1e-4 * Math.Max(1e-3, Math.Abs(expected)), $"∂C/∂W1[2,1]: explain {derivative}, batched engine {expected}");
        Assert.True(Math.Abs(json.GetProperty("cost").GetDouble() - cost) <= 1e-4 * Math.Max(1e-3, cost), $"C_k: explain {json.GetProperty("cost")}, batched engine {cost}");

        var text = BackpropProcess.Run(folder.Path, "explain", "--model", "m.safetensors", "--data", "csv:prices.csv", "--example", "7", "--bias", "2:0");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains(text.OutputLines, l => l.StartsWith("example 7 of csv:prices.csv (file, standardised as the model asks): a regression, target y = ", StringComparison.Ordinal));
        Assert.Contains(text.OutputLines, l => l.StartsWith("the network gives a2 = ", StringComparison.Ordinal));

        // Several examples: the mean of their ∂C_k/∂w is the batched engine's mini-batch gradient.
        var batch = BackpropProcess.Run(folder.Path, "explain", "--model", "m.safetensors", "--data", "csv:prices.csv", "--example", "0-9", "--weight", "2:0:3", "--json");
        Assert.True(batch.ExitCode == 0, batch.ToString());
        var mean = LastJson(batch);
        Assert.Equal(10, mean.GetProperty("examples").GetArrayLength());
        double meanDerivative = mean.GetProperty("mean_derivative").GetDouble(), batched = mean.GetProperty("batch_derivative").GetDouble();
        Assert.True(Math.Abs(meanDerivative - batched) <= 1e-9 * Math.Max(1, Math.Abs(batched)), $"mean {meanDerivative}, mini-batch {batched}");
        Assert.True(Math.Abs(batched) > 1e-6, $"a gradient of {batched} would make the comparison empty");
    }
}

/// <summary>The synthetic regression sets (plane, gaussians) from the command line: trained, evaluated, refused.</summary>
public class SyntheticRegressionCommandTests
{
    [Theory]
    [InlineData("plane", 0.98)]
    [InlineData("gaussians", 0.8)]
    public void A_synthetic_regression_trains_and_evaluate_gives_the_same_test_fit(string name, double wanted)
    {
        using var folder = new TempDirectory();
        var t = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", name, "--examples", "400", "--layers", "2,16,16,1",
            "--activation", "tanh", "--lr", "0.02", "--batch", "16", "--epochs", "60", "--seed", "3", "--json", "--no-pictures", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        var test = JsonDocument.Parse(t.OutputLines[^1]).RootElement.GetProperty("test");
        double r2 = test.GetProperty("r2").GetDouble();
        Assert.Equal(200, test.GetProperty("examples").GetInt32());
        Assert.True(r2 > wanted, $"{name}: test R² {r2}, wanted above {wanted}");
        Assert.Equal(LearningTask.Regression, ModelFile.Load(folder.File("m.safetensors")).Task);

        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", name, "--examples", "400", "--seed", "3", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        var evaluated = JsonDocument.Parse(e.OutputLines[^1]).RootElement;
        Assert.Equal(r2, evaluated.GetProperty("r2").GetDouble(), 1e-9);
    }
}
