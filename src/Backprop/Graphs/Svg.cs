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
/// can be computed from character counts without measuring fonts. Each column is as wide as its widest box; an edge's
/// label is placed at the first point along its curve where its box (written as <c>data-box="x,y,w,h"</c>) meets no
/// other label and no node; a key under the graph says what the colours and the edge numbers mean; and a graph wider
/// than <see cref="PageWidth"/> is drawn scaled down to it (the viewBox keeps every coordinate).
/// </remarks>
public static class Svg
{
    const double CharacterWidth = 7.8;   // DejaVu Sans Mono at 13 px: 0.6 em
    const double FontSize = 13;
    const double BoxHeight = 46;
    const double RowHeight = 72;
    const double ColumnGap = 96;         // room for an edge's label between two columns
    const double Margin = 24;
    const double LabelFontSize = 11;
    const double LabelCharacterWidth = 6.6;   // 0.6 em at 11 px
    const double KeyHeight = 58;

    /// <summary>The widest picture drawn at full size, in px: about a landscape page at 96 dpi. Wider graphs are scaled to it.</summary>
    public const double PageWidth = 1600;

    /// <summary>An axis-aligned box: x, y of its top-left corner, width, height.</summary>
    public readonly record struct Box(double X, double Y, double Width, double Height)
    {
        /// <summary>Whether the two boxes overlap.</summary>
        public bool Intersects(Box o) => X < o.X + o.Width && o.X < X + Width && Y < o.Y + o.Height && o.Y < Y + Height;
    }

