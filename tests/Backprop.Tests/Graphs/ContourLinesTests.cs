using Backprop.Graphs;

namespace Backprop.Tests.Graphs;

public class ContourLinesTests
{
    const double Left = -4, Right = 4, Bottom = -4, Top = 4;

    static List<ContourLabels.Line> TraceOf(Func<double, double, double> f, int resolution, params double[] levels)
    {
        var values = ContourLines.Sample(f, Left, Right, Bottom, Top, resolution, resolution);
        return ContourLines.Trace(values, resolution, resolution, Left, Right, Bottom, Top, levels);
    }

    [Fact]
    public void Sample_puts_row_zero_at_the_top_and_column_zero_at_the_left()
    {
        var values = ContourLines.Sample((x1, x2) => 10 * x1 + x2, 0, 2, 0, 1, 3, 2);
        Assert.Equal([1, 11, 21, 0, 10, 20], values);
    }

    [Fact]
    public void The_contours_of_x1_squared_plus_x2_squared_are_one_closed_circle_per_level_on_its_radius()
    {
        var lines = TraceOf((x1, x2) => x1 * x1 + x2 * x2, 81, 1, 4, 9);

        Assert.Equal([1.0, 4, 9], lines.Select(l => l.Level));
        double cell = (Right - Left) / 80;
        foreach (var line in lines)
        {
            double radius = Math.Sqrt(line.Level);
            Assert.Equal(line.Points[0], line.Points[^1]);   // closed
            // One point per grid line the circle cuts, twice over (each of the ~2r/cell vertical and horizontal lines):
            // about 8r/cell, less a few where it only grazes a line. Pieces left unjoined would fail the closing check.
            Assert.True(line.Points.Count > 7 * radius / cell, $"level {line.Level}: {line.Points.Count} points");
            foreach (var (x, y) in line.Points)
            {
                // Linear interpolation of r² along an edge is off by at most (cell/2)²/(2r)-ish: well under 1% of a cell here.
                double off = Math.Abs(Math.Sqrt(x * x + y * y) - radius);
                Assert.True(off < 2e-3, $"level {line.Level}: point ({x}, {y}) is {off} from the radius {radius}");
            }
            // Joined in order: consecutive points are in the same cell, never across the circle.
            for (int i = 1; i < line.Points.Count; i++)
            {
                var (x0, y0) = line.Points[i - 1];
                var (x1, y1) = line.Points[i];
                Assert.True(Math.Abs(x1 - x0) <= cell + 1e-12 && Math.Abs(y1 - y0) <= cell + 1e-12, $"points {i - 1} and {i} of level {line.Level} are not neighbours");
            }
        }
    }

    [Fact]
    public void A_plane_gives_one_straight_line_per_level_across_the_box()
    {
        // f = x1 + 2·x2: the line x1 + 2·x2 = L, exactly (interpolation along an edge is exact for a plane).
        var lines = TraceOf((x1, x2) => x1 + 2 * x2, 17, -3, 0, 5.5);

        Assert.Equal([-3.0, 0, 5.5], lines.Select(l => l.Level));
        foreach (var line in lines)
        {
            foreach (var (x, y) in line.Points) Assert.Equal(line.Level, x + 2 * y, 12);
            // Open, from one side of the box to another.
            var (xa, ya) = line.Points[0];
            var (xb, yb) = line.Points[^1];
            Assert.True(OnBorder(xa, ya) && OnBorder(xb, yb), $"level {line.Level} runs from ({xa}, {ya}) to ({xb}, {yb})");
            Assert.True(line.Points.Count >= 9, $"level {line.Level}: {line.Points.Count} points");
        }
    }

    static bool OnBorder(double x, double y) =>
        Math.Abs(x - Left) < 1e-12 || Math.Abs(x - Right) < 1e-12 || Math.Abs(y - Bottom) < 1e-12 || Math.Abs(y - Top) < 1e-12;

