namespace Backprop.Graphs;

/// <summary>
/// The contour lines of f(x1, x2) over a box, traced by marching squares on a grid of samples: for each level, the
/// polylines along which f takes that level, each joined end to end through the cells it crosses (a closed line
/// repeats its first point at its end).
/// </summary>
/// <remarks>
/// The grid has <c>columns × rows</c> samples, row 0 at the top of the box (x2 = top) as in a picture:
/// values[r·columns + c] = f(left + c·(right − left)/(columns − 1), top − r·(top − bottom)/(rows − 1)).
/// In each cell the line crosses the edges whose two corners lie on opposite sides of the level (a corner equal to the
/// level counts as above it), at the point linear interpolation puts it: exact for a plane. A cell with two corners
/// above and two below across a diagonal (a saddle) is ambiguous; the mean of its four corners decides which pair of
/// corners the region joins through the centre. A cell with a corner that is not finite (ln of a negative) is
/// skipped, so the lines stop at the edge of f's domain.
/// </remarks>
public static class ContourLines
{
    /// <summary>The most samples along a side of the grid.</summary>
    public const int MaxResolution = 1000;

    /// <summary>
    /// f at every point of a <paramref name="columns"/> × <paramref name="rows"/> grid over the box, row 0 at the top
    /// (the layout <see cref="Trace"/> reads). A value that is not finite is stored as NaN.
    /// </summary>
    /// <param name="function">f(x1, x2).</param>
    /// <param name="left">The smallest x1.</param>
    /// <param name="right">The largest x1.</param>
    /// <param name="bottom">The smallest x2.</param>
    /// <param name="top">The largest x2.</param>
    /// <param name="columns">Samples across, 2 … <see cref="MaxResolution"/>.</param>
    /// <param name="rows">Samples upwards, 2 … <see cref="MaxResolution"/>.</param>
    /// <exception cref="BackpropException">A box that is empty or not finite, or a grid size out of range.</exception>
    public static double[] Sample(Func<double, double, double> function, double left, double right, double bottom, double top, int columns, int rows)
    {
        ArgumentNullException.ThrowIfNull(function);
        CheckGrid(left, right, bottom, top, columns, rows);
        var values = new double[columns * rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                double f = function(X(left, right, columns, c), Y(bottom, top, rows, r));
                values[r * columns + c] = double.IsFinite(f) ? f : double.NaN;
            }
        return values;
    }

