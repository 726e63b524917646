using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Backprop.Autodiff;
using Backprop.Graphs;

namespace Backprop.Tests.Graphs;

public partial class GraphWriterTests
{
    static readonly XNamespace SvgNamespace = "http://www.w3.org/2000/svg";

    /// <summary>The number as the pictures print it, derived here independently: G4, then U+2212 for the sign.</summary>
    static string Shown(double v) => v == 0 ? "0" : v.ToString("G4", CultureInfo.InvariantCulture); // ASCII minus, as every number the tool shows

    static IEnumerable<XElement> Groups(XDocument svg, string kind) =>
        svg.Descendants(SvgNamespace + "g").Where(g => (string?)g.Attribute("class") == kind);

    [Fact]
    public void The_svg_is_xml_with_one_box_per_value_showing_its_data_and_gradient()
    {
        var chain = ComputationGraphTests.SeedChain();
        var graph = ComputationGraph.Of(chain.Cost);
        var svg = XDocument.Parse(Svg.Write(graph));

        var nodes = Groups(svg, "node").ToArray();
        Assert.Equal(Value.TopologicalOrder(chain.Cost).Count, nodes.Length);
        foreach (var n in graph.Nodes)
        {
            var box = nodes.Single(g => (string?)g.Attribute("id") == $"n{n.Id}");
            string text = string.Concat(box.Elements(SvgNamespace + "text").Select(t => t.Value + "\n"));
            Assert.Contains(n.Title + "\n", text);
            Assert.Contains($"data {Shown(n.Value.Data)} | grad {Shown(n.Value.Gradient)}", text);
        }
        // The seeds' numbers, written out: a1 = σ(1.2), and C's own gradient 1.
        var a1 = nodes.Single(g => g.Elements(SvgNamespace + "text").First().Value == "a1 (sigmoid)");
        Assert.StartsWith("data 0.7685 | grad 0.0149", a1.Elements(SvgNamespace + "text").ElementAt(1).Value);
        var cost = nodes.Single(g => g.Elements(SvgNamespace + "text").First().Value == "C (^2)");
        Assert.EndsWith("| grad 1", cost.Elements(SvgNamespace + "text").ElementAt(1).Value);
    }

    [Fact]
    public void The_svg_has_one_arrow_per_child_link_labelled_with_the_local_derivative()
    {
        var chain = ComputationGraphTests.SeedChain();
        var graph = ComputationGraph.Of(chain.Cost);
        var svg = XDocument.Parse(Svg.Write(graph));

        var edges = Groups(svg, "edge").ToArray();
        Assert.Equal(Value.TopologicalOrder(chain.Cost).Sum(v => v.Children.Count), edges.Length);
        var drawn = edges.Select(e => ((string)e.Attribute("data-from")!, (string)e.Attribute("data-to")!, e.Element(SvgNamespace + "text")!.Value)).Order().ToArray();
        var expected = graph.Edges.Select(e => ($"n{e.From.Id}", $"n{e.To.Id}", Shown(e.LocalDerivative))).Order().ToArray();
        Assert.Equal(expected, drawn);
        // ∂z2/∂w2 = a1 = σ(1.2) ≈ 0.7685, on the edge from w2.
        Assert.Contains(("n" + graph.Nodes.Single(n => n.Value.Label == "w2").Id, "0.7685"), drawn.Select(d => (d.Item1, d.Item3)));
    }

    [Fact]
    public void Boxes_are_placed_left_to_right_by_column()
    {
        var graph = ComputationGraph.Of(ComputationGraphTests.SeedChain().Cost);
        var svg = XDocument.Parse(Svg.Write(graph));

        double X(GraphNode n) => double.Parse((string)Groups(svg, "node").Single(g => (string?)g.Attribute("id") == $"n{n.Id}")
            .Element(SvgNamespace + "rect")!.Attribute("x")!, CultureInfo.InvariantCulture);
        foreach (var e in graph.Edges) Assert.True(X(e.From) < X(e.To), $"{e.From.Title} is not left of {e.To.Title}");
    }

    [Fact]
    public void Labels_with_markup_characters_are_escaped()
    {
        var a = new Value(1, "a<b & \"c\"");
        var root = a * 2;
        root.Backward();
        var graph = ComputationGraph.Of(root);

        var svg = XDocument.Parse(Svg.Write(graph));
        Assert.Contains(Groups(svg, "node"), g => g.Elements(SvgNamespace + "text").First().Value == "a<b & \"c\"");
        Assert.Contains("label=\"a<b & \\\"c\\\"\\n", Dot.Write(graph));
    }

    [GeneratedRegex(@"^\s*n(\d+) \[label=""((?:[^""\\]|\\.)*)""(?:, fillcolor=""[^""]*"")?\];$", RegexOptions.Multiline)]
    private static partial Regex DotNode();

    [GeneratedRegex(@"^\s*n(\d+) -> n(\d+) \[label=""([^""]*)""\];$", RegexOptions.Multiline)]
    private static partial Regex DotEdge();

    [Fact]
    public void The_dot_file_has_the_same_nodes_and_edges_as_the_svg()
    {
        var graph = ComputationGraph.Of(ComputationGraphTests.SeedChain().Cost);
        string dot = Dot.Write(graph);

        Assert.StartsWith("digraph computation {", dot);
        Assert.Contains("rankdir=LR;", dot);
        var nodes = DotNode().Matches(dot).ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => m.Groups[2].Value);
        Assert.Equal(graph.Nodes.Count, nodes.Count);
        foreach (var n in graph.Nodes)
            Assert.Equal($"{n.Title}\\ndata {Shown(n.Value.Data)} | grad {Shown(n.Value.Gradient)}", nodes[n.Id]);

        var edges = DotEdge().Matches(dot).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).Order().ToArray();
        var expected = graph.Edges.Select(e => (e.From.Id.ToString(CultureInfo.InvariantCulture), e.To.Id.ToString(CultureInfo.InvariantCulture), Shown(e.LocalDerivative))).Order().ToArray();
        Assert.Equal(expected, edges);
    }

    [Fact]
    public void The_dot_file_keeps_each_column_on_one_rank()
    {
        var graph = ComputationGraph.Of(ComputationGraphTests.SeedChain().Cost);
        string dot = Dot.Write(graph);

        var ranks = Regex.Matches(dot, @"\{ rank=same; ([^}]*) \}").Select(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(graph.ColumnCount, ranks.Length);
        Assert.Equal(graph.Nodes.Count, ranks.Sum(r => r.Length));
        foreach (var rank in ranks)
            Assert.Single(rank.Select(id => graph.Nodes[int.Parse(id.TrimStart('n').TrimEnd(';'), CultureInfo.InvariantCulture)].Column).Distinct());
    }
}
