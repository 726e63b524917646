using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Backprop.Tests.Cli;

namespace Backprop.Tests.Guide;

/// <summary>
/// The guide's code is the samples' code. A sample marks a region with <c>// &lt;guide:NAME&gt;</c> …
/// <c>// &lt;/guide:NAME&gt;</c>; docs/library.md and the README show it as a C# block right after a line
/// <c>&lt;!-- guide:NAME --&gt;</c>. The samples are built with the solution and run here, so a snippet that stops
/// compiling, stops running or stops giving its numbers fails the tests.
/// </summary>
public static class Guide
{
    public static readonly string Root = BackpropProcess.Root;
    public static readonly string[] Samples = ["Classify", "Regress", "CustomLoop", "Serve", "Explain"];
    public static readonly string[] Documents = ["docs/library.md", "README.md", "src/Backprop/README.md"];

    static readonly Regex Open = new(@"^\s*// <guide:([\w-]+)>\s*$"), Close = new(@"^\s*// </guide:([\w-]+)>\s*$");
    static readonly Regex Marker = new(@"^<!-- guide:([\w-]+) -->\s*$");

    /// <summary>Every region of every sample, by name, dedented; a region opened twice, left open or closed
    /// without opening fails here.</summary>
    public static Dictionary<string, (string File, string Text)> Regions()
    {
        var regions = new Dictionary<string, (string, string)>();
        foreach (var sample in Samples)
        {
            string file = Path.Combine("samples", sample, "Program.cs");
            string[] lines = File.ReadAllLines(Path.Combine(Root, file));
            string? open = null;
            int start = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                if (Open.Match(lines[i]) is { Success: true } o)
                {
                    Assert.True(open is null, $"{file}:{i + 1}: region {o.Groups[1].Value} opens inside region {open}");
                    (open, start) = (o.Groups[1].Value, i + 1);
                }
                else if (Close.Match(lines[i]) is { Success: true } c)
                {
                    Assert.True(open == c.Groups[1].Value, $"{file}:{i + 1}: closes region {c.Groups[1].Value}, but the open region is {open ?? "none"}");
                    Assert.False(regions.ContainsKey(open!), $"{file}: region {open} is defined twice (also in {(regions.TryGetValue(open!, out var r) ? r.Item1 : "")})");
                    regions[open!] = (file, Dedent(lines[start..i]));
                    open = null;
                }
            }
            Assert.True(open is null, $"{file}: region {open} is never closed");
        }
        return regions;
    }

    /// <summary>Every C# block of the documents with the region its marker names; a C# block without a marker fails
    /// here (nothing in the guide goes unchecked).</summary>
    public static List<(string Document, int Line, string Region, string Text)> Snippets()
    {
        var snippets = new List<(string, int, string, string)>();
        foreach (var document in Documents)
        {
            string[] lines = File.ReadAllLines(Path.Combine(Root, document));
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() != "```csharp") continue;
                int marker = i - 1;
                while (marker >= 0 && lines[marker].Trim().Length == 0) marker--;
                var m = marker >= 0 ? Marker.Match(lines[marker]) : Match.Empty;
                Assert.True(m.Success, $"{document}:{i + 1}: a C# block without a line <!-- guide:NAME --> before it; put its code in a sample region and name it");
                int end = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == "```");
                Assert.True(end > i, $"{document}:{i + 1}: the C# block is never closed");
                snippets.Add((document, i + 1, m.Groups[1].Value, string.Join("\n", lines[(i + 1)..end])));
                i = end;
            }
        }
        return snippets;
    }

    /// <summary>The lines of the documents' text blocks after a line <c>&lt;!-- output:SAMPLE --&gt;</c>: what the guide
    /// says <paramref name="sample"/> prints.</summary>
    public static List<(string Document, int Line, string Text)> OutputLines(string sample)
    {
        var found = new List<(string, int, string)>();
        foreach (var document in Documents)
        {
            string[] lines = File.ReadAllLines(Path.Combine(Root, document));
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                if (lines[i].Trim() != $"<!-- output:{sample} -->") continue;
                Assert.True(lines[i + 1].TrimEnd() == "```text", $"{document}:{i + 2}: an output marker must be followed by a ```text block");
                for (int j = i + 2; j < lines.Length && lines[j].TrimEnd() != "```"; j++) found.Add((document, j + 1, lines[j].TrimEnd()));
            }
        }
        return found;
    }

    /// <summary>A line with every number as #: the guide quotes one run's numbers, the tests check their bounds.</summary>
    public static string Shape(string line) => Regex.Replace(line.TrimEnd(), @"-?\d+(\.\d+)?(E[+-]?\d+)?", "#");

    static string Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }
}

