using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Serialization;
using Backprop.Training;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

public class TrainPicturesTests
{
    // The boundary picture's layout, as TrainingPictures documents it: an 800×700 image whose data area starts 70 px
    // from the left and 50 px from the top and ends 140 px from the right and 60 px from the bottom, spanning the
    // training points' range plus 5% of it on each side.
    const int Width = 800, Height = 700, Left = 70, Right = 140, Top = 50, Bottom = 60;
    const double Margin = 0.05;

    /// <summary>Points uniform in [0, 10] × [−5, 5], class 1 right of x1 = 5: a boundary any network finds.</summary>
    static (double X, double Y, int Label)[] HalfPlanes(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var points = new (double, double, int)[count];
        for (int i = 0; i < count; i++)
        {
            double x = rng.NextDouble(0, 10), y = rng.NextDouble(-5, 5);
            points[i] = (x, y, x > 5 ? 1 : 0);
        }
        return points;
    }

    static string Csv(IEnumerable<(double X, double Y, int Label)> points)
    {
        var text = new StringBuilder("x1,x2,label\n");
        foreach (var (x, y, label) in points) text.Append(CultureInfo.InvariantCulture, $"{x:R},{y:R},{label}\n");
        return text.ToString();
    }

    [Fact]
    public void Training_on_two_features_writes_curves_and_decision_regions_beside_the_model()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--epochs", "5", "--out", "xor.safetensors");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("pictures: xor.curves.png, xor.boundary.png", run.Output);
        var curves = PngImage.Read(folder.File("xor.curves.png"));
        Assert.Equal((900, 700), (curves.Width, curves.Height));
        var boundary = PngImage.Read(folder.File("xor.boundary.png"));
        Assert.Equal((Width, Height), (boundary.Width, boundary.Height));
        Assert.False(File.Exists(folder.File("xor.weights.png")));
        Assert.True(curves.DistinctColours(0, 0, curves.Width, curves.Height) > 20, "the curves picture is nearly blank");
    }

    [Fact]
    public void The_json_summary_lists_the_pictures_and_no_pictures_skips_them()
    {
        using var folder = new TempDirectory();
        var with = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--epochs", "2", "--out", "a.safetensors", "--json");
        var without = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--epochs", "2", "--out", "b.safetensors", "--json", "--no-pictures");

        Assert.True(with.ExitCode == 0, with.ToString());
        using (var summary = JsonDocument.Parse(with.OutputLines[^1]))
            Assert.Equal(["a.curves.png", "a.boundary.png"], summary.RootElement.GetProperty("pictures").EnumerateArray().Select(p => p.GetString()));
        Assert.True(without.ExitCode == 0, without.ToString());
        using (var summary = JsonDocument.Parse(without.OutputLines[^1]))
            Assert.Equal(0, summary.RootElement.GetProperty("pictures").GetArrayLength());
        Assert.True(File.Exists(folder.File("b.safetensors")));
        Assert.Empty(Directory.GetFiles(folder.Path, "b.*.png"));
        Assert.True(PngImage.HasSignature(folder.File("a.boundary.png")));
    }

    [Fact]
    public void The_decision_regions_are_coloured_by_the_class_the_network_gives_them()
    {
        using var folder = new TempDirectory();
        var points = HalfPlanes(400, seed: 7);
        File.WriteAllText(folder.File("halves.csv"), Csv(points));
        // --standardize: the network sees standardized inputs, the picture stays in the data's own units.
        var run = BackpropProcess.Run(folder.Path, "train", "--data", "csv:halves.csv", "--standardize", "--layers", "2,8,2",
            "--epochs", "30", "--out", "halves.safetensors");
        Assert.True(run.ExitCode == 0, run.ToString());

        var model = ModelFile.Load(folder.File("halves.safetensors"));
        var image = PngImage.Read(folder.File("halves.boundary.png"));
        Assert.Equal((Width, Height), (image.Width, image.Height));
        double minX = points.Min(p => p.X), maxX = points.Max(p => p.X), minY = points.Min(p => p.Y), maxY = points.Max(p => p.Y);
        double left = minX - (maxX - minX) * Margin, right = maxX + (maxX - minX) * Margin;
        double bottom = minY - (maxY - minY) * Margin, top = maxY + (maxY - minY) * Margin;
        int areaWidth = Width - Left - Right, areaHeight = Height - Top - Bottom;
        (double X, double Y) Plane(int px, int py) =>
            (left + (px + 0.5 - Left) / areaWidth * (right - left), top - (py + 0.5 - Top) / areaHeight * (top - bottom));
        int Class(int px, int py)
        {
            var (x, y) = Plane(px, py);
            float[] input = [(float)((x - model.Standardizer!.Mean[0]) / model.Standardizer.Deviation[0]),
                             (float)((y - model.Standardizer.Mean[1]) / model.Standardizer.Deviation[1])];
            return Targets.Predict<float>(model.Network.Forward(input, 1));
        }
        double pixelsPerUnit = areaWidth / (right - left);

        var colours = new Dictionary<int, HashSet<int>> { [0] = [], [1] = [] };
        var samples = new Dictionary<int, int> { [0] = 0, [1] = 0 };
        for (int py = Top + 8; py < Height - Bottom - 8; py += 9)
            for (int px = Left + 8; px < Width - Right - 8; px += 9)
            {
                int k = Class(px, py);
                // Far from the boundary (all neighbours agree) and from every marker drawn on top.
                if (Class(px - 5, py) != k || Class(px + 5, py) != k || Class(px, py - 5) != k || Class(px, py + 5) != k) continue;
                var (x, y) = Plane(px, py);
                if (points.Any(p => Math.Abs(p.X - x) * pixelsPerUnit < 8 && Math.Abs(p.Y - y) * areaHeight / (top - bottom) < 8)) continue;
                colours[k].Add(image.Rgb(px, py));
                samples[k]++;
            }

        Assert.True(samples[0] >= 20 && samples[1] >= 20, $"too few clear samples: class 0 {samples[0]}, class 1 {samples[1]}");
        Assert.True(colours[0].Count == 1, $"class 0 region has {colours[0].Count} colours: {string.Join(", ", colours[0].Select(c => c.ToString("X6")))}");
        Assert.True(colours[1].Count == 1, $"class 1 region has {colours[1].Count} colours: {string.Join(", ", colours[1].Select(c => c.ToString("X6")))}");
        Assert.NotEqual(colours[0].Single(), colours[1].Single());
    }

    [Fact]
    public void Inputs_of_784_features_get_the_first_layers_weights_as_images()
    {
        using var folder = new TempDirectory();
        var rng = new Rng(3);
        var text = new StringBuilder();
        for (int i = 0; i < 30; i++)
        {
            for (int k = 0; k < 784; k++) text.Append(CultureInfo.InvariantCulture, $"{rng.NextDouble():F3},");
            text.Append(i % 3).Append('\n');
        }
        File.WriteAllText(folder.File("pixels.csv"), text.ToString());
        var run = BackpropProcess.Run(folder.Path, "train", "--data", "csv:pixels.csv", "--layers", "784,12,3", "--epochs", "1", "--out", "pixels.safetensors");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("pictures: pixels.curves.png, pixels.weights.png", run.Output);
        var weights = PngImage.Read(folder.File("pixels.weights.png"));
        Assert.Equal((900, 960), (weights.Width, weights.Height));
        // Random weights on a diverging scale: many distinct shades, not a blank canvas.
        Assert.True(weights.DistinctColours(0, 0, weights.Width, weights.Height) > 200, "the weights picture is nearly blank");
    }
}
