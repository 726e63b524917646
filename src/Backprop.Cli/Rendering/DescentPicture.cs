using Backprop.Autodiff;
using Backprop.Descent;
using Backprop.Graphs;
using ScottPlot;

namespace Backprop.Cli.Rendering;

/// <summary>
/// The picture of a descent: for f(x1, x2) a contour plot with the path x_0 → x_T drawn over it; for f(x1) the curve
/// with the steps on it; for more variables f(x_t) against the step t. The first steps are numbered and drawn as arrows,
/// so a path that jumps back and forth across the minimum does not look like one straight line into it. The legend sits
/// below the plot, never over the data.
/// </summary>
internal static class DescentPicture
{
    public const int Width = 800, Height = 700;
    const int GridSize = 121;
    const int CurveSamples = 400;
    const int MaxMarkers = 200;   // beyond this many steps the markers would merge into a thick line
    /// <summary>Steps numbered and drawn as arrows: beyond this the numbers would pile up near the minimum.</summary>
    public const int NumberedSteps = 10;

    static readonly Color PathColor = Color.FromHex("#d62728");
    static readonly Color StartColor = Color.FromHex("#2ca02c");

    /// <summary>Writes the picture; false (nothing written) when no step is finite.</summary>
    public static bool Save(string path, Expression function, DescentResult result, double learningRate)
    {
        var steps = result.Steps.Where(s => s.IsFinite).ToArray();
        if (steps.Length == 0) return false;
        using var plot = new Plot();
        Style(plot);
        plot.Title($"gradient descent on f = {function}, α = {Format.Number(learningRate)}, {steps[^1].Step} steps");
        if (function.VariableCount == 1) Curve(plot, function, steps);
        else if (function.VariableCount == 2) Contours(plot, function, steps);
        else ValuePerStep(plot, function.VariableCount, steps);
        Backprop.Serialization.OutputFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
        return true;
    }

    internal static void Style(Plot plot)
    {
        plot.Font.Set("DejaVu Sans");
        plot.Legend.FontSize = 12;
    }

