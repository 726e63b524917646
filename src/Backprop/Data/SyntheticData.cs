namespace Backprop.Data;

/// <summary>
/// Small seeded 2-D problems for trying networks quickly: classes (<see cref="Names"/>; example i has class
/// i mod ClassCount, so the classes are balanced to within one example) or one real target
/// (<see cref="RegressionNames"/>). The same name, count and seed always give the same set.
/// </summary>
public static class SyntheticData
{
    /// <summary>The names of the synthetic sets of classes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["xor", "spiral", "circles", "moons", "blobs"];

    /// <summary>The names of the synthetic regression sets (one real target y of a point (x₁, x₂)): <c>plane</c>, <c>gaussians</c>.</summary>
    public static IReadOnlyList<string> RegressionNames { get; } = ["plane", "gaussians"];

    /// <summary>Whether <paramref name="name"/> names a synthetic set, of classes or a regression (case ignored).</summary>
    public static bool IsName(string name) =>
        Names.Contains(name, StringComparer.OrdinalIgnoreCase) || IsRegressionName(name);

    /// <summary>Whether <paramref name="name"/> names a synthetic regression set (case ignored).</summary>
    public static bool IsRegressionName(string name) => RegressionNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The regression sets draw their points uniformly in [−<see cref="RegressionHalfWidth"/>, <see cref="RegressionHalfWidth"/>]².</summary>
    public const double RegressionHalfWidth = 2;

    /// <summary>The sum of Gaussians: bumps of height ±1 and width σ = <see cref="BumpWidth"/> at (±1, ±1).</summary>
    internal const double BumpWidth = 0.5;

    /// <summary>
    /// The regression sets' noiseless target at (x₁, x₂):
    /// <c>plane</c> y = (x₁ + x₂) / 2 (from −2 to 2 over the square);
    /// <c>gaussians</c> y = Σ_c s_c exp(−‖x − μ_c‖² / (2·0.5²)) with +1 bumps at (1, 1) and (−1, −1) and −1 bumps at
    /// (1, −1) and (−1, 1) (about −1 to 1).
    /// </summary>
    /// <param name="name">plane or gaussians.</param>
    /// <param name="x1">The first coordinate.</param>
    /// <param name="x2">The second coordinate.</param>
    public static double RegressionTarget(string name, double x1, double x2) => name.ToLowerInvariant() switch
    {
        "plane" => (x1 + x2) / 2,
        "gaussians" => Bump(x1 - 1, x2 - 1) + Bump(x1 + 1, x2 + 1) - Bump(x1 - 1, x2 + 1) - Bump(x1 + 1, x2 - 1),
        _ => throw new BackpropException($"unknown synthetic regression set \"{name}\"; choose one of {string.Join(", ", RegressionNames)}"),
    };

    static double Bump(double dx, double dy) => Math.Exp(-(dx * dx + dy * dy) / (2 * BumpWidth * BumpWidth));

    /// <summary>Spiral arms turn this many times from the centre to radius 1.</summary>
    internal const double SpiralTurns = 1.5;
    internal const double SpiralNoise = 0.03;
    /// <summary>Circles: outer radius 1, inner radius <see cref="InnerRadius"/>.</summary>
    internal const double InnerRadius = 0.5;
    internal const double CirclesNoise = 0.05;
    internal const double MoonsNoise = 0.1;
    /// <summary>Blobs: centres on the circle of radius 2 at 90°, 210° and 330°, standard deviation <see cref="BlobDeviation"/>.</summary>
    internal const double BlobRadius = 2.0;
    internal const double BlobDeviation = 0.5;

    /// <summary>
    /// <paramref name="count"/> examples of the named problem (2 features each):
    /// <list type="bullet">
    /// <item><c>xor</c>: (x₁, x₂) uniform in [−1, 1]², class (x₁ &gt; 0) xor (x₂ &gt; 0).</item>
    /// <item><c>spiral</c>: two interleaved arms r = t, θ = 2π·1.5·t + cπ (t in [0, 1], class c), Gaussian noise σ = 0.03.</item>
    /// <item><c>circles</c>: class 0 on the circle of radius 1, class 1 on radius 0.5, noise σ = 0.05.</item>
    /// <item><c>moons</c>: class 0 on (cos θ, sin θ), class 1 on (1 − cos θ, 0.5 − sin θ), θ in [0, π], noise σ = 0.1.</item>
    /// <item><c>blobs</c>: three classes, Gaussian blobs σ = 0.5 around centres at radius 2.</item>
    /// <item><c>plane</c>, <c>gaussians</c>: regressions, (x₁, x₂) uniform in [−2, 2]², target <see cref="RegressionTarget"/>
    /// plus Gaussian noise of σ <paramref name="noise"/> (their own is 0).</item>
    /// </list>
    /// </summary>
    /// <param name="name">xor, spiral, circles, moons, blobs, plane or gaussians.</param>
    /// <param name="count">How many examples.</param>
    /// <param name="seed">The same seed gives the same examples.</param>
    /// <param name="noise">σ of the Gaussian noise added to each coordinate, in the data's units; null for the
    /// set's own (<see cref="DefaultNoise"/>), 0 puts every point exactly on its curve. On <c>xor</c> the noise moves
    /// points after their class is decided, so some cross the axes, as in TensorFlow Playground.</param>
    public static Dataset Generate(string name, int count, ulong seed, double? noise = null)
    {
        double σ = noise ?? DefaultNoise(name);
        if (!(σ >= 0) || σ > MaximumNoise)
            throw new BackpropException($"noise must be between 0 and {MaximumNoise}, got {σ}; the sets span about [−2, 2], so 0.1 to 0.5 is visible");
        return Generate(name, count, seed, σ, DefaultNoise(name));
    }

