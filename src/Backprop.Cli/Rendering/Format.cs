using System.Globalization;

namespace Backprop.Cli.Rendering;

internal static class Format
{
    public static string Percent(double fraction) => (fraction * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
    public static string Number(double value, string format = "G6") => value.ToString(format, CultureInfo.InvariantCulture);
}
