using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;
using Backprop.Serialization;
using ScottPlot;

namespace Backprop.Cli.Rendering;

/// <summary>
/// The pictures `train` leaves next to the model: learning curves always, the decision regions for data of two
/// features, and the first layer's weights as images for square inputs (28×28 for MNIST, 8×8 for the digits).
/// </summary>
internal static class TrainingPictures
{
    public const int CurvesWidth = 900, CurvesHeight = 700;
    public const int BoundaryWidth = 800, BoundaryHeight = 700;
    public const int WeightsWidth = 900, WeightsHeight = 960;

    /// <summary>
    /// The boundary picture's data area is fixed, so that a pixel maps to a point of the plane by a rule:
    /// it spans [BoundaryLeft, Width − BoundaryRight) × [BoundaryTop, Height − BoundaryBottom), and its limits are the
    /// training points' range with <see cref="BoundaryMargin"/> of it added on each side.
    /// </summary>
    public const int BoundaryLeft = 70, BoundaryRight = 140, BoundaryTop = 50, BoundaryBottom = 60;
    public const double BoundaryMargin = 0.05;
    const int BoundaryGrid = 240;
    const int MaxNeurons = 64;
    const int MaxPoints = 3000;   // more would hide the regions under the markers

    /// <summary>Test-only: the file name of a picture whose write fails halfway, to test the rule for a secondary output.</summary>
    public const string FailVariable = "BACKPROP_TEST_FAIL_PICTURE_WRITE";

    static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>
    /// The pictures <see cref="Save"/> will write beside <paramref name="modelPath"/>: &lt;stem&gt;.curves.png always,
    /// &lt;stem&gt;.boundary.png for data of two features, &lt;stem&gt;.weights.png for a square image input (<see cref="ImageSide"/>) — known before
    /// training, so every one can be checked against the output policy before the first step.
    /// </summary>
    /// <param name="regression">A regression gets its curves only (cost and R²): the other pictures are of classes.</param>
    public static IReadOnlyList<string> PathsFor(string modelPath, int featureCount, int inputSize, bool regression = false)
    {
        string stem = Path.Combine(Path.GetDirectoryName(modelPath) ?? "", Path.GetFileNameWithoutExtension(modelPath));
        var paths = new List<string> { stem + ".curves.png" };
        if (regression)
        {
            // One feature: the fitted curve over the data; two: the predicted surface as a shaded map.
            if (featureCount is 1 or 2) paths.Add(stem + ".fit.png");
            return paths;
        }
        if (featureCount == 2) paths.Add(stem + ".boundary.png");
        if (ImageSide(inputSize) is not null) paths.Add(stem + ".weights.png");
        return paths;
    }

    /// <summary>
    /// The side of a square image of <paramref name="inputSize"/> pixels, 4×4 up to 64×64 (8×8 digits, 28×28 MNIST);
    /// null for inputs that are not one (two features of a plane, a table's columns).
    /// </summary>
    internal static int? ImageSide(int inputSize)
    {
        int side = (int)Math.Round(Math.Sqrt(inputSize));
        return side is >= 4 and <= 64 && side * side == inputSize ? side : null;
    }

    /// <summary>
    /// Writes the pictures of <see cref="PathsFor"/>, each atomically; returns the paths written. A picture that cannot
    /// be written (the disk filled up since the check) is not written at all — never left truncated — and is named in
    /// <paramref name="failures"/>; the others are still written.
    /// </summary>
    /// <param name="train">The training data as the network saw it (standardized when <paramref name="standardizer"/> is set).</param>
    /// <param name="standardizer">Maps raw features to the network's inputs; the boundary is drawn in raw units.</param>
    /// <param name="targetScale">A regression's target standardisation: the fit is drawn in the targets' units.</param>
    public static IReadOnlyList<string> Save(IReadOnlyList<EpochReport> reports, Network<float> network, Dataset train,
        Standardizer? standardizer, string modelPath, List<string> failures, Standardizer? targetScale = null)
    {
        var written = new List<string>();
        foreach (var path in PathsFor(modelPath, train.Count > 0 ? train.FeatureCount : 0, network.Layers.Count > 0 ? network.InputSize : 0,
                     train.Task == LearningTask.Regression))
        {
            byte[] png;
            try
            {
                png = path.EndsWith(".curves.png", StringComparison.Ordinal) ? Curves(reports)
                    : path.EndsWith(".boundary.png", StringComparison.Ordinal) ? Boundary(network, train, standardizer)
                    : path.EndsWith(".fit.png", StringComparison.Ordinal) ? Fit(network, train, standardizer, targetScale)
                    : Weights(network);
            }
            catch (Exception e) when (NativeDrawing.IsMissing(e))
            {
                // No picture can be drawn on this platform: one warning, and the saved model stands.
                failures.Add(NativeDrawing.Problem);
                break;
            }
            // Test-only: this picture's write fails halfway, as on a disk that fills up after the checks.
            bool fail = Environment.GetEnvironmentVariable(FailVariable) == Path.GetFileName(path);
            try
            {
                OutputFile.Write(path, stream =>
                {
                    stream.Write(png, 0, png.Length / 2);
                    if (fail) throw new IOException("No space left on device (simulated)");
                    stream.Write(png, png.Length / 2, png.Length - png.Length / 2);
                });
                written.Add(path);
            }
            catch (BackpropException e) { failures.Add(e.Message); }
        }
        return written;
    }