    static void Contours(Plot plot, Expression function, DescentStep[] steps)
    {
        var (xMin, xMax) = Span(steps.Select(s => s.Point[0]));
        var (yMin, yMax) = Span(steps.Select(s => s.Point[1]));
        // Square the box when the two spans are comparable, so that circles look like circles. The picture is wider
        // than tall, so square units show more of x1 than of x2: f is evaluated over that wider band too.
        double wide = Math.Max(xMax - xMin, yMax - yMin), narrow = Math.Min(xMax - xMin, yMax - yMin);
        bool square = narrow * 4 >= wide;
        if (square)
        {
            (xMin, xMax) = Centred(xMin, xMax, wide);
            (yMin, yMax) = Centred(yMin, yMax, wide);
        }
        var (gridXMin, gridXMax) = square ? Centred(xMin, xMax, wide * 1.5) : (xMin, xMax);

        // Row 0 of the samples is the top of the box, as a heatmap draws it; f is NaN where it is not defined.
        var x = new double[2];
        var samples = ContourLines.Sample((x1, x2) => { x[0] = x1; x[1] = x2; return function.Evaluate(x); },
            gridXMin, gridXMax, yMin, yMax, GridSize, GridSize);
        var finite = samples.Where(double.IsFinite).Order().ToList();

        if (finite.Count > 0)
        {
            // Colour by rank, not by value: f = exp(x1) + … would otherwise be one colour but for a corner.
            var ranked = new double[GridSize, GridSize];
            for (int r = 0; r < GridSize; r++)
                for (int c = 0; c < GridSize; c++)
                    ranked[r, c] = double.IsNaN(samples[r * GridSize + c]) ? double.NaN : Rank(finite, samples[r * GridSize + c]);
            var heatmap = plot.Add.Heatmap(ranked);
            heatmap.Extent = new CoordinateRect(gridXMin, gridXMax, yMin, yMax);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            heatmap.Opacity = 0.45;
            heatmap.NaNCellColor = Colors.White;

            // The lines stop where f is not defined (ln of a negative); labels go where they can be read (the grid is
            // wider than the box, so a line's own end may be outside it).
            var lines = ContourLines.Trace(samples, GridSize, GridSize, gridXMin, gridXMax, yMin, yMax, ContourLines.Levels(finite, 12));
            var lineColor = Color.FromHex("#333333");
            foreach (var line in lines)
            {
                var drawn = plot.Add.ScatterLine(line.Points.Select(p => new Coordinates(p.X, p.Y)).ToArray(), lineColor);
                drawn.LineWidth = 1;
            }
            foreach (var place in ContourLabels.Places(lines, xMin, xMax, yMin, yMax))
            {
                var label = plot.Add.Text(Format.Number(place.Level, "G3"), place.X, place.Y);
                label.LabelFontSize = 11;
                label.LabelFontColor = lineColor;
                label.LabelBackgroundColor = Colors.White.WithAlpha(0.7);
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        }

        Path(plot, steps.Select(s => s.Point[0]).ToArray(), steps.Select(s => s.Point[1]).ToArray(), steps);
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        if (square) plot.Axes.SquareUnits();
        plot.XLabel("x1");
        plot.YLabel("x2");
    }

    static void Curve(Plot plot, Expression function, DescentStep[] steps)
    {
        var (xMin, xMax) = Span(steps.Select(s => s.Point[0]));
        var segment = new List<Coordinates>();
        var x = new double[1];
        var curveColor = Color.FromHex("#1f77b4");
        bool labelled = false;
        void Flush()
        {
            if (segment.Count > 1)
            {
                var line = plot.Add.ScatterLine(segment.ToArray(), curveColor);
                line.LineWidth = 2;
                if (!labelled) line.LegendText = "f(x1)";
                labelled = true;
            }
            segment.Clear();
        }
        // Broken where f is undefined, rather than joined across the gap.
        for (int i = 0; i < CurveSamples; i++)
        {
            x[0] = xMin + (xMax - xMin) * i / (CurveSamples - 1);
            double f = function.Evaluate(x);
            if (double.IsFinite(f)) segment.Add(new Coordinates(x[0], f));
            else Flush();
        }
        Flush();
        Path(plot, steps.Select(s => s.Point[0]).ToArray(), steps.Select(s => s.Value).ToArray(), steps);
        plot.XLabel("x1");
        plot.YLabel("f(x1)");
    }

    /// <summary>f(x_t) against t: for any number of variables, whether and how fast f falls.</summary>
    static void ValuePerStep(Plot plot, int variables, DescentStep[] steps)
    {
        double[] t = steps.Select(s => (double)s.Step).ToArray(), f = steps.Select(s => s.Value).ToArray();
        var line = plot.Add.Scatter(t, f, PathColor);
        line.LineWidth = 2;
        line.MarkerSize = steps.Length <= MaxMarkers ? 6 : 0;
        line.LegendText = $"f(x_t), x_t in {variables} variables";
        var end = plot.Add.Marker(t[^1], f[^1], MarkerShape.FilledDiamond, 12, Colors.Black);
        end.LegendText = $"step {steps[^1].Step}: f = {Format.Number(steps[^1].Value, "G4")}";
        plot.ShowLegend(Edge.Bottom);
        plot.XLabel("step t");
        plot.YLabel("f(x_t)");
    }

    static void Path(Plot plot, double[] xs, double[] ys, DescentStep[] steps)
    {
        // Arrows x_t → x_(t+1) and the step numbers, for the first steps: an overshooting path zigzags visibly.
        int numbered = Math.Min(steps.Length, NumberedSteps + 1);
        for (int t = 0; t + 1 < numbered; t++)
        {
            if (xs[t] == xs[t + 1] && ys[t] == ys[t + 1]) continue;
            var arrow = plot.Add.Arrow(new Coordinates(xs[t], ys[t]), new Coordinates(xs[t + 1], ys[t + 1]));
            arrow.ArrowFillColor = PathColor;
            arrow.ArrowLineColor = PathColor;
            arrow.ArrowheadWidth = 10;
            arrow.ArrowheadLength = 12;
            arrow.ArrowWidth = 1.5f;
        }
        for (int t = 0; t < numbered; t++)
        {
            var label = plot.Add.Text(steps[t].Step.ToString(System.Globalization.CultureInfo.InvariantCulture), xs[t], ys[t]);
            label.LabelFontSize = 12;
            label.LabelBold = true;
            label.LabelFontColor = Colors.Black;
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
            label.LabelAlignment = Alignment.LowerLeft;
            label.OffsetX = 5;
            label.OffsetY = -5;
        }
        var path = plot.Add.Scatter(xs, ys, PathColor);
        path.LineWidth = 2;
        path.MarkerSize = steps.Length <= MaxMarkers ? 6 : 0;
        path.LegendText = steps.Length > NumberedSteps + 1 ? $"x_t, t = 0 … {steps[^1].Step} (the first {NumberedSteps} numbered)" : $"x_t, t = 0 … {steps[^1].Step}";
        var start = plot.Add.Marker(xs[0], ys[0], MarkerShape.FilledCircle, 12, StartColor);
        start.LegendText = $"start ({string.Join(", ", steps[0].Point.Select(v => Format.Number(v, "G4")))})";
        var end = plot.Add.Marker(xs[^1], ys[^1], MarkerShape.FilledDiamond, 12, Colors.Black);
        end.LegendText = $"step {steps[^1].Step}: f = {Format.Number(steps[^1].Value, "G4")}";
        plot.ShowLegend(Edge.Bottom);
    }

    /// <summary>The range of the values with a quarter of its width added on each side (at least ±0.5 when it is a point).</summary>
    static (double Min, double Max) Span(IEnumerable<double> values)
    {
        double min = values.Min(), max = values.Max();
        double width = max - min;
        double pad = width > 0 ? width * 0.25 : Math.Max(0.5, Math.Abs(min) * 0.25);
        return (min - pad, max + pad);
    }

    static (double Min, double Max) Centred(double min, double max, double width)
    {
        double middle = (min + max) / 2;
        return (middle - width / 2, middle + width / 2);
    }

    /// <summary>The fraction of the sorted values below v, in [0, 1].</summary>
    static double Rank(List<double> sorted, double v)
    {
        int i = sorted.BinarySearch(v);
        if (i < 0) i = ~i;
        return sorted.Count == 1 ? 0.5 : (double)i / (sorted.Count - 1);
    }
}
