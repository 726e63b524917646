using System.Globalization;
using System.Text.Json;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Tests.Autodiff;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>Two small models trained once by the real executable, shared by the model-mode tests.</summary>
public sealed class ExplainModels : IDisposable
{
    readonly TempDirectory directory = new();
    public string Folder => directory.Path;
    public string Small { get; }
    public string Wide { get; }

    public ExplainModels()
    {
        Small = directory.File("small.safetensors");
        Wide = directory.File("wide.safetensors");
        Train("--layers", "2,3,2", "--out", Small);
        // A first-layer weight of 2,1,200,200,2 reaches the cost along 200·200·2 = 80000 paths.
        Train("--layers", "2,1,200,200,2", "--activation", "tanh", "--out", Wide);
    }

    void Train(params string[] args)
    {
        string[] all = ["train", "--data", "xor", "--epochs", "2", .. args];
        var result = BackpropProcess.Run(Folder, all);
        if (result.ExitCode != 0) throw new InvalidOperationException($"training the test model failed: {result}");
    }

    public void Dispose() => directory.Dispose();
}

public class ExplainCommandTests(ExplainModels models) : IClassFixture<ExplainModels>
{
    static readonly string Here = Path.GetTempPath();

    /// <summary>The seeds' two-weight chain by hand: x = 1.5, y = 0.5, w = (0.8, −0.4), b = 0, sigmoid.</summary>
    sealed record SeedsChain
    {
        public const double X = 1.5, Y = 0.5, W1 = 0.8, W2 = -0.4;
        public double Z1 => W1 * X;
        public double A1 => 1 / (1 + Math.Exp(-Z1));
        public double Z2 => W2 * A1;
        public double A2 => 1 / (1 + Math.Exp(-Z2));
        public double Cost => (A2 - Y) * (A2 - Y);
        public double DcDa2 => 2 * (A2 - Y);
        public double Slope2 => A2 * (1 - A2);
        public double DcDz2 => DcDa2 * Slope2;
        public double DcDa1 => DcDz2 * W2;
        public double Slope1 => A1 * (1 - A1);
        public double DcDz1 => DcDa1 * Slope1;
    }

