using System.Globalization;
using System.Text;
using Backprop.Explaining;

namespace Backprop.Graphs;

/// <summary>
/// A small network drawn whole for one example: layers as columns (inputs first), every neuron a box with its z, a and
/// δ = ∂C/∂z, every link labelled with its weight, blue for positive and orange for negative. With a selected weight,
/// its link and every path from it to the cost are drawn thick: the paths whose products sum to ∂C/∂w.
/// </summary>
public static class NetworkSvg
{
    /// <summary>The largest network drawn: more neurons per layer or more layers would not stay legible.</summary>
    public const int MaximumWidth = 8, MaximumLayers = 6;

    const double BoxWidth = 150, BoxHeight = 58, RowGap = 34, Margin = 24, HeaderHeight = 24;
    const double LabelFontSize = 10, LabelCharacterWidth = 6;   // 0.6 em at 10 px, monospaced

    /// <summary>Where along a link its weight may go, preferred first (fractions of the way from its source).</summary>
    static readonly double[] LabelSpots = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85];

    /// <summary>Refuses, naming the limit and the alternative, a network too large to draw legibly.</summary>
    public static void CheckSize(Backprop.Layers.Architecture architecture)
    {
        if (architecture.LayerCount > MaximumLayers || architecture.Sizes.Any(n => n > MaximumWidth))
            throw new BackpropException($"NetworkSvg draws networks of at most {MaximumLayers} weighted layers of at most {MaximumWidth} neurons " +
                $"(this one is {architecture.SizesText}); for a larger one use WeightExplanation.Explain, which gives the same numbers");
    }

    /// <summary>
    /// The network of <paramref name="trace"/> as SVG: each neuron with z, a and δ, each link with its weight;
    /// <paramref name="selected"/>'s paths to the cost drawn thick. Each weight's label goes at the first spot along its link where its box (written as
    /// <c>data-box="x,y,w,h"</c>) meets no neuron and no label placed before; when some link has no such spot, the
    /// columns are drawn further apart and the labels placed again, so every weight is shown and none covers another.
    /// </summary>
    public static string Write(NetworkTrace trace, ParameterReference? selected = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var network = trace.Network;
        CheckSize(network.Architecture);
        var sizes = network.Architecture.Sizes;
        int tallest = sizes.Max();
        for (double gap = 170; ; gap += 60)
            if (TryWrite(trace, selected, sizes, tallest, gap, last: gap >= 170 + 60 * 8) is { } svg) return svg;
    }

    static string? TryWrite(NetworkTrace trace, ParameterReference? selected, IReadOnlyList<int> sizes, int tallest, double columnGap, bool last)
    {
        var network = trace.Network;
        double width = Margin * 2 + sizes.Count * BoxWidth + (sizes.Count - 1) * columnGap;
        double height = Margin * 2 + HeaderHeight + tallest * BoxHeight + (tallest - 1) * RowGap + 56;
        double Left(int layer) => Margin + layer * (BoxWidth + columnGap);
        double Top(int layer, int neuron) =>
            Margin + HeaderHeight + (tallest - sizes[layer]) * (BoxHeight + RowGap) / 2 + neuron * (BoxHeight + RowGap);
        var obstacles = new List<Svg.Box>();
        for (int l = 0; l < sizes.Count; l++)
            for (int n = 0; n < sizes[l]; n++)
                obstacles.Add(new Svg.Box(Left(l), Top(l, n), BoxWidth, BoxHeight));

        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" "))
           .Append("font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n")
           .Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int l = 0; l < sizes.Count; l++)
            svg.Append(F($"<text x=\"{Left(l) + BoxWidth / 2:0.#}\" y=\"{Margin + 12:0.#}\" text-anchor=\"middle\" font-weight=\"bold\">{(l == 0 ? "input x" : l == sizes.Count - 1 ? $"layer {l}, output" : $"layer {l}")}</text>\n"));

        // Links first, so boxes cover their ends. Layer l's weights W{l}[j,k] join neuron k of layer l−1 to neuron j of layer l.
        for (int l = 1; l < sizes.Count; l++)
        {
            var layer = network.Layers[l - 1];
            for (int j = 0; j < sizes[l]; j++)
                for (int k = 0; k < sizes[l - 1]; k++)
                {
                    double w = layer.Weight(j, k);
                    double x1 = Left(l - 1) + BoxWidth, y1 = Top(l - 1, k) + BoxHeight / 2, x2 = Left(l), y2 = Top(l, j) + BoxHeight / 2;
                    bool onPath = selected is { Input: int sk } s && ((l == s.Layer && j == s.Neuron && k == sk) || (l == s.Layer + 1 && k == s.Neuron) || l > s.Layer + 1);
                    bool isSelected = selected is { Input: int kk } p && l == p.Layer && j == p.Neuron && k == kk;
                    string colour = w >= 0 ? "#1f77b4" : "#e6550d";
                    double thickness = isSelected ? 5 : onPath ? 3 : 1 + Math.Min(2, Math.Abs(w));
                    string text = NumberText.Of(w, 3);
                    double labelWidth = text.Length * LabelCharacterWidth + 4;
                    Svg.Box LabelBox(double t) =>
                        new(x1 + (x2 - x1) * t - labelWidth / 2, y1 + (y2 - y1) * t - LabelFontSize / 2 - 2, labelWidth, LabelFontSize + 4);
                    double? spot = LabelSpots.Cast<double?>().FirstOrDefault(t => !obstacles.Any(LabelBox(t!.Value).Intersects));
                    if (spot is null && !last) return null;
                    var box = LabelBox(spot ?? 0.5);
                    obstacles.Add(box);
                    svg.Append(F($"<g class=\"link{(onPath ? " path" : "")}{(isSelected ? " selected" : "")}\" data-weight=\"W{l}[{j},{k}]\">"))
                       .Append(F($"<title>W{l}[{j},{k}] = {w.ToString("R", CultureInfo.InvariantCulture)}</title>"))
                       .Append(F($"<line x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{colour}\" stroke-width=\"{thickness:0.#}\" stroke-opacity=\"{(selected is null || onPath ? 0.9 : 0.35):0.##}\"/>"))
                       .Append(F($"<text x=\"{box.X + box.Width / 2:0.#}\" y=\"{box.Y + box.Height - 4:0.#}\" data-box=\"{box.X:0.#},{box.Y:0.#},{box.Width:0.#},{box.Height:0.#}\" text-anchor=\"middle\" font-size=\"{LabelFontSize}\" fill=\"{colour}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{text}</text></g>\n"));
                }
        }

        for (int l = 0; l < sizes.Count; l++)
            for (int n = 0; n < sizes[l]; n++)
            {
                double x = Left(l), y = Top(l, n);
                bool selectedNeuron = selected is { } p && l == p.Layer && n == p.Neuron;
                string fill = l == 0 ? "#dcebff" : l == sizes.Count - 1 ? "#ffe2c6" : "#f2f2f2";
                string[] lines = l == 0
                    ? [$"x[{n}] = {NumberText.Of(trace.Input[n], 4)}"]
                    : [$"z{l}[{n}] = {NumberText.Of(trace.WeightedInputs[l - 1][n], 4)}", $"a{l}[{n}] = {NumberText.Of(trace.Activations[l - 1][n], 4)}",
                       $"δ{l}[{n}] = {NumberText.Of(trace.Deltas[l - 1][n], 4)}"];
                svg.Append(F($"<g class=\"neuron\" id=\"l{l}n{n}\"><rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{BoxWidth}\" height=\"{BoxHeight}\" rx=\"8\" fill=\"{fill}\" stroke=\"{(selectedNeuron ? "#d62728" : "#444")}\" stroke-width=\"{(selectedNeuron ? 2.5 : 1)}\"/>"));
                for (int i = 0; i < lines.Length; i++)
                    svg.Append(F($"<text x=\"{x + 8:0.#}\" y=\"{y + (lines.Length == 1 ? 33 : 17 + 16 * i):0.#}\">{lines[i]}</text>"));
                svg.Append("</g>\n");
            }
        string thick = selected is { Input: not null } ? " Thick: the selected weight and every path from it to the cost." : "";
        svg.Append(F($"<text x=\"{Margin}\" y=\"{height - 30:0.#}\" font-size=\"11\">C = {NumberText.Of(trace.Cost, 6)} for this example ({TargetText(trace.Target)}); δ = ∂C/∂z. Numbers on links: weights (blue ≥ 0, orange &lt; 0).</text>\n"))
           .Append(F($"<text x=\"{Margin}\" y=\"{height - 14:0.#}\" font-size=\"11\">{thick.Trim()}</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>What the output is compared with: a one-hot target as its class, real targets (a regression's, standardised
    /// as in training) as numbers.</summary>
    static string TargetText(double[] target)
    {
        int hot = Array.IndexOf(target, 1.0);
        if (target.Length > 1 && hot >= 0 && target.Count(t => t == 0) == target.Length - 1) return $"target: class {hot}";
        return target.Length == 1 ? $"target y = {NumberText.Of(target[0], 4)}" : $"target y = ({string.Join(", ", target.Select(t => NumberText.Of(t, 4)))})";
    }

    static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
