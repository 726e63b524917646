using System.Globalization;
using System.Xml.Linq;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Explaining;
using Backprop.Graphs;
using Backprop.Layers;

namespace Backprop.Tests.Graphs;

/// <summary>graph --model's pictures of a whole network at the widest size it draws (8 neurons a layer).</summary>
public class NetworkPictureTests
{
    static readonly XNamespace SvgNamespace = "http://www.w3.org/2000/svg";

    static NetworkTrace Widest()
    {
        var architecture = new Architecture([8, 8, 8, 8], Activation.Relu, Activation.Softmax, Cost.CrossEntropy).Validate();
        var network = Network<double>.Initialize(architecture, 5);
        return NetworkTrace.Compute(network, Enumerable.Range(0, 8).Select(i => 0.1 * i - 0.3).ToArray(), [0, 0, 1, 0, 0, 0, 0, 0]);
    }

    static Svg.Box BoxOf(string text)
    {
        var v = text.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new Svg.Box(v[0], v[1], v[2], v[3]);
    }

    [Fact]
    public void Every_weight_label_of_an_eight_wide_network_is_clear_of_every_other_label_and_every_neuron()
    {
        var svg = XDocument.Parse(NetworkSvg.Write(Widest(), ParameterReference.ParseWeight("2:3:4")));
        var labels = svg.Descendants(SvgNamespace + "g").Where(g => ((string?)g.Attribute("class"))?.StartsWith("link", StringComparison.Ordinal) == true)
            .Select(g => BoxOf((string)g.Element(SvgNamespace + "text")!.Attribute("data-box")!)).ToArray();
        Assert.Equal(3 * 64, labels.Length);
        var neurons = svg.Descendants(SvgNamespace + "g").Where(g => (string?)g.Attribute("class") == "neuron")
            .Select(g => g.Element(SvgNamespace + "rect")!)
            .Select(r => new Svg.Box((double)r.Attribute("x")!, (double)r.Attribute("y")!, (double)r.Attribute("width")!, (double)r.Attribute("height")!)).ToArray();
        Assert.Equal(32, neurons.Length);
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.DoesNotContain(neurons, labels[i].Intersects);
            for (int j = i + 1; j < labels.Length; j++)
                Assert.False(labels[i].Intersects(labels[j]), $"label {i} {labels[i]} meets label {j} {labels[j]}");
        }
    }

    [Fact]
    public void The_dot_file_has_every_neuron_with_z_a_delta_and_every_link_with_its_weight()
    {
        var trace = Widest();
        string dot = Dot.Write(trace, ParameterReference.ParseWeight("1:3:4"));
        Assert.StartsWith("digraph network {", dot);
        Assert.Contains($"l2n3 [label=\"z2[3] = {NumberText.Of(trace.WeightedInputs[1][3], 4)}\\na2[3] = {NumberText.Of(trace.Activations[1][3], 4)}\\nδ2[3] = {NumberText.Of(trace.Deltas[1][3], 4)}\"", dot);
        var links = dot.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3 * 64, links.Length);
        Assert.Contains($"  l1n4 -> l2n3 [label=\"{NumberText.Of(trace.Network.Layers[1].Weight(3, 4), 3)}\"", dot);
        // Bold: W1[3,4], the 8 links out of neuron 3 of layer 1, and all 64 of the last layer.
        Assert.Equal(1 + 8 + 64, links.Count(l => l.Contains("penwidth=3", StringComparison.Ordinal)));
    }
}
