using System.Text.Json;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>The flags the playground needs, in the terminal: per-layer activations, L1, features, noise, example counts, test fractions.</summary>
public class NewTrainFlagsTests
{
    [Fact]
    public void A_network_with_an_activation_per_layer_saves_and_loads_with_the_same_outputs()
    {
        // The reproduction of the issue: a 13,32,3 network's outputs changed silently after a save and load.
        var architecture = new Architecture([13, 32, 16, 3], [Activation.Relu, Activation.Tanh], Activation.Softmax, Cost.CrossEntropy);
        var network = Network<float>.Initialize(architecture, 5);
        var input = Enumerable.Range(0, 13).Select(i => (float)Math.Sin(i)).ToArray();
        using var folder = new TempDirectory();
        ModelFile.Save(folder.File("m.safetensors"), network);
        var loaded = ModelFile.Load(folder.File("m.safetensors")).Network;
        Assert.Equal("relu,tanh", loaded.Architecture.HiddenActivationsText);
        Assert.Same(Activation.Tanh, loaded.Layers[1].Activation);
        Assert.Equal(network.Forward(input, 1), loaded.Forward(input, 1));
    }

    [Fact]
    public void Train_takes_one_activation_per_hidden_layer_and_evaluate_agrees_with_its_accuracy()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,8,6,2", "--activation", "relu,tanh", "--epochs", "5",
            "--l1", "0.001", "--noise", "0.2", "--examples", "600", "--test-fraction", "0.25", "--seed", "3", "--json", "--no-pictures", "--out", "m.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        var summary = JsonDocument.Parse(r.OutputLines[^1]).RootElement;
        var model = ModelFile.Load(folder.File("m.safetensors"));
        Assert.Equal("relu,tanh", model.Network.Architecture.HiddenActivationsText);
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "moons", "--noise", "0.2", "--examples", "600",
            "--test-fraction", "0.25", "--seed", "3", "--json");
        Assert.True(e.ExitCode == 0, e.ToString());
        var evaluation = JsonDocument.Parse(e.OutputLines[^1]).RootElement;
        Assert.Equal(150, evaluation.GetProperty("examples").GetInt32());
        Assert.Equal(summary.GetProperty("test_accuracy").GetDouble(), evaluation.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void A_model_of_plane_features_keeps_them_and_evaluate_and_predict_make_them_from_raw_points()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "circles", "--features", "x1^2,x2^2", "--layers", "2,2", "--output-activation", "softmax",
            "--epochs", "20", "--json", "--no-pictures", "--out", "m.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        // x1² and x2² make circles linearly separable: a network with no hidden layer learns them.
        double accuracy = JsonDocument.Parse(r.OutputLines[^1]).RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.95, $"circles from x1², x2² with no hidden layer: {accuracy}");
        Assert.Equal("x1^2,x2^2", ModelFile.Load(folder.File("m.safetensors")).Features!.ToString());
        var e = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "circles", "--json");
        Assert.Equal(accuracy, JsonDocument.Parse(e.OutputLines[^1]).RootElement.GetProperty("accuracy").GetDouble());
        File.WriteAllText(folder.File("points.csv"), "0,0\n1.0,0\n");
        var p = BackpropProcess.Run(folder.Path, "predict", "--model", "m.safetensors", "--input", "csv:points.csv", "--json");
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Equal(1, JsonDocument.Parse(p.OutputLines[0]).RootElement.GetProperty("class").GetInt32());  // the centre is the inner circle
        Assert.Equal(0, JsonDocument.Parse(p.OutputLines[1]).RootElement.GetProperty("class").GetInt32());
        var x = BackpropProcess.Run(folder.Path, "export", "--model", "m.safetensors", "--onnx", "m.onnx");
        Assert.True(x.ExitCode == 0, x.ToString());
        Assert.Contains("[batch, 2] (the point x1, x2; features x1^2,x2^2 made inside)", x.Output);
        var predicted = p.OutputLines.SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("outputs").EnumerateArray().Select(v => v.GetSingle())).ToArray();
        var onnx = Backprop.Tests.Serialization.OnnxRunner.Run(File.ReadAllBytes(folder.File("m.onnx")), [0, 0, 1, 0], 2);
        Backprop.Tests.Serialization.OnnxRunner.AssertClose(predicted, onnx, 2, 1e-5, "ONNX Runtime against predict");
    }

    [Theory]
    [InlineData("--activation relu,tanh --layers 2,4,2", "--activation relu,tanh names 2 activations but the network has 1 hidden layer")]
    [InlineData("--features x1,x3", "unknown feature 'x3'")]
    [InlineData("--noise -1", "noise must be between 0 and 10, got -1")]
    [InlineData("--examples 1", "the number of examples must be between 2 and 1000000, got 1")]
    [InlineData("--test-fraction 1", "the test fraction must be at least 0 and below 1, got 1")]
    [InlineData("--l1 -0.5", "--l1 must be zero or positive, got -0.5")]
    public void Impossible_values_of_the_new_flags_are_exit_2_with_one_line(string flags, string message)
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, ["train", "--data", "spiral", .. flags.Split(' '), "--out", "m.safetensors"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Error);
        Assert.Single(r.ErrorLines);
        Assert.False(File.Exists(folder.File("m.safetensors")));
    }

    [Fact]
    public void Synthetic_settings_on_a_data_set_with_its_own_files_are_refused()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "fashion-mnist", "--noise", "0.1", "--out", "m.safetensors");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("settings of the synthetic sets", r.Error);
    }

    [Fact]
    public void A_cost_that_grows_a_thousandfold_is_divergence_exit_2_and_no_model()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", "2,3,2", "--optimizer", "sgd", "--lr", "1e6", "--out", "m.safetensors");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("training diverged", r.Error);
        Assert.Contains("lower the learning rate (--lr 1e6 now, try 100000)", r.Error);
        Assert.Matches(@"the cost grew from 0\.8732 to [0-9.]+e[0-9]+;", r.Error);   // one number format: 3.944e7, not 3.944E+07
        Assert.False(File.Exists(folder.File("m.safetensors")));
    }

    [Fact]
    public void A_csv_file_gets_a_seeded_test_part_with_test_fraction()
    {
        using var folder = new TempDirectory();
        var random = new Random(3);
        File.WriteAllLines(folder.File("d.csv"), Enumerable.Range(0, 200).Select(i =>
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            return FormattableString.Invariant($"{a:F4},{b:F4},{(a + b > 0 ? 1 : 0)}");
        }));
        var r = BackpropProcess.Run(folder.Path, "train", "--data", "csv:d.csv", "--test-fraction", "0.2", "--layers", "2,4,2", "--epochs", "3", "--no-pictures", "--out", "m.safetensors");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("(160 examples, test 40)", r.Output);
    }
}
