using System.IO.Compression;

namespace Backprop.Data;

/// <summary>
/// The UCI handwritten digits as scikit-learn ships them: 1,797 images of 8×8 pixels, classes 0–9, embedded in the
/// library (57 kB), so the running example of the notes needs no download. Provenance and licence (CC BY 4.0):
/// Data/Digits/README.md beside the file.
/// </summary>
/// <remarks>
/// Pixels are counts 0–16 (on-pixels of a 4×4 block of a 32×32 bitmap) and come out divided by 16, so every input is
/// in [0, 1]. The train/test split is fixed: within each class the examples, in file order, are shuffled by an
/// <see cref="Rng"/> seeded with <see cref="SplitSeed"/>, and the first round(<see cref="TestFraction"/> × class size)
/// go to the test part; both parts keep file order. The split does not depend on a run's seed, so every run,
/// page and command tests on the same 359 digits.
/// </remarks>
public static class DigitsData
{
    /// <summary>The data set's name (<c>--data digits</c>).</summary>
    public const string Name = "digits";

    /// <summary>Pixels of an image side: images are <see cref="Side"/> × <see cref="Side"/>, row by row.</summary>
    public const int Side = 8;

    /// <summary>The largest pixel count: a 4×4 block with every pixel on.</summary>
    public const int MaximumCount = 16;

    /// <summary>The part of each class held out for testing.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Seeds the shuffle that picks the test examples; fixed forever, so the split never moves.</summary>
    public const ulong SplitSeed = 1797;

    const string Resource = "Backprop.Data.Digits.digits.csv.gz";

    static readonly Lazy<(Dataset Train, Dataset Test)> parts = new(Load);

    /// <summary>The 1,438 training digits (80% of each class).</summary>
    public static Dataset Train => parts.Value.Train;

    /// <summary>The 359 test digits (20% of each class).</summary>
    public static Dataset Test => parts.Value.Test;

    /// <summary>All 1,797 digits in file order, pixels scaled to [0, 1].</summary>
    public static Dataset All() => ReadAll();

    /// <summary>The indices (into <see cref="All"/>) of the test digits, ascending.</summary>
    public static int[] TestIndices(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var rng = new Rng(SplitSeed);
        var test = new List<int>();
        foreach (var byClass in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = byClass.ToArray();
            rng.Shuffle<int>(members);
            int count = (int)Math.Round(members.Length * TestFraction, MidpointRounding.AwayFromZero);
            test.AddRange(members.Take(count));
        }
        test.Sort();
        return test.ToArray();
    }

    /// <summary>Sides of the bitmaps the images were counted from: 32×32, in blocks of 4×4.</summary>
    public const int BitmapSide = 32;

    /// <summary>
    /// An image made as the UCI digits were: a 32×32 bitmap (row by row, true for a pixel that is on) cut into 4×4
    /// blocks, each block's on-pixels counted (0–16), then divided by 16 as <see cref="All"/> scales them.
    /// </summary>
    public static float[] FromBitmap(ReadOnlySpan<bool> bitmap)
    {
        if (bitmap.Length != BitmapSide * BitmapSide)
            throw new ArgumentException($"a digit bitmap is {BitmapSide}×{BitmapSide} = {BitmapSide * BitmapSide} pixels, got {bitmap.Length}", nameof(bitmap));
        const int block = BitmapSide / Side;
        var image = new float[Side * Side];
        for (int row = 0; row < BitmapSide; row++)
            for (int column = 0; column < BitmapSide; column++)
                if (bitmap[row * BitmapSide + column]) image[row / block * Side + column / block] += 1f / MaximumCount;
        return image;
    }

    static (Dataset, Dataset) Load()
    {
        var all = ReadAll();
        int[] test = TestIndices(all.Labels);
        var isTest = new bool[all.Count];
        foreach (int i in test) isTest[i] = true;
        int[] train = Enumerable.Range(0, all.Count).Where(i => !isTest[i]).ToArray();
        return (all.Subset(train), all.Subset(test));
    }

    static Dataset ReadAll()
    {
        using var stream = typeof(DigitsData).Assembly.GetManifestResourceStream(Resource)
            ?? throw new BackpropException($"the digits data ({Resource}) is missing from {typeof(DigitsData).Assembly.GetName().Name}; the library was built without it — rebuild Backprop");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        const int pixels = Side * Side;
        var features = new List<float>(1797 * pixels);
        var labels = new List<int>(1797);
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != pixels + 1)
                throw new BackpropException($"the embedded digits data has a line of {cells.Length} values, not {pixels + 1}; the resource is damaged — rebuild Backprop");
            for (int p = 0; p < pixels; p++) features.Add(int.Parse(cells[p], System.Globalization.CultureInfo.InvariantCulture) / (float)MaximumCount);
            labels.Add(int.Parse(cells[pixels], System.Globalization.CultureInfo.InvariantCulture));
        }
        return new Dataset(features.ToArray(), labels.ToArray(), pixels, 10);
    }
}