    /// <summary>The graph as SVG, left to right, each node with its value and gradient and each edge with ∂out/∂in.</summary>
    public static string Write(ComputationGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        // Every column as wide as its own widest box: a short "x" column does not take the width of "data 0.7685 | grad …".
        var boxWidths = new double[graph.ColumnCount];
        foreach (var n in graph.Nodes)
            boxWidths[n.Column] = Math.Max(boxWidths[n.Column], Math.Ceiling(Math.Max(n.Title.Length, n.Numbers.Length) * CharacterWidth + 20));
        var lefts = new double[graph.ColumnCount];
        for (int c = 1; c < graph.ColumnCount; c++) lefts[c] = lefts[c - 1] + boxWidths[c - 1] + ColumnGap;
        double graphWidth = Margin * 2 + lefts[^1] + boxWidths[^1];
        double graphHeight = Margin * 2 + (graph.RowCount - 1) * RowHeight + BoxHeight;
        double width = Math.Max(graphWidth, 800), height = graphHeight + KeyHeight;
        double Left(GraphNode n) => Margin + lefts[n.Column];
        double Top(GraphNode n) => Margin + n.Row * RowHeight;
        double BoxWidth(GraphNode n) => boxWidths[n.Column];
        double shownWidth = Math.Min(width, PageWidth), shownHeight = height * shownWidth / width;

        var obstacles = graph.Nodes.Select(n => new Box(Left(n), Top(n), BoxWidth(n), BoxHeight)).ToList();
        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{shownWidth:0}\" height=\"{shownHeight:0}\" viewBox=\"0 0 {width:0} {height:0}\" "))
           .Append(F($"font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{FontSize}\">\n"));
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
           .Append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");

        // Edges first, so the boxes are drawn over their ends.
        var multiplicity = graph.Edges.GroupBy(e => (e.From.Id, e.To.Id)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var e in graph.Edges)
        {
            double x1 = Left(e.From) + BoxWidth(e.From), y1 = Top(e.From) + BoxHeight / 2;
            // The operands of a node arrive at separate points down its left side, in operand order.
            int inputs = e.To.Value.Children.Count;
            double x2 = Left(e.To), y2 = Top(e.To) + BoxHeight * (e.InputIndex + 1) / (inputs + 1);
            double bend = Math.Max(24, (x2 - x1) / 2);
            // A cubic Bézier with horizontal tangents at both ends; the label sits on it.
            // Parallel edges (x·x) part only near their target, so their labels go there.
            bool parallel = multiplicity[(e.From.Id, e.To.Id)] > 1;
            string derivative = ComputationGraph.Number(e.LocalDerivative);
            double labelWidth = derivative.Length * LabelCharacterWidth + 4;
            // Candidates along the curve, preferred first: the middle (or, for parallel edges, near the target, where
            // they part), then ever further out; the first whose box meets no node and no placed label wins.
            double[] candidates = parallel ? [0.75, 0.85, 0.65, 0.92] : [0.5, 0.62, 0.38, 0.75, 0.25, 0.85, 0.15, 0.92];
            (double X, double Y) At(double t)
            {
                double u = 1 - t;
                return (u * u * u * x1 + 3 * u * u * t * (x1 + bend) + 3 * u * t * t * (x2 - bend) + t * t * t * x2,
                        (u * u * u + 3 * u * u * t) * y1 + (3 * u * t * t + t * t * t) * y2);
            }
            Box LabelBox(double x, double y) => new(x - labelWidth / 2, y - 4 - LabelFontSize, labelWidth, LabelFontSize + 3);
            var (mx, my) = At(candidates[0]);
            bool placed = false;
            foreach (double dy in new[] { 0.0, -9, 9, -18, 18 })
            {
                foreach (double t in candidates)
                {
                    var (cx, cy) = At(t);
                    if (obstacles.Any(LabelBox(cx, cy + dy).Intersects)) continue;
                    (mx, my, placed) = (cx, cy + dy, true);
                    break;
                }
                if (placed) break;
            }
            var box = LabelBox(mx, my);
            obstacles.Add(box);
            svg.Append(F($"<g class=\"edge\" data-from=\"n{e.From.Id}\" data-to=\"n{e.To.Id}\" data-input=\"{e.InputIndex}\">"))
               .Append(F($"<title>∂{Escape(e.To.Title)}/∂{Escape(e.From.Title)} = {derivative}</title>"))
               .Append(F($"<path d=\"M{x1:0.#},{y1:0.#} C{x1 + bend:0.#},{y1:0.#} {x2 - bend:0.#},{y2:0.#} {x2:0.#},{y2:0.#}\" "))
               .Append("fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>")
               .Append(F($"<text x=\"{mx:0.#}\" y=\"{my - 4:0.#}\" data-box=\"{box.X:0.#},{box.Y:0.#},{box.Width:0.#},{box.Height:0.#}\" text-anchor=\"middle\" font-size=\"{LabelFontSize}\" fill=\"#7a3e00\" "))
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
               .Append(F($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{BoxWidth(n):0}\" height=\"{BoxHeight}\" rx=\"6\" fill=\"{fill}\" stroke=\"#444\"/>"))
               .Append(F($"<text x=\"{x + 10:0.#}\" y=\"{y + 18:0.#}\" font-weight=\"bold\">{Escape(n.Title)}</text>"))
               .Append(F($"<text x=\"{x + 10:0.#}\" y=\"{y + 37:0.#}\"><tspan class=\"data\">data {ComputationGraph.Number(n.Value.Data)}</tspan> | "))
               .Append(F($"<tspan class=\"grad\" fill=\"{gradientColour}\">grad {ComputationGraph.Number(n.Value.Gradient)}</tspan></text></g>\n"));
        }
        Key(svg, graphHeight);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>What the colours and numbers mean, in one band under the graph.</summary>
    static void Key(StringBuilder svg, double top)
    {
        double y = top + 4;
        svg.Append(F($"<g class=\"key\" font-size=\"12\"><line x1=\"{Margin}\" y1=\"{y:0.#}\" x2=\"{Margin + 700}\" y2=\"{y:0.#}\" stroke=\"#ccc\"/>"));
        double x = Margin;
        foreach (var (fill, text) in new[] { ("#dcebff", "input or parameter"), ("#f2f2f2", "operation"), ("#ffe2c6", "the output, grad 1") })
        {
            svg.Append(F($"<rect x=\"{x:0.#}\" y=\"{y + 10:0.#}\" width=\"18\" height=\"14\" rx=\"3\" fill=\"{fill}\" stroke=\"#444\"/>"))
               .Append(F($"<text x=\"{x + 24:0.#}\" y=\"{y + 21:0.#}\">{text}</text>"));
            x += 24 + text.Length * 7.2 + 22;
        }
        svg.Append(F($"<text x=\"{x:0.#}\" y=\"{y + 21:0.#}\">grad = ∂(output)/∂(node): <tspan fill=\"#0b6e2e\">&gt; 0</tspan>, <tspan fill=\"#b00020\">&lt; 0</tspan></text>"))
           .Append(F($"<text x=\"{Margin}\" y=\"{y + 42:0.#}\"><tspan fill=\"#7a3e00\">number on an arrow</tspan>: its local derivative ∂out/∂in, out the node it enters, in the one it leaves</text></g>\n"));
    }

    /// <summary>Writes the SVG to <paramref name="path"/> (UTF-8).</summary>
    public static void Save(string path, ComputationGraph graph) => Serialization.OutputFile.WriteAllText(path, Write(graph));

    static string Escape(string text) => SecurityElement.Escape(text);

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
