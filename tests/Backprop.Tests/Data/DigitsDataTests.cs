using System.Globalization;
using System.IO.Compression;
using Backprop.Data;
using Backprop.Tests.Cli;

namespace Backprop.Tests.Data;

/// <summary>The embedded UCI digits against scikit-learn's file itself, read here independently.</summary>
public class DigitsDataTests
{
    const string Sklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

    /// <summary>Every line of scikit-learn's digits.csv.gz as 65 integers (Debian's python3-sklearn, which the test machine has).</summary>
    static int[][] SklearnRows()
    {
        Assert.True(File.Exists(Sklearn), $"{Sklearn} is missing: apt-get install python3-sklearn");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Sklearn), CompressionMode.Decompress));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
    }

    [Fact]
    public void All_digits_are_scikit_learns_file_with_pixels_divided_by_16()
    {
        var all = DigitsData.All();
        Assert.Equal((1797, 64, 10), (all.Count, all.FeatureCount, all.ClassCount));
        var rows = SklearnRows();
        Assert.Equal(rows.Length, all.Count);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(rows[i][64], all.Labels[i]);
            for (int p = 0; p < 64; p++)
                Assert.True(rows[i][p] / 16f == all.Features[i * 64 + p], $"example {i} pixel {p}: file {rows[i][p]}/16, data {all.Features[i * 64 + p]}");
        }
    }

    [Fact]
    public void The_split_holds_out_a_fifth_of_every_class_and_covers_every_digit_once()
    {
        var all = DigitsData.All();
        var train = DigitsData.Train;
        var test = DigitsData.Test;
        Assert.Equal((1438, 359), (train.Count, test.Count));
        for (int c = 0; c < 10; c++)
        {
            int total = all.Labels.Count(l => l == c), held = test.Labels.Count(l => l == c);
            Assert.True(held == (int)Math.Round(total * 0.2, MidpointRounding.AwayFromZero), $"class {c}: {held} of {total} in the test part");
            Assert.Equal(total - held, train.Labels.Count(l => l == c));
        }
        // Every example once, in one part or the other: compare the multisets of rows.
        static string Row(Dataset d, int i) => string.Join(",", d.Example(i).ToArray()) + ":" + d.Labels[i];
        var parts = Enumerable.Range(0, train.Count).Select(i => Row(train, i)).Concat(Enumerable.Range(0, test.Count).Select(i => Row(test, i))).Order();
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => Row(all, i)).Order(), parts);
    }

    [Fact]
    public void The_split_is_fixed_whatever_the_runs_seed()
    {
        var a = DataSource.Test("digits", new DataOptions(Seed: 1))!;
        var b = DataSource.Test("DIGITS", new DataOptions(Seed: 7))!;
        Assert.Equal(a.Features, b.Features);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(DigitsData.TestIndices(DigitsData.All().Labels), DigitsData.TestIndices(DigitsData.All().Labels));
        Assert.Empty(DataSource.Files("digits", new DataOptions()));
    }

    [Fact]
    public void A_test_fraction_for_the_digits_is_refused_because_the_split_is_fixed()
    {
        Expect.Failure(() => DataSource.Train("digits", new DataOptions(TestFraction: 0.3)), "digits has its own fixed train and test parts");
    }
}

/// <summary>The issue's figure: 64,16,10 with Adam η = 0.01, batches of 32, 30 epochs, in the CLI.</summary>
public class DigitsTrainingTests
{
    [Fact]
    public void The_cli_reaches_94_percent_test_accuracy_on_the_digits_in_30_epochs()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "train", "--data", "digits", "--layers", "64,16,10", "--optimizer", "adam", "--lr", "0.01",
            "--batch", "32", "--epochs", "30", "--seed", "1", "--out", "digits.safetensors");
        Assert.True(run.ExitCode == 0, run.ToString());
        var accuracy = System.Text.RegularExpressions.Regex.Match(run.Output, @"test accuracy (\d+\.\d+)%");
        Assert.True(accuracy.Success, run.Output);
        double percent = double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(percent >= 94, $"test accuracy {percent}% after 30 epochs, expected at least 94%");
        Assert.Contains("pictures: digits.curves.png, digits.weights.png", run.Output);

        // explain draws the 8×8 example and names its label and the predicted class.
        var explain = BackpropProcess.Run(folder.Path, "explain", "--model", "digits.safetensors", "--data", "digits", "--weight", "1:0:20", "--example", "5");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("example 5 of digits (test part): label 1,", explain.Output);
        Assert.Contains("the input as a 8×8 picture", explain.Output);
        Assert.Contains("the network predicts", explain.Output);
    }
}
