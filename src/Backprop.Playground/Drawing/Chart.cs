using System.Globalization;
using Backprop.Training;

namespace Backprop.Playground.Drawing;

/// <summary>Pixel positions for what the library measured: data points over the map, cost curves per epoch.</summary>
internal static class Chart
{
    /// <summary>An SVG polyline's points for <paramref name="values"/> against their index, scaled into width × height
    /// (y from 0 at the bottom to <paramref name="top"/> at the top).</summary>
    public static string Polyline(IReadOnlyList<double> values, double top, int width, int height)
    {
        if (values.Count == 0 || !(top > 0)) return "";
        double step = values.Count == 1 ? 0 : (double)width / (values.Count - 1);
        return string.Join(" ", values.Select((v, i) =>
            $"{(i * step).ToString("0.#", CultureInfo.InvariantCulture)},{(height - Math.Clamp(v / top, 0, 1) * height).ToString("0.#", CultureInfo.InvariantCulture)}"));
    }

    /// <summary>Where (x1, x2) falls on a square picture of <paramref name="size"/> pixels showing <paramref name="bounds"/>.</summary>
    public static (double X, double Y) Place(Backprop.Explaining.PlaneBounds bounds, double x1, double x2, double size) =>
        ((x1 - bounds.XMin) / (bounds.XMax - bounds.XMin) * size, (bounds.YMax - x2) / (bounds.YMax - bounds.YMin) * size);

    public static string Px(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Cost(double? value) => value is { } v ? (double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture)) : "–";

    /// <summary>R² with four decimals, as the CLI prints it.</summary>
    public static string Fit(double? value) => value is { } v ? (double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture)) : "–";

    public static string Percent(double? value) => value is { } v ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "–";

    /// <summary>At most this many points per curve: a long run's thousands of epochs are drawn from every k-th.</summary>
    public const int MaximumCurvePoints = 300;

    public static IReadOnlyList<double> Series(IReadOnlyList<RunMetrics> history, Func<RunMetrics, double?> pick)
    {
        int step = Math.Max(1, (history.Count + MaximumCurvePoints - 1) / MaximumCurvePoints);
        var values = new List<double>(Math.Min(history.Count, MaximumCurvePoints + 1));
        for (int i = 0; i < history.Count; i += step)
            if (pick(history[i]) is { } v && double.IsFinite(v)) values.Add(v);
        if (history.Count > 0 && (history.Count - 1) % step != 0 && pick(history[^1]) is { } last && double.IsFinite(last)) values.Add(last);
        return values;
    }
}
