namespace Backprop.Playground.Drawing;

/// <summary>
/// Colours for values the library computed: classes orange, blue, green, …; signed values orange below zero, blue
/// above, white at zero (TensorFlow Playground's convention, so its users read ours at once).
/// </summary>
internal static class Palette
{
    static readonly (byte R, byte G, byte B)[] ClassColours =
    [
        (245, 147, 34), (8, 119, 189), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ];

    public static (byte R, byte G, byte B) Class(int label) => ClassColours[label % ClassColours.Length];

    public static string ClassCss(int label)
    {
        var (r, g, b) = Class(label);
        return $"rgb({r},{g},{b})";
    }

    /// <summary>Orange for negative, blue for positive, as CSS: links and signed numbers.</summary>
    public static string SignCss(double value) => value < 0 ? ClassCss(0) : ClassCss(1);

    /// <summary>t in [−1, 1] as CSS: orange below 0 through white to blue, full at ±1.</summary>
    public static string ShadeCss(double t)
    {
        var (r, g, b) = Class(t < 0 ? 0 : 1);
        float strength = (float)Math.Clamp(Math.Abs(t), 0, 1);
        return $"rgb({Mix(r, strength)},{Mix(g, strength)},{Mix(b, strength)})";
    }

    /// <summary>Ink as CSS: 0 white, 1 black (a digit's pixel).</summary>
    public static string InkCss(double v)
    {
        int level = (int)Math.Round(255 * (1 - Math.Clamp(v, 0, 1)));
        return $"rgb({level},{level},{level})";
    }

    /// <summary>A value v as CSS on the <see cref="Diverging"/> scale (orange −scale, white 0, blue +scale), full strength
    /// from a third of the way: a data point must stand out from the map beneath it.</summary>
    public static string ValueCss(double value, double scale)
    {
        double t = Math.Clamp(value / scale, -1, 1);
        var (r, g, b) = t < 0 ? Class(0) : Class(1);
        float strength = (float)Math.Min(1, 0.35 + Math.Abs(t));
        return $"rgb({Mix(r, strength)},{Mix(g, strength)},{Mix(b, strength)})";
    }

    /// <summary>
    /// A surface from white (its lowest values) to blue (its highest) by rank: each shade covers as much of the map as
    /// any other, so a floor that is nearly flat next to a steep wall still shows its valleys (the contour lines drawn
    /// on top give the values). Not-finite values are grey. Paler than full blue, so paths and labels on top stay legible.
    /// </summary>
    public static void Ranked(ReadOnlySpan<double> values, Span<byte> rgba)
    {
        var sorted = values.ToArray().Where(double.IsFinite).Order().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) { Set(rgba, i, (128, 128, 128), 0.5f); continue; }
            int below = Array.BinarySearch(sorted, values[i]);
            if (below < 0) below = ~below;
            double t = sorted.Length > 1 ? (double)below / (sorted.Length - 1) : 0.5;
            Set(rgba, i, (8, 48, 107), (float)(0.04 + 0.6 * t));
        }
    }

    /// <summary>Each value v as a colour from orange (v ≤ −scale) through white (0) to blue (v ≥ scale); NaN is grey.</summary>
    public static void Diverging(ReadOnlySpan<float> values, float scale, Span<byte> rgba)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v)) { Set(rgba, i, (128, 128, 128), 1); continue; }
            float t = Math.Clamp(v / scale, -1, 1);
            Set(rgba, i, t < 0 ? Class(0) : Class(1), Math.Abs(t));
        }
    }

    /// <summary>
    /// The output map: each point in its most probable class's colour, paler the less sure the network is
    /// (white where every class is equally likely). <paramref name="maps"/> holds one map of <paramref name="points"/>
    /// values per output neuron, one after the other; a single sigmoid output a stands for P(class 1) = a, P(class 0) = 1 − a.
    /// </summary>
    public static void Classes(ReadOnlySpan<float> maps, int points, bool discretize, Span<byte> rgba)
    {
        int outputs = maps.Length / points, classes = Math.Max(2, outputs);
        for (int p = 0; p < points; p++)
        {
            int best = 0;
            float bestValue;
            if (outputs == 1)
            {
                float a = maps[p];
                best = a >= 0.5f ? 1 : 0;
                bestValue = best == 1 ? a : 1 - a;
            }
            else
            {
                bestValue = maps[p];
                for (int k = 1; k < outputs; k++)
                    if (maps[k * points + p] > bestValue) { best = k; bestValue = maps[k * points + p]; }
            }
            if (float.IsNaN(bestValue)) { Set(rgba, p, (128, 128, 128), 1); continue; }
            float chance = 1f / classes;
            float sure = Math.Clamp((bestValue - chance) / (1 - chance), 0, 1);
            // Paler than the points drawn on top, so both stay legible.
            Set(rgba, p, Class(best), discretize ? 0.55f : 0.7f * sure);
        }
    }

    /// <summary>Output neuron <paramref name="label"/>'s probability a as its class colour, white at 0, full at 1.</summary>
    public static void OneClass(ReadOnlySpan<float> probability, int label, Span<byte> rgba)
    {
        for (int i = 0; i < probability.Length; i++)
        {
            float a = probability[i];
            if (float.IsNaN(a)) Set(rgba, i, (128, 128, 128), 1);
            else Set(rgba, i, Class(label), Math.Clamp(a, 0, 1));
        }
    }

    static void Set(Span<byte> rgba, int i, (byte R, byte G, byte B) colour, float strength)
    {
        rgba[4 * i] = Mix(colour.R, strength);
        rgba[4 * i + 1] = Mix(colour.G, strength);
        rgba[4 * i + 2] = Mix(colour.B, strength);
        rgba[4 * i + 3] = 255;
    }

    static byte Mix(byte channel, float strength) => (byte)Math.Round(255 + (channel - 255) * strength);
}