    [Fact]
    public void The_saddle_x1_times_x2_gives_both_branches_of_each_hyperbola_apart()
    {
        // x1·x2 = 1 has a branch in the first quadrant and one in the third; = −1 in the second and fourth.
        var lines = TraceOf((x1, x2) => x1 * x2, 41, 1, -1);

        Assert.Equal(4, lines.Count);
        foreach (var line in lines)
        {
            var signs = line.Points.Select(p => (Math.Sign(p.X), Math.Sign(p.Y))).Distinct().ToArray();
            Assert.Single(signs);   // one quadrant: the branches are not joined across the saddle
            Assert.Equal(Math.Sign(line.Level), signs[0].Item1 * signs[0].Item2);
            foreach (var (x, y) in line.Points)
                Assert.True(Math.Abs(x * y - line.Level) < 0.01 * Math.Max(1, Math.Abs(x * y)), $"({x}, {y}) is not on x1·x2 = {line.Level}");
        }
    }

    [Theory]
    // One cell: tl = 1, tr = 0, bl = 0, br = 1; the centre's mean is 0.5.
    [InlineData(0.4, true)]    // the centre is above the level: the high corners join, the line cuts off the low ones (tr, bl)
    [InlineData(0.6, false)]   // the centre is below: the low corners join, the line cuts off the high ones (tl, br)
    public void A_saddle_cell_is_decided_by_the_mean_of_its_corners(double level, bool cutsOffTopRight)
    {
        var lines = ContourLines.Trace([1, 0, 0, 1], 2, 2, 0, 1, 0, 1, [level]);

        Assert.Equal(2, lines.Count);
        foreach (var line in lines) Assert.Equal(2, line.Points.Count);
        // The piece that contains a point on the top edge (y = 1): where is its other end?
        var top = lines.Single(l => l.Points.Any(p => p.Y == 1));
        var other = top.Points.Single(p => p.Y != 1);
        if (cutsOffTopRight)
            Assert.Equal((1.0, 1 - level), other);   // right edge, between br = 1 (bottom) and tr = 0 (top)
        else
            Assert.Equal((0.0, level), other);       // left edge, between tl = 1 (top) and bl = 0 (bottom)
    }

    [Fact]
    public void Lines_stop_where_f_is_not_defined()
    {
        // ln(x1) is undefined for x1 ≤ 0: the circle-like contours of ln(x1) + x2² are cut at the x2-axis.
        var lines = TraceOf((x1, x2) => Math.Log(x1) + x2 * x2, 81, 1);

        Assert.NotEmpty(lines);
        foreach (var line in lines)
            foreach (var (x, y) in line.Points)
            {
                Assert.True(x > 0, $"({x}, {y}) is where f is not defined");
                // Linear interpolation of ln across a cell of width 0.1 near x1 = 0.1 is off by up to 0.06.
                Assert.True(Math.Abs(Math.Log(x) + y * y - 1) < 0.07, $"({x}, {y}) is not on the level 1");
            }
    }

    [Fact]
    public void Levels_are_rounded_quantiles_strictly_inside_the_range()
    {
        var values = Enumerable.Range(0, 1001).Select(i => i / 1000.0 * 123.456).ToArray();

        Assert.Equal([15.4, 46.3, 77.2, 108], ContourLines.Levels(values, 4));   // quantiles 1/8, 3/8, 5/8, 7/8: 15.432, 46.296, 77.16, 108.024
        Assert.Empty(ContourLines.Levels([2, 2, 2], 5));                      // a flat f has no contour inside its range
    }

    [Fact]
    public void Bad_grids_are_refused_in_words()
    {
        var e = Assert.Throws<BackpropException>(() => ContourLines.Trace([1, 2, 3], 2, 2, 0, 1, 0, 1, [1.5]));
        Assert.Contains("3 values do not fill a grid of 2 × 2", e.Message);
        Assert.Throws<BackpropException>(() => ContourLines.Sample((x, y) => x, 1, 1, 0, 1, 10, 10));
        Assert.Throws<BackpropException>(() => ContourLines.Trace([1, 2, 3, 4], 2, 2, 0, 1, 0, 1, [double.NaN]));
    }
}