    static byte[] Curves(IReadOnlyList<EpochReport> reports)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot costPlot = multiplot.GetPlot(0), accuracyPlot = multiplot.GetPlot(1);
        double[] epochs = reports.Select(r => (double)r.Epoch).ToArray();

        DescentPicture.Style(costPlot);
        costPlot.Title("training cost per epoch (mean over the epoch's mini-batches)");
        var cost = costPlot.Add.Scatter(epochs, reports.Select(r => r.TrainCost).ToArray(), Palette.GetColor(3));
        cost.LineWidth = 2;
        cost.MarkerSize = reports.Count <= 60 ? 6 : 0;
        costPlot.YLabel("cost C");
        costPlot.XLabel("epoch");

        // A regression's second plot is R² (1 is a perfect fit, 0 no better than the mean), on every part it has.
        bool regression = reports.Any(r => r.TrainMetrics != null);
        DescentPicture.Style(accuracyPlot);
        accuracyPlot.Title(regression ? "R² per epoch (1 − squared error / variance of the targets)" : "accuracy per epoch");
        accuracyPlot.YLabel(regression ? "R²" : "accuracy (%)");
        accuracyPlot.XLabel("epoch");
        bool any = false;
        void Accuracy(string name, Func<EpochReport, double?> select, Color color)
        {
            var points = reports.Where(r => select(r) is not null).ToArray();
            if (points.Length == 0) return;
            double scale = regression ? 1 : 100;
            var line = accuracyPlot.Add.Scatter(points.Select(r => (double)r.Epoch).ToArray(), points.Select(r => scale * select(r)!.Value).ToArray(), color);
            line.LineWidth = 2;
            line.MarkerSize = reports.Count <= 60 ? 6 : 0;
            double last = select(points[^1])!.Value;
            line.LegendText = $"{name} (last {(regression ? Format.Number(last, "F4") : Format.Percent(last))})";
            any = true;
        }
        if (regression) Accuracy("train", r => r.TrainMetrics?.R2, Palette.GetColor(2));
        Accuracy("validation", r => regression ? r.ValidationMetrics?.R2 : r.ValidationAccuracy, Palette.GetColor(1));
        Accuracy("test", r => regression ? r.TestMetrics?.R2 : r.TestAccuracy, Palette.GetColor(0));
        if (any) accuracyPlot.ShowLegend(Edge.Bottom); // below the plot, keeping both plots equally wide: inside it, it covered the last points
        else
        {
            var note = accuracyPlot.Add.Text("no held-out data: add --validation-split 0.1, or data with a test part", 0, 0);
            note.Alignment = Alignment.MiddleCenter;
            note.LabelFontSize = 14;
            accuracyPlot.Axes.SetLimits(-1, 1, -1, 1);
        }
        foreach (var plot in multiplot.GetPlots())
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        return multiplot.Render(CurvesWidth, CurvesHeight).GetImageBytes(ImageFormat.Png);
    }

    /// <summary>
    /// The network's inputs at the centre of every cell of a <see cref="BoundaryGrid"/>² grid over the rectangle, row 0
    /// at the top (a heatmap's first row is drawn at the top), standardised as the model's inputs are.
    /// </summary>
    static float[] GridInputs(double left, double right, double bottom, double top, Standardizer? standardizer)
    {
        float Input(double v, int k) => standardizer is null ? (float)v : (float)((v - standardizer.Mean[k]) / standardizer.Deviation[k]);
        int cells = BoundaryGrid;
        var inputs = new float[cells * cells * 2];
        for (int r = 0; r < cells; r++)
            for (int c = 0; c < cells; c++)
            {
                int k = (r * cells + c) * 2;
                inputs[k] = Input(left + (right - left) * (c + 0.5) / cells, 0);
                inputs[k + 1] = Input(top - (top - bottom) * (r + 0.5) / cells, 1);
            }
        return inputs;
    }

    static byte[] Boundary(Network<float> network, Dataset train, Standardizer? standardizer)
    {
        // The points in the data's own units: what the user gave, and the same picture with or without --standardize.
        int n = train.Count;
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = train.Example(i);
            xs[i] = standardizer is null ? row[0] : row[0] * standardizer.Deviation[0] + standardizer.Mean[0];
            ys[i] = standardizer is null ? row[1] : row[1] * standardizer.Deviation[1] + standardizer.Mean[1];
        }
        var (left, right) = Padded(xs);
        var (bottom, top) = Padded(ys);

        // The class of the centre of every cell.
        int cells = BoundaryGrid;
        var outputs = network.Forward(GridInputs(left, right, bottom, top, standardizer), cells * cells);
        int classes = Math.Max(2, Math.Max(train.ClassCount, network.OutputSize));
        var regions = new double[cells, cells];
        for (int r = 0; r < cells; r++)
            for (int c = 0; c < cells; c++)
            {
                int i = r * cells + c;
                regions[r, c] = Targets.Predict<float>(outputs.AsSpan(i * network.OutputSize, network.OutputSize));
            }

        using var plot = new Plot();
        DescentPicture.Style(plot);
        plot.Title($"decision regions of the trained network, training points on top");
        var heatmap = plot.Add.Heatmap(regions);
        heatmap.Extent = new CoordinateRect(left, right, bottom, top);
        heatmap.Colormap = new ClassTints(classes);
        heatmap.ManualRange = new ScottPlot.Range(0, classes - 1);

        // Every class's points in one layer each; a large set is thinned evenly (same stride for every class).
        int stride = Math.Max(1, (n + MaxPoints - 1) / MaxPoints);
        for (int k = 0; k < classes; k++)
        {
            var members = Enumerable.Range(0, n).Where(i => train.Labels[i] == k && i % stride == 0).ToArray();
            if (members.Length == 0) continue;
            var points = plot.Add.Markers(members.Select(i => xs[i]).ToArray(), members.Select(i => ys[i]).ToArray(), MarkerShape.FilledCircle, 6, ClassColor(k));
            points.MarkerLineColor = Colors.White;
            points.MarkerLineWidth = 0.8f;
            points.LegendText = $"class {k}";
        }
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimits(left, right, bottom, top);
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.Layout.Fixed(new PixelPadding(BoundaryLeft, BoundaryRight, BoundaryBottom, BoundaryTop));
        return plot.GetImageBytes(BoundaryWidth, BoundaryHeight, ImageFormat.Png);
    }

    /// <summary>
    /// A regression's fit, everything in the data's own units: for one feature the training points (x, y) and the
    /// network's curve over their range; for two, the first target's prediction over the plane as a shaded map with the
    /// training points on top in the same colours.
    /// </summary>
    static byte[] Fit(Network<float> network, Dataset train, Standardizer? standardizer, Standardizer? targetScale)
    {
        int n = train.Count, t = train.TargetCount, features = train.FeatureCount;
        double Raw(float v, int k) => standardizer is null ? v : v * standardizer.Deviation[k] + standardizer.Mean[k];
        float Input(double v, int k) => standardizer is null ? (float)v : (float)((v - standardizer.Mean[k]) / standardizer.Deviation[k]);
        double Target(float v) => targetScale is null ? v : v * targetScale.Deviation[0] + targetScale.Mean[0];
        int stride = Math.Max(1, (n + MaxPoints - 1) / MaxPoints);
        var shown = Enumerable.Range(0, n).Where(i => i % stride == 0).ToArray();
        var xs = shown.Select(i => Raw(train.Features[i * features], 0)).ToArray();
        var targets = shown.Select(i => Target(train.Values![i * t])).ToArray();

        using var plot = new Plot();
        DescentPicture.Style(plot);
        var (left, right) = Padded(xs);
        if (features == 1)
        {
            const int steps = 400;
            var grid = Enumerable.Range(0, steps).Select(s => left + (right - left) * s / (steps - 1)).ToArray();
            var outputs = network.Forward(grid.Select(x => Input(x, 0)).ToArray(), steps);
            var points = plot.Add.Markers(xs, targets, MarkerShape.FilledCircle, 5, Palette.GetColor(0).WithAlpha(0.6));
            points.LegendText = "training examples";
            var curve = plot.Add.Scatter(grid, Enumerable.Range(0, steps).Select(s => Target(outputs[s * t])).ToArray(), Palette.GetColor(3));
            curve.MarkerSize = 0;
            curve.LineWidth = 3;
            curve.LegendText = "the network's prediction";
            plot.Title(t == 1 ? "the fitted curve over the training data" : "the fitted curve of target 0 over the training data");
            plot.XLabel("x1");
            plot.YLabel(t == 1 ? "target" : "target 0");
            plot.ShowLegend(Edge.Bottom); // below the plot: inside it, it covers whatever data lies in that corner
            return plot.GetImageBytes(BoundaryWidth, BoundaryHeight, ImageFormat.Png);
        }

        var ys = shown.Select(i => Raw(train.Features[i * features + 1], 1)).ToArray();
        var (bottom, top) = Padded(ys);
        int cells = BoundaryGrid;
        var predicted = network.Forward(GridInputs(left, right, bottom, top, standardizer), cells * cells);
        var surface = new double[cells, cells];
        for (int r = 0; r < cells; r++)
            for (int c = 0; c < cells; c++) surface[r, c] = Target(predicted[(r * cells + c) * t]);
        // One colour scale for the surface and the points: the range of both.
        double low = Math.Min(targets.Min(), surface.Cast<double>().Min()), high = Math.Max(targets.Max(), surface.Cast<double>().Max());
        var colormap = new ScottPlot.Colormaps.Viridis();
        var heatmap = plot.Add.Heatmap(surface);
        heatmap.Extent = new CoordinateRect(left, right, bottom, top);
        heatmap.Colormap = colormap;
        heatmap.ManualRange = new ScottPlot.Range(low, high);
        for (int i = 0; i < xs.Length; i++)
        {
            var point = plot.Add.Marker(xs[i], ys[i], MarkerShape.FilledCircle, 6, colormap.GetColor(targets[i], new ScottPlot.Range(low, high)));
            point.MarkerLineColor = Colors.White;
            point.MarkerLineWidth = 0.8f;
        }
        plot.Add.ColorBar(heatmap);
        plot.Title(t == 1 ? "the predicted surface, training points on top (same colours)" : "target 0's predicted surface, training points on top");
        plot.Axes.SetLimits(left, right, bottom, top);
        plot.XLabel("x1");   // x1 = x[0], x2 = x[1], as the boundary picture and docs/notation.md name them
        plot.YLabel("x2");
        return plot.GetImageBytes(BoundaryWidth, BoundaryHeight, ImageFormat.Png);
    }

    static byte[] Weights(Network<float> network)
    {
        var layer = network.Layers[0];
        int neurons = Math.Min(MaxNeurons, layer.OutputSize);
        int columns = (int)Math.Ceiling(Math.Sqrt(neurons));
        int side = ImageSide(layer.InputSize) ?? throw new InvalidOperationException("weights are drawn for square image inputs only");
        // A gap between tiles of about a fifth of a tile: 6 pixels at 28, 2 at 8.
        int pitch = side + Math.Max(2, side * 6 / 28);

        using var plot = new Plot();
        DescentPicture.Style(plot);
        string shown = neurons == layer.OutputSize ? $"all {neurons}" : $"the first {neurons} of {layer.OutputSize}";
        for (int j = 0; j < neurons; j++)
        {
            var row = layer.Weights.AsSpan(j * layer.InputSize, layer.InputSize);
            float largest = 0;
            foreach (float w in row) largest = Math.Max(largest, Math.Abs(w));
            var image = new double[side, side];
            for (int r = 0; r < side; r++)
                for (int c = 0; c < side; c++)
                    image[r, c] = largest > 0 ? row[r * side + c] / largest : 0;
            int tileX = j % columns * pitch, tileY = -(j / columns) * pitch;
            var tile = plot.Add.Heatmap(image);
            tile.Extent = new CoordinateRect(tileX, tileX + side, tileY - side, tileY);
            // Balance runs blue → white → red; reversing nothing keeps negative weights blue.
            tile.Colormap = new ScottPlot.Colormaps.Balance();
            tile.ManualRange = new ScottPlot.Range(-1, 1);
            var label = plot.Add.Text(j.ToString(System.Globalization.CultureInfo.InvariantCulture), tileX + side / 2.0, tileY - side - 0.5);
            label.Alignment = Alignment.UpperCenter;
            label.LabelFontSize = 10;
        }
        plot.HideAxesAndGrid();
        plot.Title($"first-layer weights W1[j, ·] as {side}×{side} images, {shown} hidden neurons\nred w > 0, blue w < 0, white 0; each tile scaled to its own largest |w|", 13);
        int rows = (neurons + columns - 1) / columns;
        plot.Axes.SetLimits(-2, columns * pitch - 2, -rows * pitch - 2, 2);
        plot.Axes.SquareUnits();
        return plot.GetImageBytes(WeightsWidth, WeightsHeight, ImageFormat.Png);
    }

    static (double Min, double Max) Padded(double[] values)
    {
        double min = values.Min(), max = values.Max();
        double pad = max > min ? (max - min) * BoundaryMargin : 0.5;
        return (min - pad, max + pad);
    }

    static Color ClassColor(int k) => Palette.GetColor(k % Palette.Colors.Length);

    /// <summary>Light tints of the class colours: heatmap value k (0 … classes−1) is class k.</summary>
    sealed class ClassTints(int classes) : IColormap
    {
        public string Name => "class tints";

        public Color GetColor(double position)
        {
            int k = (int)Math.Round(Math.Clamp(position, 0, 1) * (classes - 1));
            return ClassColor(k).MixedWith(Colors.White, 0.7);
        }
    }
}
