using System.Globalization;
using System.Xml.Linq;
using Backprop.Autodiff;
using Backprop.Graphs;

namespace Backprop.Tests.Graphs;

/// <summary>Issue 11: every edge label readable (no label box over another or over a node), a key, a page-wide picture.</summary>
public class GraphLegibilityTests
{
    static readonly XNamespace SvgNamespace = "http://www.w3.org/2000/svg";

    static XDocument Draw(string expression, params double[] at)
    {
        var function = Expression.Parse(expression);
        var variables = at.Select((v, i) => new Value(v, $"x{i + 1}")).ToArray();
        var root = function.Build(variables);
        root.Label = "f";
        root.Backward();
        return XDocument.Parse(Svg.Write(ComputationGraph.Of(root)));
    }

    static Svg.Box Parse(string text)
    {
        var v = text.Split(',').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new Svg.Box(v[0], v[1], v[2], v[3]);
    }

    static (string Text, Svg.Box Box)[] Labels(XDocument svg) => svg.Descendants(SvgNamespace + "g")
        .Where(g => (string?)g.Attribute("class") == "edge")
        .Select(g => g.Element(SvgNamespace + "text")!)
        .Select(t => (t.Value, Parse((string)t.Attribute("data-box")!))).ToArray();

    static Svg.Box[] Nodes(XDocument svg) => svg.Descendants(SvgNamespace + "g")
        .Where(g => (string?)g.Attribute("class") == "node")
        .Select(g => g.Element(SvgNamespace + "rect")!)
        .Select(r => new Svg.Box(D(r, "x"), D(r, "y"), D(r, "width"), D(r, "height"))).ToArray();

    static double D(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);

    public static TheoryData<string, double[]> Graphs => new()
    {
        { "x1*x2 + sin(x1)", [1, 2] },                       // the graph: "1" sat under "0.5403"
        { "x1*x1 + x1*x2 + x2*x2", [0.5, -1.5] },
        { "sigmoid(x1*x2 - x3) * tanh(x1 + x2*x3)", [0.3, -0.7, 1.1] },
        { "exp(x1) / (1 + exp(x1)) + ln(x2) * x1", [0.2, 3] },
    };

    [Theory]
    [MemberData(nameof(Graphs))]
    public void No_edge_label_box_meets_another_label_or_a_node(string expression, double[] at)
    {
        var svg = Draw(expression, at);
        var labels = Labels(svg);
        var nodes = Nodes(svg);
        Assert.NotEmpty(labels);
        for (int i = 0; i < labels.Length; i++)
        {
            for (int j = i + 1; j < labels.Length; j++)
                Assert.False(labels[i].Box.Intersects(labels[j].Box), $"label '{labels[i].Text}' {labels[i].Box} meets '{labels[j].Text}' {labels[j].Box}");
            foreach (var node in nodes)
                Assert.False(labels[i].Box.Intersects(node), $"label '{labels[i].Text}' {labels[i].Box} meets the node at {node}");
        }
    }

    [Fact]
    public void The_boxes_collide_as_boxes_do()
    {
        var a = new Svg.Box(0, 0, 10, 10);
        Assert.True(a.Intersects(new Svg.Box(9, 9, 5, 5)));
        Assert.False(a.Intersects(new Svg.Box(10, 0, 5, 5))); // touching edges is not overlapping
        Assert.False(a.Intersects(new Svg.Box(0, 11, 5, 5)));
    }

    [Fact]
    public void A_key_says_what_colours_and_edge_numbers_mean()
    {
        var svg = Draw("x1*x2 + sin(x1)", 1, 2);
        var key = svg.Descendants(SvgNamespace + "g").Single(g => (string?)g.Attribute("class") == "key");
        string text = string.Concat(key.Descendants(SvgNamespace + "text").Select(t => t.Value + " "));
        Assert.Contains("input or parameter", text);
        Assert.Contains("operation", text);
        Assert.Contains("the output", text);
        Assert.Contains("local derivative ∂out/∂in", text);
        Assert.Contains("grad = ∂(output)/∂(node)", text);
    }

    [Fact]
    public void The_default_chain_fits_a_page_width_and_keeps_every_coordinate_in_its_view_box()
    {
        var chain = ComputationGraphTests.SeedChain();
        var svg = XDocument.Parse(Svg.Write(ComputationGraph.Of(chain.Cost))).Root!;
        double width = D(svg, "width"), height = D(svg, "height");
        var view = ((string)svg.Attribute("viewBox")!).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        Assert.Equal(Svg.PageWidth, width);
        Assert.True(view[2] > width, $"the chain is {view[2]} wide and should be drawn scaled to {Svg.PageWidth}");
        Assert.Equal(view[3] * width / view[2], height, 0.6); // scaled evenly: circles stay circles
        Assert.True(view[2] < 2967, $"columns as wide as their own boxes: {view[2]} px, was 2967");
    }
}