    static string G6(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    static string LineStartingWith(RunResult result, string start) =>
        result.OutputLines.FirstOrDefault(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{start}' in:\n{result}");

    [Fact]
    public void With_no_arguments_it_explains_the_seeds_two_weight_chain()
    {
        var result = BackpropProcess.Run(Here, "explain");
        Assert.True(result.ExitCode == 0, result.ToString());
        var s = new SeedsChain();

        Assert.Contains("w1·x + b1", LineStartingWith(result, "z1 ="));
        Assert.EndsWith("= " + G6(s.Z1), LineStartingWith(result, "z1 ="));
        Assert.EndsWith("= " + G6(s.A1), LineStartingWith(result, "a1 ="));
        Assert.EndsWith("= " + G6(s.A2), LineStartingWith(result, "a2 ="));
        Assert.Contains("(a2 − y)²", LineStartingWith(result, "C "));
        Assert.EndsWith("= " + G6(s.Cost), LineStartingWith(result, "C "));

        Assert.Contains("= " + G6(s.DcDa2), LineStartingWith(result, "∂C/∂a2"));
        Assert.Contains("= " + G6(s.Slope2), LineStartingWith(result, "∂a2/∂z2"));
        string dw2 = LineStartingWith(result, "∂C/∂w2");
        Assert.Contains("= " + G6(s.DcDz2 * s.A1), dw2);
        Assert.Contains("finite difference " + G6(s.DcDz2 * s.A1), dw2);
        string dw1 = LineStartingWith(result, "∂C/∂w1");
        Assert.Contains("= " + G6(s.DcDz1 * SeedsChain.X), dw1);
        Assert.Contains("finite difference", dw1);

        // Layer 1 starts from ∂C/∂a1, recycled from layer 2 rather than recomputed.
        var recycled = result.OutputLines.Where(l => l.TrimStart().StartsWith("∂C/∂a1", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, recycled.Length);
        Assert.Contains("(recycled from layer 2)", recycled[1]);
        Assert.Contains("= " + G6(s.DcDa1), recycled[1]);
        Assert.Contains("computed once", LineStartingWith(result, "∂C/∂z2"));
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Json_has_every_key_with_the_values_of_an_independent_computation()
    {
        var result = BackpropProcess.Run(Here, "explain", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.OutputLines);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        var s = new SeedsChain();
        Numeric.Close(s.Cost, root.GetProperty("cost").GetDouble(), 1e-9, "cost");
        var layers = root.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(2, layers.Length);

        var expected = new[]
        {
            new { layer = 1, w = SeedsChain.W1, z = s.Z1, a = s.A1, dC_da = s.DcDa1, da_dz = s.Slope1, dC_dz = s.DcDz1, dz_dw = SeedsChain.X },
            new { layer = 2, w = SeedsChain.W2, z = s.Z2, a = s.A2, dC_da = s.DcDa2, da_dz = s.Slope2, dC_dz = s.DcDz2, dz_dw = s.A1 },
        };
        for (int l = 0; l < 2; l++)
        {
            var got = layers[l];
            var e = expected[l];
            double Get(string key) => got.TryGetProperty(key, out var v) ? v.GetDouble() : throw new Xunit.Sdk.XunitException($"layer {l + 1} has no '{key}': {line}");
            Assert.Equal(e.layer, got.GetProperty("layer").GetInt32());
            Numeric.Close(e.w, Get("w"), 1e-9, $"w{l + 1}");
            Numeric.Close(0, Get("b"), 1e-9, $"b{l + 1}");
            Numeric.Close(e.z, Get("z"), 1e-9, $"z{l + 1}");
            Numeric.Close(e.a, Get("a"), 1e-9, $"a{l + 1}");
            Numeric.Close(e.dC_da, Get("dC_da"), 1e-9, $"dC_da{l + 1}");
            Numeric.Close(e.da_dz, Get("da_dz"), 1e-9, $"da_dz{l + 1}");
            Numeric.Close(e.dC_dz, Get("dC_dz"), 1e-9, $"dC_dz{l + 1}");
            Numeric.Close(e.dz_dw, Get("dz_dw"), 1e-9, $"dz_dw{l + 1}");
            Numeric.Close(e.dC_dz * e.dz_dw, Get("dC_dw"), 1e-9, $"dC_dw{l + 1}");
            Numeric.Close(e.dC_dz, Get("dC_db"), 1e-9, $"dC_db{l + 1}");
            Numeric.Close(e.dC_dz * e.dz_dw, Get("numeric_dC_dw"), 1e-6, $"numeric_dC_dw{l + 1}");
        }
    }

    [Fact]
    public void Flags_set_the_chain_and_the_seeds_066_example_costs_01156()
    {
        // --x, --y, --w as the issue spells them, and a negative value after a flag.
        var result = BackpropProcess.Run(Here, "explain", "--x", "1", "--y", "1", "--w", "0.66", "--activation", "identity", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Numeric.Close(0.1156, json.RootElement.GetProperty("cost").GetDouble(), 1e-12, "C0");
        Numeric.Close(-0.68, json.RootElement.GetProperty("layers")[0].GetProperty("dC_da").GetDouble(), 1e-12, "∂C0/∂a");

        var negative = BackpropProcess.Run(Here, "explain", "--x", "-2", "--w", "-0.5,1.5,0.3", "--b", "0.1,-0.2,0", "--activation", "tanh", "--json");
        Assert.True(negative.ExitCode == 0, negative.ToString());
        using var chain = JsonDocument.Parse(negative.Output);
        var layers = chain.RootElement.GetProperty("layers");
        Assert.Equal(3, layers.GetArrayLength());
        Numeric.Close(Math.Tanh(-0.5 * -2 + 0.1), layers[0].GetProperty("a").GetDouble(), 1e-12, "a1 = tanh(w1·x + b1)");
        for (int l = 0; l < 3; l++)
            Numeric.Close(layers[l].GetProperty("dC_dw").GetDouble(), layers[l].GetProperty("numeric_dC_dw").GetDouble(), 1e-6, $"dC_dw{l + 1} vs finite difference");
    }

    [Fact]
    public void On_a_trained_model_the_path_sum_equals_the_backpropagated_derivative()
    {
        var result = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--example", "3",
            "--weight", "1:2:1", "--paths", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(Assert.Single(result.OutputLines));
        var root = json.RootElement;

        // Independently: the batched engine in double on the same example of the test part.
        var model = ModelFile.Load(models.Small);
        var network = model.Network.Convert<double>();
        var data = DataSource.Test("xor", new DataOptions())!;
        var input = data.Example(3).ToArray().Select(v => (double)v).ToArray();
        var target = Targets.Create<double>([data.Labels[3]], 2);
        var (cost, gradients) = network.Backpropagate(input, target, 1);

        Numeric.Close(cost, root.GetProperty("cost").GetDouble(), 1e-9, "C_k");
        double expected = gradients.Weights[0][2 * 2 + 1];
        Numeric.Close(expected, root.GetProperty("derivative").GetDouble(), 1e-9, "∂C/∂W1[2,1]");
        Numeric.Close(expected, root.GetProperty("path_sum").GetDouble(), 1e-9, "sum over paths");
        Assert.Equal(2, root.GetProperty("path_count").GetInt32());
        Assert.Equal(2, root.GetProperty("paths").GetArrayLength());
        Assert.Equal(2, root.GetProperty("next_layer_terms").GetArrayLength());
        Numeric.Close(input[1], root.GetProperty("dz_dparameter").GetDouble(), 1e-12, "∂z/∂w = x[1]");
    }

    [Fact]
    public void Text_for_a_hidden_weight_shows_delta_as_the_sum_over_the_next_layer_and_every_path()
    {
        var result = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--example", "3",
            "--weight", "1:2:1", "--paths");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("∂C/∂W1[2,1] = δ1[2] · ∂z1[2]/∂W1[2,1]", result.Output);
        Assert.Contains("Σ_i W2[i,2] · δ2[i]", result.Output);
        Assert.Contains("feeds all 2 neurons of layer 2", result.Output);
        Assert.Contains("W1[2,1] → z1[2] → a1[2] → z2[0] → C", result.Output);
        Assert.Contains("W1[2,1] → z1[2] → a1[2] → z2[1] → C", result.Output);
        Assert.Contains("sum over 2 paths", LineStartingWith(result, "sum over"));
    }

    [Fact]
    public void A_square_input_is_drawn_as_a_picture_beside_the_label_and_the_prediction()
    {
        // 4×4 "images": a bright left column is class 1, a bright right column class 0.
        string csv = Path.Combine(models.Folder, "tiny-images.csv");
        var rows = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            var pixels = new double[16];
            int column = i % 2 == 1 ? 0 : 3;
            for (int r = 0; r < 4; r++) pixels[4 * r + column] = 1;
            pixels[4 * (i / 2 % 4) + column] += 0.5;  // one pixel of the bright column brighter still
            rows.Add(string.Join(",", pixels.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "," + (i % 2));
        }
        File.WriteAllLines(csv, rows);
        string model = Path.Combine(models.Folder, "tiny-images.safetensors");
        var trained = BackpropProcess.Run(models.Folder, "train", "--data", "csv:" + csv, "--layers", "16,4,2", "--epochs", "30", "--lr", "0.05", "--no-pictures", "--out", model);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var result = BackpropProcess.Run(models.Folder, "explain", "--model", model, "--data", "csv:" + csv, "--example", "1", "--weight", "2:1:0");
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutputLines;
        int picture = Array.FindIndex(lines, l => l.StartsWith("the input as a 4×4 picture (0 is ' ', 1.5 is '@'):"));
        Assert.True(picture > 0, result.ToString());
        // Example 1: the left column is bright — 1.5 ('@') in row 0, 1 ('*', 1/1.5 of the way) below — the rest dark.
        Assert.Equal(["  |@   |", "  |*   |", "  |*   |", "  |*   |"], lines.Skip(picture + 1).Take(4));
        Assert.Matches(@"^the network predicts 1 \(a2\[1\] = 0\.\d+, the largest output\), the label: right$", lines[picture - 1]);
        Assert.Contains("label 1, target y = (0, 1)", result.Output);
    }

    [Fact]
    public void Paths_through_a_relu_that_is_off_are_counted_by_their_zero_factor_not_listed()
    {
        // 2,3,3,2 ReLU: neuron 2 of layer 2 has bias −100, so on every xor point it is off and φ′(z2[2]) = 0.
        var architecture = new Backprop.Layers.Architecture([2, 3, 3, 2], Backprop.Activations.Activation.Relu,
            Backprop.Activations.Activation.Softmax, Backprop.Costs.Cost.CrossEntropy);
        var network = Backprop.Layers.Network<float>.Initialize(architecture, 3);
        network.Layers[0].Biases[0] = 5;  // neuron 0 of layer 1 is on
        network.Layers[1].Biases[0] = 5;
        network.Layers[1].Biases[1] = 5;
        network.Layers[1].Biases[2] = -100;
        string path = Path.Combine(models.Folder, "dead.safetensors");
        ModelFile.Save(path, network);
        var result = BackpropProcess.Run(models.Folder, "explain", "--model", path, "--data", "xor", "--weight", "1:0:0", "--paths");
        Assert.True(result.ExitCode == 0, result.ToString());
        // 3 neurons of layer 2 × 2 outputs = 6 paths; the 2 through the dead neuron are one line.
        Assert.Contains("2 paths through φ′(z2[2]) = 0: product 0, not listed", result.Output);
        Assert.DoesNotContain("→ z2[2] →", result.Output);
        Assert.Contains("W1[0,0] → z1[0] → a1[0] → z2[0] → a2[0] → z3[0] → C", result.Output);
        Assert.Contains("sum over 6 paths", LineStartingWith(result, "sum over"));
    }

    [Fact]
    public void A_bias_of_the_output_layer_is_the_costs_own_delta()
    {
        var result = BackpropProcess.Run(models.Folder, "explain", "--model", models.Small, "--data", "xor", "--bias", "2:1", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        var a = root.GetProperty("forward")[1].GetProperty("a")[1].GetDouble();
        double y = root.GetProperty("target")[1].GetDouble();
        Numeric.Close(a - y, root.GetProperty("derivative").GetDouble(), 1e-12, "∂C/∂b2[1] = a − y (softmax with cross-entropy)");
        // Softmax has no element-wise φ′, and a bias no input K: JSON lines leave out what does not exist.
        Assert.False(root.TryGetProperty("activation_slope", out _), "activation_slope for a softmax output");
        Assert.False(root.TryGetProperty("input", out _), "input for a bias");
        Assert.Equal("b2[1]", root.GetProperty("parameter").GetString());
    }

    [Fact]
    public void The_cost_of_derivatives_counts_the_2_3_2_network_as_by_hand()
    {
        var json = BackpropProcess.Run(Here, "explain", "--cost-of-derivatives", "--layers", "2,3,2", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(23, document.RootElement.GetProperty("backpropagation").GetInt64());
        Assert.Equal(60, document.RootElement.GetProperty("separately").GetInt64());

        var text = BackpropProcess.Run(Here, "explain", "--cost-of-derivatives", "--layers", "2,3,2");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.EndsWith("= 23", LineStartingWith(text, "backpropagation: B"));
        Assert.Contains("= 60", LineStartingWith(text, "separately:"));
        Assert.Contains("How it grows with depth", text.Output);
        Assert.Contains("How it grows with width", text.Output);
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["explain", "--model", "missing.safetensors", "--data", "xor", "--weight", "1:0:0"], "does not exist" },
        { ["explain", "--model", "{small}", "--data", "xor", "--weight", "3:0:0"], "layer 3 does not exist" },
        { ["explain", "--model", "{small}", "--data", "xor", "--weight", "1:0:7"], "K must be 0…1" },
        { ["explain", "--model", "{small}", "--data", "xor", "--bias", "2:2"], "J must be 0…1" },
        { ["explain", "--model", "{small}", "--data", "xor", "--weight", "1-0-0"], "L:J:K" },
        { ["explain", "--model", "{small}", "--data", "xor", "--example", "1000", "--weight", "1:0:0"], "use 0…999" },
        { ["explain", "--model", "{small}", "--data", "xor"], "--weight L:J:K" },
        { ["explain", "--model", "{small}", "--weight", "1:0:0"], "needs --data" },
        { ["explain", "--model", "{wide}", "--data", "xor", "--weight", "1:0:0", "--paths"], "80000 paths" },
        { ["explain", "--weight", "1:0:0"], "add --model FILE" },
        { ["explain", "--w", "0.8,oops"], "--w takes finite numbers" },
        { ["explain", "--w", "0.8,-0.4", "--b", "0.1"], "one bias per weight" },
        { ["explain", "--activation", "softmax"], "always 1" },
        { ["explain", "--activation", "swish"], "unknown activation" },
        { ["explain", "--cost-of-derivatives", "--layers", "784,0,10"], "positive whole numbers" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_2_with_one_line_naming_the_fix(string[] args, string expected)
    {
        var resolved = args.Select(a => a == "{small}" ? models.Small : a == "{wide}" ? models.Wide : a).ToArray();
        var result = BackpropProcess.Run(models.Folder, resolved);
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(result.Output);
    }
}
