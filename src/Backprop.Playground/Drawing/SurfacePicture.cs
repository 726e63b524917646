using System.Globalization;
using Backprop.Graphs;

namespace Backprop.Playground.Drawing;

/// <summary>
/// A square picture of f over a box: the library's samples shaded by rank, its traced contour lines
/// (<see cref="ContourLines"/>) and where their labels go (<see cref="ContourLabels"/>), and the conversions between
/// the box and the picture's pixels. The chain's cost surface and the descend panel's f both draw with it.
/// </summary>
internal sealed class SurfacePicture
{
    const double LabelWidth = 44, LabelHeight = 16;
    readonly double[] values;
    readonly int resolution;

    /// <param name="values">f on a resolution × resolution grid over the box, row 0 at the top.</param>
    public SurfacePicture(double[] values, int resolution, double left, double right, double bottom, double top, int size, int levels = 10)
    {
        this.values = values;
        this.resolution = resolution;
        (Left, Right, Bottom, Top, Size) = (left, right, bottom, top, size);
        Lines = ContourLines.Trace(values, resolution, resolution, left, right, bottom, top, ContourLines.Levels(values, levels));
        // Labels keep clear of the box's edge and of each other by their own room: about 44 × 16 pixels.
        Labels = ContourLabels.Places(Lines, left, right, bottom, top, LabelWidth / size, LabelHeight / size);
        Drawn = Lines.Select(l => (Points(l.Points), l.Level)).ToArray();
    }

    /// <summary>Each contour line as an SVG points list with its level: made once, drawn on every render.</summary>
    public IReadOnlyList<(string Points, double Level)> Drawn { get; }

    public double Left { get; }
    public double Right { get; }
    public double Bottom { get; }
    public double Top { get; }
    public int Size { get; }
    public IReadOnlyList<ContourLabels.Line> Lines { get; }
    public IReadOnlyList<ContourLabels.Place> Labels { get; }

    /// <summary>The box and the picture's side, for tests that map drawn pixels back to (x1, x2): "left right bottom top size".</summary>
    public string Box => string.Join(" ", new[] { Left, Right, Bottom, Top, Size }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>(x1, x2) in pixels from the top left, held within ten pictures of the box so a diverging path stays drawable.</summary>
    public (double X, double Y) ToPixels(double x1, double x2) =>
        (Math.Clamp((x1 - Left) / (Right - Left), -10, 10) * Size, Math.Clamp((Top - x2) / (Top - Bottom), -10, 10) * Size);

    /// <summary>The point of the box under pixel (x, y) of the picture as drawn <paramref name="drawnSize"/> pixels wide.</summary>
    public (double X1, double X2) FromPixels(double x, double y, double drawnSize) =>
        (Left + x / drawnSize * (Right - Left), Top - y / drawnSize * (Top - Bottom));

    /// <summary>An SVG points list, to a hundredth of a pixel.</summary>
    public string Points(IEnumerable<(double X, double Y)> points) =>
        string.Join(" ", points.Select(p => { var (x, y) = ToPixels(p.X, p.Y); return $"{Px(x)},{Px(y)}"; }));

    public static string Px(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A contour level as its label writes it: three significant digits.</summary>
    public static string Level(double level) => NumberText.Of(level, 3);

    /// <summary>Paints the shading into the canvas <paramref name="canvasId"/> (resolution × resolution pixels).</summary>
    public void Shade(string canvasId)
    {
        var pixels = new byte[4 * values.Length];
        Palette.Ranked(values, pixels);
        Browser.DrawPixels(canvasId, pixels, resolution, resolution);
    }
}
