using System.Globalization;
using System.Security;
using System.Text;

namespace Backprop.Graphs;

/// <summary>
/// Writes a <see cref="ComputationGraph"/> as a standalone SVG picture: one box per node (its title, then
/// "data … | grad …"), one arrow per edge labelled with the local derivative ∂out/∂in, left to right.
/// </summary>
/// <remarks>
/// Each node is a <c>&lt;g class="node" id="nI"&gt;</c> and each edge a <c>&lt;g class="edge"&gt;</c> with
/// <c>data-from</c>/<c>data-to</c>, so scripts (and tests) can find them. The text is monospaced so that box widths
/// can be computed from character counts without measuring fonts.
/// </remarks>
public static class Svg
{
    const double CharacterWidth = 7.8;   // DejaVu Sans Mono at 13 px: 0.6 em
    const double FontSize = 13;
    const double BoxHeight = 46;
    const double RowHeight = 72;
    const double ColumnGap = 96;         // room for an edge's label between two columns
    const double Margin = 24;

    public static string Write(ComputationGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int longest = graph.Nodes.Max(n => Math.Max(n.Title.Length, n.Numbers.Length));
        double boxWidth = Math.Ceiling(longest * CharacterWidth + 20);
        double columnWidth = boxWidth + ColumnGap;
        double width = Margin * 2 + graph.ColumnCount * columnWidth - ColumnGap;
        double height = Margin * 2 + (graph.RowCount - 1) * RowHeight + BoxHeight;
        double Left(GraphNode n) => Margin + n.Column * columnWidth;
        double Top(GraphNode n) => Margin + n.Row * RowHeight;

        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" "))
           .Append(F($"font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{FontSize}\">\n"));
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
           .Append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");

        // Edges first, so the boxes are drawn over their ends.
        var multiplicity = graph.Edges.GroupBy(e => (e.From.Id, e.To.Id)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var e in graph.Edges)
        {
            double x1 = Left(e.From) + boxWidth, y1 = Top(e.From) + BoxHeight / 2;
            // The operands of a node arrive at separate points down its left side, in operand order.
            int inputs = e.To.Value.Children.Count;
            double x2 = Left(e.To), y2 = Top(e.To) + BoxHeight * (e.InputIndex + 1) / (inputs + 1);
            double bend = Math.Max(24, (x2 - x1) / 2);
            // A cubic Bézier with horizontal tangents at both ends; the label sits on it.
            // Parallel edges (x·x) part only near their target, so their labels go there.
            bool parallel = multiplicity[(e.From.Id, e.To.Id)] > 1;
            double t = parallel ? 0.75 : 0.5, u = 1 - t;
            double mx = u * u * u * x1 + 3 * u * u * t * (x1 + bend) + 3 * u * t * t * (x2 - bend) + t * t * t * x2;
            double my = (u * u * u + 3 * u * u * t) * y1 + (3 * u * t * t + t * t * t) * y2;
            if (x2 - x1 > columnWidth) { mx = x2 - ColumnGap / 2; my = y2; } // a long edge: label near its target
            string derivative = ComputationGraph.Number(e.LocalDerivative);
            svg.Append(F($"<g class=\"edge\" data-from=\"n{e.From.Id}\" data-to=\"n{e.To.Id}\" data-input=\"{e.InputIndex}\">"))
               .Append(F($"<title>∂{Escape(e.To.Title)}/∂{Escape(e.From.Title)} = {derivative}</title>"))
               .Append(F($"<path d=\"M{x1:0.#},{y1:0.#} C{x1 + bend:0.#},{y1:0.#} {x2 - bend:0.#},{y2:0.#} {x2:0.#},{y2:0.#}\" "))
               .Append("fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>")
               .Append(F($"<text x=\"{mx:0.#}\" y=\"{my - 4:0.#}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#7a3e00\" "))
               .Append(F($"stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{derivative}</text></g>\n"));
        }

        foreach (var n in graph.Nodes)
        {
            bool root = ReferenceEquals(n.Value, graph.Root);
            string fill = root ? "#ffe2c6" : n.Value.IsLeaf ? "#dcebff" : "#f2f2f2";
            string gradientColour = n.Value.Gradient > 0 ? "#0b6e2e" : n.Value.Gradient < 0 ? "#b00020" : "#333";
            double x = Left(n), y = Top(n);
            svg.Append(F($"<g class=\"node\" id=\"n{n.Id}\"><title>{Escape(n.Title)}: data {n.Value.Data.ToString("R", CultureInfo.InvariantCulture)}, "))
               .Append(F($"grad {n.Value.Gradient.ToString("R", CultureInfo.InvariantCulture)}</title>"))
               .Append(F($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{boxWidth:0}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"{fill}\" stroke=\"#444\"/>"))
               .Append(F($"<text x=\"{x + 10:0.#}\" y=\"{y + 18:0.#}\" font-weight=\"bold\">{Escape(n.Title)}</text>"))
               .Append(F($"<text x=\"{x + 10:0.#}\" y=\"{y + 37:0.#}\"><tspan class=\"data\">data {ComputationGraph.Number(n.Value.Data)}</tspan> | "))
               .Append(F($"<tspan class=\"grad\" fill=\"{gradientColour}\">grad {ComputationGraph.Number(n.Value.Gradient)}</tspan></text></g>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Writes the SVG to <paramref name="path"/> (UTF-8).</summary>
    public static void Save(string path, ComputationGraph graph) => Serialization.OutputFile.WriteAllText(path, Write(graph));

    static string Escape(string text) => SecurityElement.Escape(text);

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
