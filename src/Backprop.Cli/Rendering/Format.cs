using System.Globalization;

namespace Backprop.Cli.Rendering;

internal static class Format
{
    public static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
    public static string Number(double value, string format = "G6") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"1 step", "20 steps": a count with its noun, plural unless the count is exactly one.</summary>
    public static string Count(long count, string noun, string? plural = null) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? noun : plural ?? noun + "s")}";
}
