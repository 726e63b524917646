using System.Text.Json;
using Backprop.Serialization;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>Classes with names, from word labels or scikit-learn's header, through train, evaluate and predict.</summary>
public class NamedClassesTests
{
    // Two well-separated groups per class: a linear model learns them in a few epochs.
    static string Table(bool header)
    {
        var rows = new List<string>();
        if (header) rows.Add("x,y,animal");
        var rng = new Random(4);
        string[] names = ["dog", "cat", "emu"];
        double[][] centres = [[2, 0], [-2, 0], [0, 3]];
        for (int i = 0; i < 90; i++)
        {
            int k = i % 3;
            rows.Add(FormattableString.Invariant($"{centres[k][0] + 0.3 * rng.NextDouble():F3},{centres[k][1] + 0.3 * rng.NextDouble():F3},{names[k]}"));
        }
        return string.Join('\n', rows) + "\n";
    }

    [Fact]
    public void Word_labels_train_a_model_that_stores_the_names_and_evaluate_and_predict_print_them()
    {
        using var folder = new TempDirectory();
        folder.WriteText("animals.csv", Table(header: true));
        var t = BackpropProcess.Run(folder.Path, "train", "--data", "csv:animals.csv", "--layers", "2,3", "--lr", "0.05", "--epochs", "30",
            "--no-pictures", "--json", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        Assert.Equal(["cat", "dog", "emu"], ModelFile.Load(folder.File("m.safetensors")).ClassNames!);

        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:animals.csv");
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.StartsWith("accuracy 100.00% (90/90)", e.OutputLines[0]);
        Assert.Equal("confusion matrix (rows: actual class, columns: predicted class)", e.OutputLines[1]);
        Assert.Equal("                 cat       dog       emu", e.OutputLines[2]);
        Assert.Equal("cat               30         0         0", e.OutputLines[3]);
        Assert.Equal("emu                0         0        30", e.OutputLines[5]);
        Assert.Equal("class       precision    recall  examples", e.OutputLines[6]);
        Assert.Equal("dog           100.00%   100.00%        30", e.OutputLines[8]);

        var j = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:animals.csv", "--json");
        var json = JsonDocument.Parse(j.OutputLines[^1]).RootElement;
        Assert.Equal(["cat", "dog", "emu"], json.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
        Assert.Equal([30L, 0L, 0L], json.GetProperty("confusion")[0].EnumerateArray().Select(c => c.GetInt64()));
        var emu = json.GetProperty("per_class")[2];
        Assert.Equal("emu", emu.GetProperty("class").GetString());
        Assert.Equal(1.0, emu.GetProperty("precision").GetDouble());
        Assert.Equal(1.0, emu.GetProperty("recall").GetDouble());
        Assert.Equal(30, emu.GetProperty("examples").GetInt32());

        folder.WriteText("points.csv", "2.1,0.1\n0.1,3.1\n");
        var p = BackpropProcess.Run(folder.Path, "predict", "--model", "m.safetensors", "--input", "csv:points.csv", "--json");
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Equal(["dog", "emu"], p.OutputLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("class_name").GetString()!));
        var text = BackpropProcess.Run(folder.Path, "predict", "--model", "m.safetensors", "--input", "csv:points.csv");
        Assert.StartsWith("0\tclass dog\t", text.OutputLines[0]);
    }

    [Fact]
    public void A_file_with_its_rows_in_another_order_is_evaluated_by_the_models_names_and_an_unknown_name_is_refused()
    {
        using var folder = new TempDirectory();
        folder.WriteText("animals.csv", Table(header: false));
        var t = BackpropProcess.Run(folder.Path, "train", "--data", "csv:animals.csv", "--layers", "2,3", "--lr", "0.05", "--epochs", "30", "--no-pictures", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        // Only emus and dogs, emus first: the numbering must come from the model, not from this file.
        folder.WriteText("few.csv", "0.1,3.1,emu\n2.1,0.1,dog\n");
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:few.csv", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        Assert.Equal(1.0, JsonDocument.Parse(e.OutputLines[^1]).RootElement.GetProperty("accuracy").GetDouble());

        folder.WriteText("odd.csv", "0.1,3.1,emu\n2.1,0.1,yak\n");
        var bad = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "csv:odd.csv");
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(bad.ErrorLines);
        Assert.Contains("line 2, column 3: class \"yak\" is not one the model knows (cat, dog, emu); give data with the model's classes", bad.Error);
    }

    [Fact]
    public void Scikit_learns_wine_table_trains_with_its_header_and_class_names()
    {
        const string wine = "/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv";
        using var folder = new TempDirectory();
        var t = BackpropProcess.Run(folder.Path, "train", "--data", "csv:" + wine, "--layers", "13,16,3", "--standardize", "--epochs", "30",
            "--lr", "0.01", "--test-fraction", "0.3", "--no-pictures", "--json", "--out", "m.safetensors");
        Assert.True(t.ExitCode == 0, t.ToString());
        double accuracy = JsonDocument.Parse(t.OutputLines[^1]).RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.9, $"wine test accuracy {accuracy}");
        Assert.Equal(["class_0", "class_1", "class_2"], ModelFile.Load(folder.File("m.safetensors")).ClassNames!);
        var p = BackpropProcess.Run(folder.Path, "predict", "--model", "m.safetensors", "--input", "csv:" + wine);
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Equal(178, p.OutputLines.Length);
        Assert.StartsWith("0\tclass class_0\t", p.OutputLines[0]);
    }
}
