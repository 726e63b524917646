namespace Backprop.Autodiff;

/// <summary>
/// The scalar functions shared by <see cref="Value"/> and <see cref="Expression.Evaluate"/>, so that evaluating an
/// expression and building its graph give bit-for-bit the same forward value.
/// </summary>
internal static class ScalarFunctions
{
    /// <summary>
    /// σ(x) = 1 / (1 + e⁻ˣ), computed as eˣ / (1 + eˣ) for x &lt; 0. For x below about −709, e⁻ˣ overflows to ∞;
    /// 1/(1 + ∞) still happens to be 0, but any formula reusing e⁻ˣ (the derivative e⁻ˣ/(1 + e⁻ˣ)²) becomes ∞/∞ = NaN.
    /// With eˣ every intermediate stays finite: σ(±1000) is exactly 1 or 0, σ′ exactly 0.
    /// </summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary>max(0, x); NaN stays NaN so that a diverged value is not silently hidden.</summary>
    public static double Relu(double x) => x > 0 ? x : double.IsNaN(x) ? x : 0.0;

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public static double LeakyRelu(double x, double slope) => x > 0 ? x : slope * x;
}
