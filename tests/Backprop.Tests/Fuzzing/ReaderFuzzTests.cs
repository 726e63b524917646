using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Backprop.Tests.Fuzzing;

/// <summary>
/// A bounded mutation fuzzer over every reader, run with the tests: for a few seconds per entry point it mutates
/// valid files (<see cref="SeedCorpus"/> plus the saved regression inputs) and requires each outcome to be a
/// successful read or the project's own one-line error, within the allocation allowance and the hang guard of
/// <see cref="FuzzTargets"/>. The input sequence is seeded, so a failure names the seed and the input number and
/// saves the input for <c>corpus/FORMAT/</c>. <c>BACKPROP_FUZZ_SECONDS</c> and <c>BACKPROP_FUZZ_SEED</c> fuzz
/// longer or elsewhere.
/// </summary>
public partial class ReaderFuzzTests(ITestOutputHelper output)
{
    const ulong DefaultSeed = 20251126;
    static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(4);
    const int MaxExecutions = 1_000_000;
    const int MaxViolations = 5;

    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_mutated_input_is_read_or_refused_with_a_one_line_message(string targetName)
    {
        var target = FuzzTargets.Named(targetName);
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("BACKPROP_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var budget = double.TryParse(Environment.GetEnvironmentVariable("BACKPROP_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds) : DefaultBudget;
        // Small saved inputs join the seeds; the 100 kB ones would only slow the loop down.
        var seeds = SeedCorpus.For(target.Format)
            .Concat(RegressionCorpus.Files(target.Format).Where(f => new FileInfo(f).Length <= 4096).Select(File.ReadAllBytes)).ToList();

        using var directory = new FuzzDirectory();
        var run = new FuzzRun(target, new Mutator(seed ^ (ulong)StableHash(target.Name), target.Format, seeds), directory.Path, budget);
        var worker = new Thread(run.Loop, maxStackSize: 16 << 20) { IsBackground = true, Name = "fuzz " + target.Name };
        worker.Start();
        // The per-input hang guard cannot interrupt a read that never returns; this join can.
        if (!worker.Join(budget + TimeSpan.FromSeconds(60)))
        {
            string saved = SaveFinding(target, seed, run.Executions, File.ReadAllBytes(run.CurrentPath));
            Assert.Fail($"{target}: input {run.Executions} (seed {seed}) has not returned after {budget.TotalSeconds + 60} s: a hang; saved to {saved}");
        }

        output.WriteLine($"{target}: {run.Executions} executions in {run.Elapsed.TotalSeconds:F1} s (seed {seed}): " +
            $"{run.Successes} read, {run.Executions - run.Successes - run.Violations.Count} refused with {run.MessageShapes.Count} different messages, {run.Violations.Count} violations");
        output.WriteLine($"  largest allocation {run.LargestAllocation} bytes ({run.LargestAllocationShare:P1} of its allowance); slowest read {run.Slowest.TotalMilliseconds:F1} ms");
        foreach (var shape in run.MessageShapes.OrderByDescending(p => p.Value).Take(8))
            output.WriteLine($"  {shape.Value,7} × {shape.Key}");

        var failures = run.Violations.Select(v => $"input {v.Index}: {v.Violation}; saved to {SaveFinding(target, seed, v.Index, v.Input)}").ToList();
        Assert.True(failures.Count == 0, $"{target} (seed {seed}):\n" + string.Join("\n", failures));
        // Both outcomes must occur, or the mutations are too weak (all refused) or too timid (all read).
        Assert.True(run.Successes > 0, $"{target}: none of {run.Executions} inputs was read successfully");
        Assert.True(run.Executions - run.Successes > 0, $"{target}: all {run.Executions} inputs were read successfully");
        Assert.True(run.Executions >= 100, $"{target}: only {run.Executions} executions in {budget.TotalSeconds} s");
    }

    sealed class FuzzRun(FuzzTarget target, Mutator mutator, string directory, TimeSpan budget)
    {
        public int Executions;
        public int Successes;
        public long LargestAllocation;
        public double LargestAllocationShare;
        public TimeSpan Slowest;
        public TimeSpan Elapsed;
        public readonly List<(int Index, string Violation, byte[] Input)> Violations = [];
        public readonly Dictionary<string, int> MessageShapes = [];
        public string CurrentPath = Path.Combine(directory, "none");

        public void Loop()
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < budget && Executions < MaxExecutions && Violations.Count < MaxViolations)
            {
                var input = mutator.Mutate();
                CurrentPath = Path.Combine(directory, FuzzTargets.FileName(target.Format, input));
                var outcome = FuzzTargets.Run(target, input, CurrentPath);
                Executions++;
                if (outcome.Violation is not null) Violations.Add((Executions, outcome.Violation, input));
                else if (outcome.Succeeded) Successes++;
                else
                {
                    string shape = Shape(outcome.Message!, CurrentPath);
                    MessageShapes[shape] = MessageShapes.GetValueOrDefault(shape) + 1;
                }
                if (outcome.AllocatedBytes > LargestAllocation) LargestAllocation = outcome.AllocatedBytes;
                LargestAllocationShare = Math.Max(LargestAllocationShare, (double)outcome.AllocatedBytes / outcome.AllowedBytes);
                if (outcome.Elapsed > Slowest) Slowest = outcome.Elapsed;
            }
            Elapsed = clock.Elapsed;
        }
    }

    /// <summary>A message with the file name, numbers and quoted parts blanked: which check refused the input.</summary>
    static string Shape(string message, string path)
    {
        string text = message[(path.Length + 2)..];
        text = Quoted().Replace(text, "'…'");
        text = Numbers().Replace(text, "N");
        return text.Length > 110 ? text[..110] + "…" : text;
    }

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("-?[0-9]+")]
    private static partial Regex Numbers();

    static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    static string SaveFinding(FuzzTarget target, ulong seed, int index, byte[] input)
    {
        string folder = Path.Combine(Path.GetTempPath(), "backprop-fuzz-findings", target.Format);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{target.Name}-seed{seed}-input{index}.bin");
        File.WriteAllBytes(path, input);
        return path + " (move it to tests/Backprop.Tests/Fuzzing/corpus/" + target.Format + "/ once fixed)";
    }
}

/// <summary>A fresh folder for the input files, in memory (/dev/shm) where there is one: thousands of tiny writes.</summary>
sealed class FuzzDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath(),
        "backprop-fuzz-" + Guid.NewGuid().ToString("N"));

    public FuzzDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The saved inputs under <c>Fuzzing/corpus/FORMAT/</c>, copied beside the test binaries.</summary>
static class RegressionCorpus
{
    public static string Folder(string format) => Path.Combine(AppContext.BaseDirectory, "Fuzzing", "corpus", format);

    public static IEnumerable<string> Files(string format) =>
        Directory.Exists(Folder(format)) ? Directory.EnumerateFiles(Folder(format)).Order(StringComparer.Ordinal) : [];
}
