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

    // Inside a DOT string only the quote and the backslash are special.
    static string Quote(string text) => text.Replace("\\", "\\\\").Replace("\"", "\\\"");

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