    /// <summary>Noise above this buries every set: the points span about [−2, 2].</summary>
    public const double MaximumNoise = 10;

    /// <summary>The σ each set has unless told otherwise: xor 0, spiral 0.03, circles 0.05, moons 0.1, blobs 0.5; plane and gaussians 0 (on the target).</summary>
    public static double DefaultNoise(string name) => name.ToLowerInvariant() switch
    {
        "spiral" => SpiralNoise,
        "circles" => CirclesNoise,
        "moons" => MoonsNoise,
        "blobs" => BlobDeviation,
        _ => 0,
    };

    /// <summary>The seed for the test part of a set whose training part uses <paramref name="seed"/>.</summary>
    /// <remarks>
    /// Not seed + 1: then the test set of seed 1 would be the training set of seed 2. Rng already scrambles its seed
    /// through SplitMix64, so flipping many bits gives an unrelated stream.
    /// </remarks>
    public static ulong TestSeed(ulong seed) => seed ^ 0x7E57_5EED_D1FF_E4E7UL;

    // Each generator scales its own σ by noiseScale = noise / its default, so that a default run draws exactly the
    // numbers it always drew. xor has no noise of its own: its noise is added afterwards, and only drawn when asked for.
    static Dataset Generate(string name, int count, ulong seed, double noise, double defaultNoise)
    {
        double noiseScale = defaultNoise > 0 ? noise / defaultNoise : 0;
        double addedNoise = defaultNoise > 0 ? 0 : noise;
        if (count <= 0) throw new BackpropException($"a synthetic set needs at least one example, got {count}");
        var rng = new Rng(seed);
        if (IsRegressionName(name)) return Regression(name, count, rng, noise);
        Func<Rng, int, double, (double X, double Y)> point;
        int classCount = 2;
        switch (name.ToLowerInvariant())
        {
            case "xor": point = Xor; break;
            case "spiral": point = Spiral; break;
            case "circles": point = Circles; break;
            case "moons": point = Moons; break;
            case "blobs": point = Blob; classCount = 3; break;
            default:
                throw new BackpropException($"unknown synthetic set \"{name}\"; choose one of {string.Join(", ", Names.Concat(RegressionNames))}");
        }
        var features = new float[2 * count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % classCount;
            var (x, y) = point(rng, labels[i], noiseScale);
            if (addedNoise > 0) (x, y) = (x + addedNoise * rng.NextGaussian(), y + addedNoise * rng.NextGaussian());
            features[2 * i] = (float)x;
            features[2 * i + 1] = (float)y;
        }
        return new Dataset(features, labels, 2, classCount);
    }

    // The noise is on the target, not the point: the question is how well y is predicted from an exact (x₁, x₂).
    static Dataset Regression(string name, int count, Rng rng, double noise)
    {
        var features = new float[2 * count];
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double x1 = rng.NextDouble(-RegressionHalfWidth, RegressionHalfWidth);
            double x2 = rng.NextDouble(-RegressionHalfWidth, RegressionHalfWidth);
            double y = RegressionTarget(name, x1, x2);
            if (noise > 0) y += noise * rng.NextGaussian();
            features[2 * i] = (float)x1;
            features[2 * i + 1] = (float)x2;
            values[i] = (float)y;
        }
        return new Dataset(features, values, 2, 1);
    }

    // Draws x₁ anywhere, then puts x₂ on the side that gives the wanted class: the same as uniform points
    // kept or thrown away by their class, without the waste. |x₂| is in (0, 1] so "x₂ > 0" is never ambiguous.
    static (double, double) Xor(Rng rng, int label, double noiseScale)
    {
        double x1 = rng.NextDouble(-1, 1);
        double magnitude = 1 - rng.NextDouble();
        bool positive = (x1 > 0) ^ (label == 1);
        return (x1, positive ? magnitude : -magnitude);
    }

    // t = √u spreads points evenly along the arm: an Archimedean spiral's length up to t grows like t².
    static (double, double) Spiral(Rng rng, int label, double noiseScale)
    {
        double t = Math.Sqrt(rng.NextDouble());
        double angle = 2 * Math.PI * SpiralTurns * t + label * Math.PI;
        double noise = SpiralNoise * noiseScale;
        return (t * Math.Cos(angle) + noise * rng.NextGaussian(), t * Math.Sin(angle) + noise * rng.NextGaussian());
    }

    static (double, double) Circles(Rng rng, int label, double noiseScale)
    {
        double angle = rng.NextDouble(0, 2 * Math.PI);
        double radius = label == 0 ? 1 : InnerRadius;
        double noise = CirclesNoise * noiseScale;
        return (radius * Math.Cos(angle) + noise * rng.NextGaussian(), radius * Math.Sin(angle) + noise * rng.NextGaussian());
    }

    static (double, double) Moons(Rng rng, int label, double noiseScale)
    {
        double angle = rng.NextDouble(0, Math.PI);
        var (x, y) = label == 0 ? (Math.Cos(angle), Math.Sin(angle)) : (1 - Math.Cos(angle), 0.5 - Math.Sin(angle));
        double noise = MoonsNoise * noiseScale;
        return (x + noise * rng.NextGaussian(), y + noise * rng.NextGaussian());
    }

    static (double, double) Blob(Rng rng, int label, double noiseScale)
    {
        var (x, y) = BlobCenter(label);
        double noise = BlobDeviation * noiseScale;
        return (x + noise * rng.NextGaussian(), y + noise * rng.NextGaussian());
    }

    internal static (double X, double Y) BlobCenter(int label)
    {
        double angle = Math.PI / 2 + label * 2 * Math.PI / 3;
        return (BlobRadius * Math.Cos(angle), BlobRadius * Math.Sin(angle));
    }
}
