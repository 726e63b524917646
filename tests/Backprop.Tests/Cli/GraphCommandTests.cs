using System.Text.Json;
using System.Xml.Linq;
using Backprop.Tests.Autodiff;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

public class GraphCommandTests
{
    static readonly XNamespace SvgNamespace = "http://www.w3.org/2000/svg";

    static int Count(XDocument svg, string kind) =>
        svg.Descendants(SvgNamespace + "g").Count(g => (string?)g.Attribute("class") == kind);

    static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    [Fact]
    public void With_no_arguments_it_draws_the_seeds_two_weight_chain_as_svg_and_dot()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph");

        Assert.True(run.ExitCode == 0, run.ToString());
        var svg = XDocument.Load(folder.File("graph.svg"));
        Assert.Equal(14, Count(svg, "node"));
        Assert.Equal(13, Count(svg, "edge"));
        string dot = File.ReadAllText(folder.File("graph.dot"));
        Assert.Equal(13, dot.Split('\n').Count(l => l.Contains(" -> ", StringComparison.Ordinal)));
        Assert.Contains("a1 (sigmoid)  data 0.768525", run.Output);
        Assert.Contains("wrote graph.svg and graph.dot", run.Output);
    }

    [Fact]
    public void The_chain_flags_give_the_chain_rule_gradients_in_json()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--x", "-1.5", "--y", "1", "--w=0.3,-0.7,1.1", "--b", "0.1,0,-0.2", "--activation", "tanh", "--out", "chain.svg", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(Assert.Single(run.OutputLines));
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray()
            .Where(n => n.TryGetProperty("label", out _)) // unnamed nodes (the products, a − y) have no label
            .ToDictionary(n => n.GetProperty("label").GetString()!, n => (Data: n.GetProperty("data").GetDouble(), Gradient: n.GetProperty("gradient").GetDouble()));

        // Forward and backward by hand, layer by layer: δ_l = ∂C/∂z_l = ∂C/∂a_l · (1 − a_l²), ∂C/∂a_(l−1) = δ_l · w_l.
        double[] w = [0.3, -0.7, 1.1], b = [0.1, 0, -0.2];
        var a = new double[4];
        a[0] = -1.5;
        for (int l = 0; l < 3; l++) a[l + 1] = Math.Tanh(w[l] * a[l] + b[l]);
        double upstream = 2 * (a[3] - 1);
        Numeric.Close((a[3] - 1) * (a[3] - 1), nodes["C"].Data, 1e-14, "C");
        for (int l = 2; l >= 0; l--)
        {
            double delta = upstream * (1 - a[l + 1] * a[l + 1]);
            Numeric.Close(delta * a[l], nodes[$"w{l + 1}"].Gradient, 1e-12, $"∂C/∂w{l + 1}");
            Numeric.Close(delta, nodes[$"b{l + 1}"].Gradient, 1e-12, $"∂C/∂b{l + 1}");
            upstream = delta * w[l];
        }
        Numeric.Close(upstream, nodes["x"].Gradient, 1e-12, "∂C/∂x");
        Assert.True(File.Exists(folder.File("chain.svg")));
        Assert.True(File.Exists(folder.File("chain.dot")));
    }

    [Fact]
    public void A_function_at_a_point_has_its_partial_derivatives_on_the_variables()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--function", "x1*x2 + sigmoid(x1)", "--at", "2,3", "--out", "f.svg", "--dot", "other.dot", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(Assert.Single(run.OutputLines));
        var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToArray();
        double Gradient(string label) => nodes.Single(n => n.TryGetProperty("label", out var l) && l.GetString() == label).GetProperty("gradient").GetDouble();
        // ∂f/∂x1 = x2 + σ(x1)(1 − σ(x1)), ∂f/∂x2 = x1.
        Numeric.Close(3 + Sigmoid(2) * (1 - Sigmoid(2)), Gradient("x1"), 1e-14, "∂f/∂x1");
        Numeric.Close(2, Gradient("x2"), 1e-14, "∂f/∂x2");
        Assert.Equal(5, nodes.Length); // x1, x2, *, sigmoid, +
        Assert.Equal(5, json.RootElement.GetProperty("edges").GetArrayLength());
        var svg = XDocument.Load(folder.File("f.svg"));
        Assert.Equal(5, Count(svg, "node"));
        Assert.True(File.Exists(folder.File("other.dot")));
        Assert.False(File.Exists(folder.File("f.dot")));
    }

    [Fact]
    public void A_bad_expression_exits_2_naming_the_column()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph", "--function", "x1 + foo(x2)", "--at", "1,2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("at column 6", run.Error);
        Assert.Contains("unknown function 'foo'", run.Error);
        Assert.False(File.Exists(folder.File("graph.svg")));
    }

    [Theory]
    [InlineData(new[] { "--w", "0.8,-0.4", "--b", "0.1" }, "--w has 2 weight(s) but --b has 1 bias(es)")]
    [InlineData(new[] { "--function", "x1 + x2", "--at", "1" }, "--at has 1 number(s) but the function uses 2 variable(s)")]
    [InlineData(new[] { "--function", "x1 + x2" }, "--at is needed")]
    [InlineData(new[] { "--function", "x1", "--at", "1", "--w", "0.5" }, "use one or the other")]
    [InlineData(new[] { "--activation", "softmax" }, "softmax needs several neurons")]
    [InlineData(new[] { "--out", "graph.dot" }, "name the DOT file with --dot")]
    public void Inconsistent_flags_exit_2_with_the_fix(string[] flags, string message)
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, ["graph", .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }
}
