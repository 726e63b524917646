namespace Backprop.Graphs;

/// <summary>
/// Where to write the level of each contour line of a picture of f(x1, x2) so that every label can be read: inside
/// the visible box, not cut by its border, and not over another label.
/// </summary>
public static class ContourLabels
{
    /// <summary>Room a label takes, as fractions of the box's width and height (about 40×16 px of an 800×700 picture).</summary>
    public const double Width = 0.07, Height = 0.04;

    /// <summary>One contour line: its points (x1, x2) in order, and the level f takes along it.</summary>
    /// <param name="Points">The line's points (x1, x2), in order along it.</param>
    /// <param name="Level">The value of f along the line.</param>
    public readonly record struct Line(IReadOnlyList<(double X, double Y)> Points, double Level);

    /// <summary>One label: its centre and the level it states.</summary>
    /// <param name="X">x1 of the label's centre.</param>
    /// <param name="Y">x2 of the label's centre.</param>
    /// <param name="Level">The level the label states.</param>
    public readonly record struct Place(double X, double Y, double Level);

    /// <summary>
    /// For each line in turn, the lowest of its points that lies at least one label's room inside the box
    /// [left, right] × [bottom, top] and whose label would not overlap a label placed before. A line with no such
    /// point goes unlabelled rather than labelled where it cannot be read.
    /// </summary>
    /// <param name="lines">The contour lines, in the order their labels are placed.</param>
    /// <param name="left">The box's smallest x1.</param>
    /// <param name="right">The box's largest x1.</param>
    /// <param name="bottom">The box's smallest x2.</param>
    /// <param name="top">The box's largest x2.</param>
    /// <param name="labelWidth">Room a label takes across, as a fraction of the box's width (<see cref="Width"/> unless told).</param>
    /// <param name="labelHeight">Room a label takes upwards, as a fraction of the box's height (<see cref="Height"/> unless told).</param>
    public static List<Place> Places(IEnumerable<Line> lines, double left, double right, double bottom, double top,
        double labelWidth = Width, double labelHeight = Height)
    {
        double width = right - left, height = top - bottom;
        double marginX = labelWidth * width, marginY = labelHeight * height;
        var places = new List<Place>();
        foreach (var line in lines)
        {
            (double X, double Y)? best = null;
            foreach (var p in line.Points)
            {
                bool inside = p.X >= left + marginX && p.X <= right - marginX && p.Y >= bottom + marginY && p.Y <= top - marginY;
                if (inside && (best is null || p.Y < best.Value.Y)
                    && !places.Any(q => Math.Abs(q.X - p.X) < marginX && Math.Abs(q.Y - p.Y) < marginY))
                    best = p;
            }
            if (best is { } at) places.Add(new Place(at.X, at.Y, line.Level));
        }
        return places;
    }
}
