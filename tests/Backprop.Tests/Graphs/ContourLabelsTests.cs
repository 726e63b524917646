using Backprop.Graphs;

namespace Backprop.Tests.Graphs;

public class ContourLabelsTests
{
    /// <summary>The contours of f = x1² + x2²: circles of radius r at level r², as 360 points each.</summary>
    static ContourLabels.Line Circle(double r) =>
        new(Enumerable.Range(0, 360).Select(d => (r * Math.Cos(d * Math.PI / 180), r * Math.Sin(d * Math.PI / 180))).ToArray(), r * r);

    [Fact]
    public void Every_label_is_inside_the_box_by_its_own_room_and_none_overlaps_another()
    {
        var circles = Enumerable.Range(1, 14).Select(i => Circle(i * 0.5)).ToArray();   // radius 0.5 … 7: the outer ones are cut by the box
        var places = ContourLabels.Places(circles, -5, 5, -5, 5);

        foreach (var p in places)
        {
            Assert.InRange(p.X, -5 + ContourLabels.Width * 10, 5 - ContourLabels.Width * 10);
            Assert.InRange(p.Y, -5 + ContourLabels.Height * 10, 5 - ContourLabels.Height * 10);
            Assert.Equal(p.Level, p.X * p.X + p.Y * p.Y, 9);   // on its own circle
        }
        for (int i = 0; i < places.Count; i++)
            for (int j = i + 1; j < places.Count; j++)
                Assert.False(Math.Abs(places[i].X - places[j].X) < ContourLabels.Width * 10 && Math.Abs(places[i].Y - places[j].Y) < ContourLabels.Height * 10,
                    $"labels {places[i]} and {places[j]} overlap");
        // Every circle that reaches into the box a label may use (|x1| ≤ 4.3, |x2| ≤ 4.6: corners at radius 6.30) has a
        // label: a larger circle finds room beside the ladder of the smaller ones.
        double corner = 4.3 * 4.3 + 4.6 * 4.6;
        Assert.Equal(circles.Where(c => c.Level < corner).Select(c => c.Level), places.Select(p => p.Level));
    }

    [Fact]
    public void A_line_that_only_runs_along_the_border_or_outside_is_left_unlabelled()
    {
        var border = new ContourLabels.Line([(-5, -4.9), (0, -4.95), (5, -4.9)], 1);   // within half a label of the bottom edge
        var outside = Circle(8);                                                             // beyond the corners (5√2 ≈ 7.07)
        Assert.Empty(ContourLabels.Places([border, outside], -5, 5, -5, 5));
    }

    [Fact]
    public void The_lowest_free_point_is_chosen_and_a_second_line_on_the_same_spot_moves_up_or_goes_unlabelled()
    {
        var first = new ContourLabels.Line([(0, 2), (0, -2), (1, 0)], 1);
        var second = new ContourLabels.Line([(0, -2), (0, 3)], 2);
        var onlyThere = new ContourLabels.Line([(0, -2.1)], 3);
        var places = ContourLabels.Places([first, second, onlyThere], -5, 5, -5, 5);
        Assert.Equal([new ContourLabels.Place(0, -2, 1), new ContourLabels.Place(0, 3, 2)], places);
    }
}
