using System.Globalization;

namespace Backprop.Tests.Autodiff;

/// <summary>Comparisons that print both sides, and the central finite difference the engine is checked against.</summary>
internal static class Numeric
{
    /// <summary>The step of every finite-difference check: small enough for the h² truncation error (~1e-12),
    /// large enough that rounding (~ε·|f|/h ≈ 1e-10·|f|) stays far below the 1e-6 tolerance.</summary>
    public const double Step = 1e-6;

    /// <summary>(f(x + h) − f(x − h)) / 2h.</summary>
    public static double CentralDifference(Func<double, double> f, double x, double h = Step) =>
        (f(x + h) - f(x - h)) / (2 * h);

    /// <summary>|actual − expected| ≤ tolerance · max(1, |expected|): relative, with an absolute floor near zero.</summary>
    public static void Close(double expected, double actual, double tolerance, string what)
    {
        double allowed = tolerance * Math.Max(1.0, Math.Abs(expected));
        if (!(Math.Abs(actual - expected) <= allowed))
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{what}: expected {expected:R}, actual {actual:R}, difference {actual - expected:R}, tolerance {tolerance:R} relative (floor 1)"));
    }

    public static void Same(double expected, double actual, string what)
    {
        if (!expected.Equals(actual))
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: expected exactly {expected:R}, actual {actual:R}"));
    }
}
