using System.Globalization;
using System.Xml.Linq;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Serialization;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>Issue 11: graph --model draws a small network with its weights, and z, a, δ for one example.</summary>
public class GraphModelTests(ExplainModels models) : IClassFixture<ExplainModels>
{
    static readonly XNamespace SvgNamespace = "http://www.w3.org/2000/svg";

    [Fact]
    public void It_draws_every_weight_and_every_neurons_z_a_and_delta_and_thickens_the_selected_paths()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--model", models.Small, "--data", "xor", "--example", "3", "--weight", "1:2:1", "--out", "net.svg");
        Assert.True(run.ExitCode == 0, run.ToString());
        var svg = XDocument.Load(folder.File("net.svg"));
        Assert.Contains("wrote net.svg and net.dot", run.Output);
        Assert.StartsWith("digraph network {", File.ReadAllText(folder.File("net.dot")));

        var network = ModelFile.Load(models.Small).Network.Convert<double>();
        var data = DataSource.Test("xor", new DataOptions())!;
        var trace = NetworkTrace.Compute(network, data.Example(3).ToArray().Select(v => (double)v).ToArray(), Targets.Create<double>([data.Labels[3]], 2));
        Assert.Contains($"C = {NumberText.Of(trace.Cost, 6)}", run.Output);
        Assert.Contains($"for this example (target: class {data.Labels[3]})", File.ReadAllText(folder.File("net.svg")));

        var links = svg.Descendants(SvgNamespace + "g").Where(g => ((string?)g.Attribute("class"))?.StartsWith("link", StringComparison.Ordinal) == true).ToArray();
        Assert.Equal(2 * 3 + 3 * 2, links.Length);
        foreach (var link in links)
        {
            string name = (string)link.Attribute("data-weight")!; // W1[2,1]
            int l = name[1] - '0', j = name[3] - '0', k = name[5] - '0';
            Assert.Equal(NumberText.Of(network.Layers[l - 1].Weight(j, k), 3), link.Element(SvgNamespace + "text")!.Value);
        }
        // The selected weight, then the two links out of neuron 2 of layer 1: the three links on its paths to the cost.
        var thick = links.Where(g => ((string)g.Attribute("class")!).Contains("path")).Select(g => (string)g.Attribute("data-weight")!).Order().ToArray();
        Assert.Equal(["W1[2,1]", "W2[0,2]", "W2[1,2]"], thick);

        foreach (var (l, n) in new[] { (1, 0), (1, 2), (2, 1) })
        {
            var neuron = svg.Descendants(SvgNamespace + "g").Single(g => (string?)g.Attribute("id") == $"l{l}n{n}");
            var lines = neuron.Elements(SvgNamespace + "text").Select(t => t.Value).ToArray();
            Assert.Equal($"z{l}[{n}] = {NumberText.Of(trace.WeightedInputs[l - 1][n], 4)}", lines[0]);
            Assert.Equal($"a{l}[{n}] = {NumberText.Of(trace.Activations[l - 1][n], 4)}", lines[1]);
            Assert.Equal($"δ{l}[{n}] = {NumberText.Of(trace.Deltas[l - 1][n], 4)}", lines[2]);
        }
    }

    [Fact]
    public void A_network_too_wide_to_read_is_refused_with_the_alternative()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--model", models.Wide, "--data", "xor", "--out", "wide.svg");
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("at most 6 weighted layers of at most 8 neurons (this one is 2,1,200,200,2)", line);
        Assert.Contains("backprop explain --model FILE --weight L:J:K", line);
        Assert.False(File.Exists(folder.File("wide.svg")));
    }

    [Fact]
    public void A_regression_model_is_drawn_with_its_cost_against_the_standardised_target()
    {
        // y = x1 + 2·x2 on a small table; the output neuron is linear, its δ = 2(a − y) with y standardised as in training.
        using var folder = new TempDirectory();
        File.WriteAllLines(folder.File("t.csv"), ["x1,x2,y", .. Enumerable.Range(0, 40).Select(i => $"{i % 7},{i % 5},{i % 7 + 2 * (i % 5)}")]);
        var train = BackpropProcess.Run(folder.Path, "train", "--task", "regression", "--data", "csv:t.csv", "--layers", "2,3,1", "--epochs", "3", "--out", "r.safetensors", "--no-pictures");
        Assert.True(train.ExitCode == 0, train.ToString());
        var run = BackpropProcess.Run(folder.Path, "graph", "--model", "r.safetensors", "--data", "csv:t.csv", "--example", "5", "--out", "r.svg");
        Assert.True(run.ExitCode == 0, run.ToString());

        var model = ModelFile.Load(folder.File("r.safetensors"));
        var data = model.Prepare(DataSource.Train("csv:" + folder.File("t.csv"), new DataOptions { Task = LearningTask.Regression }));
        var y = new float[1];
        data.FillTargets(5, y, 1);
        var trace = NetworkTrace.Compute(model.Network.Convert<double>(), data.Example(5).ToArray().Select(v => (double)v).ToArray(), [y[0]]);
        Assert.Equal(Math.Pow(trace.Activations[^1][0] - y[0], 2), trace.Cost, 12);
        Assert.Contains($"C = {NumberText.Of(trace.Cost, 6)}; wrote r.svg and r.dot", run.Output);
        var svg = XDocument.Load(folder.File("r.svg"));
        var output = svg.Descendants(SvgNamespace + "g").Single(g => (string?)g.Attribute("id") == "l2n0");
        var lines = output.Elements(SvgNamespace + "text").Select(t => t.Value).ToArray();
        Assert.Equal($"a2[0] = {NumberText.Of(trace.Activations[1][0], 4)}", lines[1]);
        Assert.Equal($"δ2[0] = {NumberText.Of(2 * (trace.Activations[1][0] - y[0]), 4)}", lines[2]);
        Assert.Contains($"C = {NumberText.Of(trace.Cost, 6)} for this example (target y = {NumberText.Of(y[0], 4)})", File.ReadAllText(folder.File("r.svg")));
    }

    [Fact]
    public void The_picture_may_not_overwrite_the_model()
    {
        using var folder = new TempDirectory();
        string copy = folder.File("m.safetensors");
        File.Copy(models.Small, copy);
        byte[] before = File.ReadAllBytes(copy);
        var run = BackpropProcess.Run(folder.Path, "graph", "--model", copy, "--data", "xor", "--out", copy);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void Model_options_without_a_model_say_so()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--data", "xor");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--data goes with --model FILE", Assert.Single(run.ErrorLines));
    }
}
