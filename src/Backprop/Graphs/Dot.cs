using System.Globalization;
using System.Text;

namespace Backprop.Graphs;

/// <summary>
/// Writes a <see cref="ComputationGraph"/> in Graphviz DOT (render with <c>dot -Tpng graph.dot -o graph.png</c>):
/// node nI is <see cref="ComputationGraph.Nodes"/>[I], labelled with its title and "data … | grad …"; each edge is
/// labelled with its local derivative. The columns of the layout become <c>rank=same</c> groups, so Graphviz draws the
/// same left-to-right order as the SVG.
/// </summary>
public static class Dot
{
    /// <summary>The graph in Graphviz DOT, left to right, each node with its value and gradient and each edge with ∂out/∂in.</summary>
    public static string Write(ComputationGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var dot = new StringBuilder();
        dot.Append("digraph computation {\n")
           .Append("  rankdir=LR;\n")
           .Append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", fontname=\"DejaVu Sans Mono\", fontsize=11];\n")
           .Append("  edge [fontname=\"DejaVu Sans Mono\", fontsize=10, fontcolor=\"#7a3e00\"];\n");
        foreach (var n in graph.Nodes)
        {
            string fill = ReferenceEquals(n.Value, graph.Root) ? ", fillcolor=\"#ffe2c6\"" : n.Value.IsLeaf ? ", fillcolor=\"#dcebff\"" : "";
            dot.Append(Invariant($"  n{n.Id} [label=\"{Quote(n.Title)}\\n{Quote(n.Numbers)}\"{fill}];\n"));
        }
        foreach (var e in graph.Edges)
            dot.Append(Invariant($"  n{e.From.Id} -> n{e.To.Id} [label=\"{Quote(ComputationGraph.Number(e.LocalDerivative))}\"];\n"));
        foreach (var column in graph.Nodes.GroupBy(n => n.Column).OrderBy(g => g.Key))
            dot.Append("  { rank=same; ").Append(string.Join(" ", column.Select(n => Invariant($"n{n.Id};")))).Append(" }\n");
        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>Writes the DOT text to <paramref name="path"/> (UTF-8).</summary>
    public static void Save(string path, ComputationGraph graph) => Serialization.OutputFile.WriteAllText(path, Write(graph));

    /// <summary>
    /// A network drawn whole for one example, as <see cref="NetworkSvg"/> draws it: node lLnJ is neuron J of layer L
    /// (layer 0: the inputs) labelled with z, a and δ = ∂C/∂z; the link from lL−1nK to lLnJ is labelled with W{L}[J,K];
    /// with a selected weight, its link and every path from it to the cost are bold. Each layer is one rank.
    /// </summary>
    public static string Write(Explaining.NetworkTrace trace, Explaining.ParameterReference? selected = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var sizes = trace.Network.Architecture.Sizes;
        var dot = new StringBuilder();
        dot.Append("digraph network {\n")
           .Append("  rankdir=LR; ranksep=2.5;\n")
           .Append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", fontname=\"DejaVu Sans Mono\", fontsize=11];\n")
           .Append("  edge [fontname=\"DejaVu Sans Mono\", fontsize=9, arrowsize=0.5];\n");
        for (int l = 0; l < sizes.Count; l++)
        {
            dot.Append("  { rank=same;\n");
            for (int n = 0; n < sizes[l]; n++)
            {
                string label = l == 0
                    ? $"x[{n}] = {NumberText.Of(trace.Input[n], 4)}"
                    : $"z{l}[{n}] = {NumberText.Of(trace.WeightedInputs[l - 1][n], 4)}\\na{l}[{n}] = {NumberText.Of(trace.Activations[l - 1][n], 4)}\\nδ{l}[{n}] = {NumberText.Of(trace.Deltas[l - 1][n], 4)}";
                string fill = l == 0 ? ", fillcolor=\"#dcebff\"" : l == sizes.Count - 1 ? ", fillcolor=\"#ffe2c6\"" : "";
                dot.Append(Invariant($"    l{l}n{n} [label=\"{label}\"{fill}];\n"));
            }
            dot.Append("  }\n");
        }
        for (int l = 1; l < sizes.Count; l++)
            for (int j = 0; j < sizes[l]; j++)
                for (int k = 0; k < sizes[l - 1]; k++)
                {
                    double w = trace.Network.Layers[l - 1].Weight(j, k);
                    bool onPath = selected is { Input: int sk } s && ((l == s.Layer && j == s.Neuron && k == sk) || (l == s.Layer + 1 && k == s.Neuron) || l > s.Layer + 1);
                    string colour = w >= 0 ? "#1f77b4" : "#e6550d";
                    dot.Append(Invariant($"  l{l - 1}n{k} -> l{l}n{j} [label=\"{NumberText.Of(w, 3)}\", color=\"{colour}\", fontcolor=\"{colour}\"{(onPath ? ", penwidth=3" : "")}];\n"));
                }
        dot.Append("}\n");
        return dot.ToString();
    }

    // Inside a DOT string only the quote and the backslash are special.
    static string Quote(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
