namespace Backprop.Data;

/// <summary>
/// The inputs a network sees of a point (x1, x2) of the plane: any of x1, x2, x1², x2², x1·x2, sin x1, sin x2, in that
/// order (TensorFlow Playground's seven). With x1² and x2² even one neuron can draw a circle.
/// </summary>
public sealed class FeatureMap
{
    /// <summary>Every feature's name, in the order the network's inputs take them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sinx1", "sinx2"];

    /// <summary>x1, x2 as they are: what every 2-D set means without --features.</summary>
    public static FeatureMap Plain { get; } = new([0, 1]);

    readonly int[] selected;

    FeatureMap(int[] selected) => this.selected = selected;

    /// <summary>The chosen features' names, in <see cref="Names"/> order.</summary>
    public IReadOnlyList<string> Selected => selected.Select(i => Names[i]).ToArray();

    /// <summary>How many inputs the network gets.</summary>
    public int Count => selected.Length;

    /// <summary>True when the features are the point itself, x1 and x2 in that order.</summary>
    public bool IsPlain => selected.SequenceEqual([0, 1]);

    /// <summary>Whether the feature named <paramref name="name"/> (x1, x2, x1^2, …) is one of those made.</summary>
    public bool Contains(string name) => Selected.Contains(name);

    /// <summary>Parses "x1,x2,x1^2" (any order, no repeats; also x1*x2, sin(x1), sin(x2)).</summary>
    public static FeatureMap Parse(string text)
    {
        var indices = new SortedSet<int>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string name = raw.ToLowerInvariant().Replace(" ", "").Replace("*", "").Replace("(", "").Replace(")", "").Replace("²", "^2");
            int index = Names.ToList().IndexOf(name);
            if (index < 0)
                throw new BackpropException($"unknown feature '{raw}'; the features of a point (x1, x2) are {string.Join(", ", Names)}");
            if (!indices.Add(index)) throw new BackpropException($"feature {Names[index]} is listed twice in '{text}'; list each once");
        }
        return new FeatureMap([.. indices]);
    }

    /// <summary>The features of (x1, x2), written to <paramref name="output"/> (length <see cref="Count"/>).</summary>
    public void Apply(float x1, float x2, Span<float> output)
    {
        for (int i = 0; i < selected.Length; i++)
            output[i] = selected[i] switch
            {
                0 => x1,
                1 => x2,
                2 => x1 * x1,
                3 => x2 * x2,
                4 => x1 * x2,
                5 => (float)Math.Sin(x1),
                _ => (float)Math.Sin(x2),
            };
    }

    /// <summary>The features of every row of <paramref name="points"/>, (n × 2) → (n × <see cref="Count"/>).</summary>
    public float[] Apply(ReadOnlySpan<float> points)
    {
        if (points.Length % 2 != 0) throw new BackpropException($"points come in (x1, x2) pairs; got {points.Length} values");
        int n = points.Length / 2;
        var output = new float[(long)n * Count];
        for (int i = 0; i < n; i++) Apply(points[2 * i], points[2 * i + 1], output.AsSpan(i * Count, Count));
        return output;
    }

    /// <summary>The same examples with these features; the data must have two (x1, x2).</summary>
    public Dataset Apply(Dataset data)
    {
        if (data.FeatureCount != 2)
            throw new BackpropException($"features like {string.Join(", ", Names.Skip(2))} are made from a point (x1, x2), but the data has {data.FeatureCount} features; use them with two-feature data only");
        return IsPlain ? data : data.WithFeatures(Apply(data.Features), Count);
    }

    /// <summary>The feature names, comma-separated, as the CLI's --features takes them.</summary>
    public override string ToString() => string.Join(",", Selected);
}