public class GuideSnippetTests
{
    [Fact]
    public void Every_csharp_block_of_the_guide_is_a_region_of_a_sample_word_for_word()
    {
        var regions = Guide.Regions();
        var snippets = Guide.Snippets();
        Assert.NotEmpty(snippets);
        foreach (var (document, line, region, text) in snippets)
        {
            Assert.True(regions.TryGetValue(region, out var source), $"{document}:{line}: names region {region}, which no sample has (regions: {string.Join(", ", regions.Keys)})");
            string[] expected = source.Text.Split('\n'), actual = text.Split('\n');
            for (int i = 0; i < Math.Max(expected.Length, actual.Length); i++)
            {
                string e = i < expected.Length ? expected[i] : "(end of region)", a = i < actual.Length ? actual[i].TrimEnd() : "(end of block)";
                Assert.True(e == a, $"{document}:{line + 1 + i} differs from region {region} of {source.File}, its line {i + 1}:\n  region: {e}\n  guide:  {a}");
            }
        }
    }

    [Fact]
    public void Every_region_of_the_samples_is_shown_in_the_guide()
    {
        var shown = Guide.Snippets().Select(s => s.Region).ToHashSet();
        var unused = Guide.Regions().Where(r => !shown.Contains(r.Key)).Select(r => $"{r.Key} ({r.Value.File})").ToList();
        Assert.True(unused.Count == 0, $"regions no document shows: {string.Join(", ", unused)}");
    }

    [Fact]
    public void The_readme_and_the_guide_show_the_quick_start_and_link_each_other()
    {
        var snippets = Guide.Snippets();
        Assert.Contains(snippets, s => s.Document == "README.md" && s.Region == "quick-start");
        Assert.Contains("docs/library.md", File.ReadAllText(Path.Combine(Guide.Root, "README.md")));
    }
}