    /// <summary>
    /// About <paramref name="count"/> levels for contours of the sampled values: their quantiles at (k − ½)/count,
    /// k = 1 … count, rounded to 3 significant digits, strictly between the smallest and the largest value, each once.
    /// Equal quantiles put the lines where the values are, so a steep wall does not take every line.
    /// </summary>
    /// <param name="values">Samples of f; values that are not finite are ignored.</param>
    /// <param name="count">How many quantiles, 1 … 100.</param>
    public static double[] Levels(IEnumerable<double> values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 1 || count > 100) throw new BackpropException($"the number of contour levels must be 1 … 100, got {count}");
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        var levels = new SortedSet<double>();
        if (sorted.Length == 0) return [];
        for (int k = 1; k <= count; k++)
        {
            double q = sorted[(int)Math.Round((sorted.Length - 1) * (k - 0.5) / count)];
            double rounded = q == 0 ? 0 : RoundSignificant(q, 3);
            if (rounded > sorted[0] && rounded < sorted[^1]) levels.Add(rounded);
        }
        return [.. levels];
    }

    /// <summary>
    /// The contour lines of the sampled f at each level: every polyline at the first level, then the second's, and so on.
    /// </summary>
    /// <param name="values">f on the grid, row 0 at the top (see <see cref="Sample"/>).</param>
    /// <param name="columns">Samples across.</param>
    /// <param name="rows">Samples upwards.</param>
    /// <param name="left">x1 of column 0.</param>
    /// <param name="right">x1 of the last column.</param>
    /// <param name="bottom">x2 of the last row.</param>
    /// <param name="top">x2 of row 0.</param>
    /// <param name="levels">The levels to trace.</param>
    /// <exception cref="BackpropException">The values do not fill the grid, the box is empty, or a level is not finite.</exception>
    public static List<ContourLabels.Line> Trace(IReadOnlyList<double> values, int columns, int rows,
        double left, double right, double bottom, double top, IEnumerable<double> levels)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(levels);
        CheckGrid(left, right, bottom, top, columns, rows);
        if (values.Count != columns * rows)
            throw new BackpropException($"{values.Count} values do not fill a grid of {columns} × {rows} = {columns * rows} points");
        var lines = new List<ContourLabels.Line>();
        foreach (double level in levels)
        {
            if (!double.IsFinite(level)) throw new BackpropException($"a contour level must be a finite number, got {level}");
            foreach (var points in TraceLevel(values, columns, rows, left, right, bottom, top, level))
                lines.Add(new ContourLabels.Line(points, level));
        }
        return lines;
    }

    // An edge of the grid is a number: 2·(r·columns + c) for the edge from (r, c) rightwards to (r, c + 1), and that
    // plus one for the edge from (r, c) downwards to (r + 1, c). Two cells that cross a shared edge give the same
    // number for the crossing, which is how pieces are joined.
    static List<(double X, double Y)[]> TraceLevel(IReadOnlyList<double> v, int columns, int rows,
        double left, double right, double bottom, double top, double level)
    {
        // Each crossing joins at most two pieces (the two cells beside its edge): neighbours[e] holds them.
        var neighbours = new Dictionary<int, (int First, int Second)>();
        void Link(int a, int b)
        {
            Add(a, b);
            Add(b, a);
        }
        void Add(int at, int to) =>
            neighbours[at] = neighbours.TryGetValue(at, out var n) ? (n.First, to) : (to, -1);

        Span<int> crossed = stackalloc int[4];
        for (int r = 0; r + 1 < rows; r++)
            for (int c = 0; c + 1 < columns; c++)
            {
                double tl = v[r * columns + c], tr = v[r * columns + c + 1];
                double bl = v[(r + 1) * columns + c], br = v[(r + 1) * columns + c + 1];
                if (double.IsNaN(tl) || double.IsNaN(tr) || double.IsNaN(bl) || double.IsNaN(br)) continue;
                bool a = tl >= level, b = tr >= level, d = bl >= level, e = br >= level;
                int upper = 2 * (r * columns + c), lower = 2 * ((r + 1) * columns + c);
                int leftEdge = upper + 1, rightEdge = 2 * (r * columns + c + 1) + 1;
                // The edges this cell's line crosses, in the order top, right, bottom, left.
                int n = 0;
                if (a != b) crossed[n++] = upper;
                if (b != e) crossed[n++] = rightEdge;
                if (d != e) crossed[n++] = lower;
                if (a != d) crossed[n++] = leftEdge;
                if (n == 2) Link(crossed[0], crossed[1]);
                else if (n == 4)
                {
                    // A saddle: tl and br on one side, tr and bl on the other. If the centre (the mean of the corners)
                    // is on tl's side, that side joins across the cell and the line cuts off tr and bl; else tl and br.
                    bool centre = (tl + tr + bl + br) / 4 >= level;
                    if (centre == a)
                    {
                        Link(upper, rightEdge);
                        Link(lower, leftEdge);
                    }
                    else
                    {
                        Link(upper, leftEdge);
                        Link(lower, rightEdge);
                    }
                }
            }

        var lines = new List<(double X, double Y)[]>();
        var done = new HashSet<int>();
        // Open lines first, from one of their ends (a crossing with one neighbour), then the closed ones that remain.
        foreach (var pass in new[] { true, false })
            foreach (var (start, n) in neighbours.OrderBy(p => p.Key))
            {
                if (done.Contains(start) || (pass && n.Second != -1)) continue;
                var path = new List<int> { start };
                done.Add(start);
                int previous = -1, current = start;
                while (true)
                {
                    var (p, q) = neighbours[current];
                    int next = p != previous ? p : q;
                    if (next == -1 || next == previous) break;
                    if (next == start) { path.Add(start); break; }
                    if (!done.Add(next)) break;
                    path.Add(next);
                    (previous, current) = (current, next);
                }
                lines.Add(path.Select(edge => Crossing(v, columns, rows, left, right, bottom, top, level, edge)).ToArray());
            }
        return lines;
    }

    /// <summary>The point on edge <paramref name="edge"/> where the linear interpolation of f between its ends equals the level.</summary>
    static (double X, double Y) Crossing(IReadOnlyList<double> v, int columns, int rows,
        double left, double right, double bottom, double top, double level, int edge)
    {
        int corner = edge / 2, r = corner / columns, c = corner % columns;
        bool down = edge % 2 == 1;
        int r2 = down ? r + 1 : r, c2 = down ? c : c + 1;
        double f1 = v[corner], f2 = v[r2 * columns + c2];
        double t = (level - f1) / (f2 - f1);
        double x1 = X(left, right, columns, c), y1 = Y(bottom, top, rows, r);
        double x2 = X(left, right, columns, c2), y2 = Y(bottom, top, rows, r2);
        return (x1 + t * (x2 - x1), y1 + t * (y2 - y1));
    }

    static double X(double left, double right, int columns, int c) => left + (right - left) * c / (columns - 1);
    static double Y(double bottom, double top, int rows, int r) => top - (top - bottom) * r / (rows - 1);

    static void CheckGrid(double left, double right, double bottom, double top, int columns, int rows)
    {
        if (columns < 2 || rows < 2 || columns > MaxResolution || rows > MaxResolution)
            throw new BackpropException($"a contour grid needs 2 … {MaxResolution} samples a side, got {columns} × {rows}");
        if (!(right > left) || !(top > bottom) || !double.IsFinite(right - left) || !double.IsFinite(top - bottom))
            throw new BackpropException($"the box needs finite ranges with minimum below maximum, got x1 {left} … {right}, x2 {bottom} … {top}");
    }

    static double RoundSignificant(double v, int digits)
    {
        double scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(v))));
        return Math.Round(v * scale) / scale;
    }
}
