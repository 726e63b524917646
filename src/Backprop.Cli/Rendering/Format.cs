using System.Globalization;

namespace Backprop.Cli.Rendering;

internal static class Format
{
    public static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
    /// <summary>A number for a person to read, "G4" or "G6" significant digits, written by <see cref="NumberText"/> (3.94084e-5, never 3.94084E-05).</summary>
    public static string Number(double value, string format = "G6") =>
        format.Length > 1 && format[0] == 'G' ? NumberText.Of(value, int.Parse(format.AsSpan(1), CultureInfo.InvariantCulture)) : value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"1 step", "20 steps": a count with its noun, plural unless the count is exactly one.</summary>
    public static string Count(long count, string noun, string? plural = null) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? noun : plural ?? noun + "s")}";
}
