using System.Globalization;

namespace Backprop;

/// <summary>
/// How every number the tool shows a person is written (text, pictures, graphs; JSON keeps full doubles): a few
/// significant digits, a plain ASCII '-' (so any number shown can be typed back as an option value), and an exponent
/// only when .NET's G format needs one, written short — 2.16e-9, not 2.16E-009 or 2.16E-09.
/// </summary>
public static class NumberText
{
    /// <summary>The value to <paramref name="digits"/> significant digits: 0.768525, -0.4, 3.94084e-5, 1e-6, 1.235e4; 0 for ±0.</summary>
    public static string Of(double value, int digits = 6)
    {
        if (value == 0) return "0"; // also -0: "-0" would read as a sign that means something
        if (!double.IsFinite(value)) return double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";
        string text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int e = text.IndexOf('E');
        if (e < 0) return text;
        int exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{text[..e]}e{exponent.ToString(CultureInfo.InvariantCulture)}";
    }
}
