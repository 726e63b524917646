using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Backprop.Playground.Panels;

/// <summary>Reads what a user typed into an input; a number that is not one becomes a message, not an exception.</summary>
internal static class Inputs
{
    public static string Text(ChangeEventArgs e) => e.Value?.ToString()?.Trim() ?? "";

    public static void Int(ChangeEventArgs e, Playground page, Action<int> use)
    {
        if (int.TryParse(Text(e), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) use(v);
        else page.Report($"'{Text(e)}' is not a whole number");
    }

    public static void Double(ChangeEventArgs e, Playground page, Action<double> use)
    {
        if (double.TryParse(Text(e), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) use(v);
        else page.Report($"'{Text(e)}' is not a number");
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