/// <summary>Runs each built sample as a user would and checks the numbers it prints.</summary>
public class GuideSampleTests
{
    static string Run(string sample)
    {
        // The samples are built with the solution, in the tests' own configuration (bin/Release/net10.0 → Release).
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(Guide.Root, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the tests (dotnet build -c {configuration} tests/Backprop.Tests), which builds the samples");
        // In a folder of its own holding the sample's data files, as `dotnet run` in the sample's folder has them.
        string work = Directory.CreateTempSubdirectory("backprop-guide-").FullName;
        try
        {
            foreach (var csv in Directory.GetFiles(Path.Combine(Guide.Root, "samples", sample), "*.csv"))
                File.Copy(csv, Path.Combine(work, Path.GetFileName(csv)));
            var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{sample} ran for more than 3 minutes");
            Assert.True(process.ExitCode == 0, $"{sample} exited with {process.ExitCode}\nstdout:\n{output}\nstderr:\n{error.Result}");
            output = output.Replace("\r", "");
            // Every output line the guide quotes for this sample is printed (numbers aside, whose bounds are checked below).
            var printed = output.Split('\n').Select(Guide.Shape).ToHashSet();
            foreach (var (document, line, text) in Guide.OutputLines(sample))
                Assert.True(printed.Contains(Guide.Shape(text)), $"{document}:{line}: {sample} prints no line like \"{text}\"; it printed:\n{output}");
            return output;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    static double Number(string output, string pattern)
    {
        var m = Regex.Match(output, pattern);
        Assert.True(m.Success, $"no line matches {pattern} in:\n{output}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Classify_learns_iris_and_the_circle_gives_probabilities_and_loads_what_it_saved()
    {
        string output = Run("Classify");
        // Iris is almost linearly separable: a standardised network must pass 90 % on the 45 held-out flowers.
        Assert.True(Number(output, @"^test accuracy ([\d.]+) %", RegexOptions.Multiline) >= 90, output);
        Assert.Contains("predicted virginica\n", output);           // 6.3, 2.9, 5.6, 1.8 is a virginica of the file
        var probabilities = Regex.Matches(output, @"P\((\w+)\) = ([\d.]+)").Select(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, probabilities.Count);
        Assert.InRange(probabilities.Sum(), 0.997, 1.003);           // softmax: they sum to 1 (each printed to 3 decimals)
        Assert.Contains("loaded model gives the same probabilities: True", output);
        // Keras's rule: the run stops once `patience` (20) epochs have not improved on the best.
        var stop = Regex.Match(output, @"stopped after epoch (\d+), kept epoch (\d+)");
        Assert.True(stop.Success, output);
        Assert.Equal(int.Parse(stop.Groups[2].Value) + 20, int.Parse(stop.Groups[1].Value));
        Assert.True(Number(output, @"early-stopped model: test accuracy ([\d.]+) %") >= 90, output);
        Assert.True(Number(output, @"circle: test accuracy ([\d.]+) %") >= 90, output);
        Assert.Contains("(0, 0) is inside, (1.5, 1.5) is outside", output);
    }

    [Fact]
    public void Regress_fits_the_diabetes_table_and_recovers_a_plane()
    {
        string output = Run("Regress");
        // Linear regression reaches R² ≈ 0.5 on this table; a small standardised network must explain a third.
        Assert.True(Number(output, @"diabetes: test R² (-?[\d.]+)") >= 0.3, output);
        Assert.True(Number(output, @"predicted progression (\d+)") is > 25 and < 346, output);  // within the targets' range
        Assert.True(Number(output, @"plane: test R² (-?[\d.]+)") >= 0.99, output);
        Assert.InRange(Number(output, @"f\(0.5, -0.5\) = (-?[\d.]+)"), 3.4, 3.6);  // 3·0.5 − 2·(−0.5) + 1
    }

    [Fact]
    public void CustomLoop_follows_its_own_schedule_and_learns_the_moons()
    {
        string output = Run("CustomLoop");
        // η after epoch 10 is the 10th epoch's: 0.01 (1 + cos(9π/40)) / 2 = 0.0088020.
        Assert.Equal(0.01 * (1 + Math.Cos(Math.PI * 9 / 40)) / 2, Number(output, @"epoch 10: η ([\d.]+)"), 5);
        Assert.True(Number(output, @"moons: test accuracy ([\d.]+) %") >= 95, output);
        // torch's schedules from η₀ = 0.01, epoch t = 1 … 5: StepLR(2, 0.5), ExponentialLR(0.9), CosineAnnealingLR(5),
        // LinearLR(1/3, 3), and ReduceLROnPlateau(patience 1, 0.5) after costs 1, 0.8, 0.8, 0.8.
        double[][] expected =
        [
            [0.01, 0.01, 0.005, 0.005, 0.0025],
            [.. Enumerable.Range(0, 5).Select(t => 0.01 * Math.Pow(0.9, t))],
            [.. Enumerable.Range(0, 5).Select(t => 0.01 * (1 + Math.Cos(Math.PI * t / 5)) / 2)],
            [.. Enumerable.Range(0, 5).Select(t => 0.01 * Math.Min(1, 1.0 / 3 + t * (2.0 / 3) / 3))],
            [0.01, 0.01, 0.01, 0.01, 0.005],
        ];
        var rates = Regex.Matches(output, @"η of epochs 1 to 5 = (.+)$", RegexOptions.Multiline);
        Assert.Equal(expected.Length, rates.Count);
        for (int s = 0; s < expected.Length; s++)
        {
            var printed = rates[s].Groups[1].Value.Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            for (int t = 0; t < 5; t++) Assert.Equal(expected[s][t], printed[t], 5);
        }
        var step = Regex.Match(output, @"cost ([\d.E+-]+) before it, ([\d.E+-]+) after");
        Assert.True(step.Success, output);
        Assert.True(double.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture) < double.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture), output);
    }

    [Fact]
    public void Serve_gives_every_thread_the_answers_of_one_batch()
    {
        string output = Run("Serve");
        Assert.Contains("same answers as one batch: True", output);
        Assert.True(Number(output, @"accuracy on the requests ([\d.]+) %") >= 95, output);
    }

    [Fact]
    public void Explain_derivatives_equal_finite_differences_and_the_sum_over_paths()
    {
        string output = Run("Explain");
        // The chain by hand: z¹ = 0.8·1.5, a¹ = σ(z¹), z² = −0.4·a¹, a² = σ(z²), C = (a² − 0.5)².
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        double a1 = Sigmoid(0.8 * 1.5), a2 = Sigmoid(-0.4 * a1);
        Assert.Contains(FormattableString.Invariant($"layer 1: z = 1.2000, a = {a1:F4}"), output);
        Assert.Contains(FormattableString.Invariant($"layer 2: z = {-0.4 * a1:F4}, a = {a2:F4}"), output);
        Assert.Equal((a2 - 0.5) * (a2 - 0.5), Number(output, @"^C = ([\d.]+)", RegexOptions.Multiline), 6);
        var layers = Regex.Matches(output, @"∂C/∂w = (-?[\d.]+) \(finite differences: (-?[\d.]+)\)");
        Assert.Equal(2, layers.Count);
        foreach (Match m in layers) Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);   // equal to 6 decimals
        double before = Number(output, @"^C = ([\d.]+)", RegexOptions.Multiline), after = Number(output, @"with η = 1: C = ([\d.]+)");
        Assert.True(after < before, output);
        var w = Regex.Match(output, @"∂C/∂w = (-?[\d.]+), sum over (\d+) paths = (-?[\d.]+)");
        Assert.True(w.Success, output);
        Assert.Equal(w.Groups[1].Value, w.Groups[3].Value);
        Assert.Equal("2", w.Groups[2].Value);   // W¹[2,0] reaches the 2 outputs through neuron 2 alone
    }

    static double Number(string output, string pattern, RegexOptions options)
    {
        var m = Regex.Match(output, pattern, options);
        Assert.True(m.Success, $"no line matches {pattern} in:\n{output}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
