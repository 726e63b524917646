using System.Diagnostics;
using System.Text;
using Backprop.Tests.Data;
using Xunit.Abstractions;

namespace Backprop.Tests.Cli;

/// <summary>
/// The real thing: `backprop train` as a child process, killed with SIGKILL (Process.Kill on Linux) mid-epoch
/// and mid-checkpoint-write, interrupted with SIGINT and SIGTERM, its newest checkpoint damaged — and every time
/// `backprop train --resume` must end with a model file byte-identical to the run left alone.
/// </summary>
public class KillAndResumeTests(KillAndResumeTests.UninterruptedRun uninterrupted, ITestOutputHelper log)
    : IClassFixture<KillAndResumeTests.UninterruptedRun>
{
    // 800 moons examples (1000 less the 0.2 held out) in batches of 8: 100 batches an epoch, checkpoints after
    // batches 20, 40, 60, 80 and at every epoch's end; about 0.5 s of training for 24 epochs after a 0.4 s start
    // (measured with the CLI's loops compiled optimised at first call). Kills and signals do not race that half
    // second: the child holds after a chosen checkpoint (BACKPROP_TEST_HOLD_AFTER_CHECKPOINT) until it is killed
    // or signalled, so the tests hold however loaded the machine is.
    static readonly string[] Training = ["train", "--data", "moons", "--layers", "2,48,48,2", "--batch", "8", "--epochs", "24", "--seed", "5", "--validation-split", "0.2", "--standardize"];
    const string Every = "20";

    static string[] Fresh(params string[] more) => [.. Training, "--checkpoint-dir", "checkpoints", "--checkpoint-every", Every, .. more];
    static readonly string[] Resume = ["train", "--resume", "checkpoints"];

    /// <summary>The model file of the same run, never interrupted and never checkpointed.</summary>
    public sealed class UninterruptedRun : IDisposable
    {
        readonly TempDirectory folder = new();
        public UninterruptedRun()
        {
            var result = BackpropProcess.Run(folder.Path, [.. Training, "--out", "model.safetensors"]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Model = File.ReadAllBytes(folder.File("model.safetensors"));
        }
        public byte[] Model { get; }
        public void Dispose() => folder.Dispose();
    }

    void AssertIdenticalToUninterrupted(string model)
    {
        var bytes = File.ReadAllBytes(model);
        int first = Enumerable.Range(0, Math.Min(bytes.Length, uninterrupted.Model.Length)).FirstOrDefault(i => bytes[i] != uninterrupted.Model[i], -1);
        Assert.True(bytes.Length == uninterrupted.Model.Length && first < 0,
            $"{model}: {bytes.Length} bytes, uninterrupted {uninterrupted.Model.Length}; first difference at byte {first}");
        log.WriteLine($"final model: {bytes.Length} bytes, byte-identical to the uninterrupted run's");
    }

    static string[] Checkpoints(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "checkpoint-*.safetensors").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray() : [];

    static string? Newest(string folder) => Checkpoints(folder).LastOrDefault();

    [Fact]
    public void Killed_three_times_mid_epoch_and_resumed_the_run_ends_with_the_same_model_file()
    {
        using var folder = new TempDirectory();
        var checkpoints = folder.File("checkpoints");
        var rng = new Rng(2024);
        string hold = folder.File("hold");
        for (int kill = 1; kill <= 3; kill++)
        {
            // Early, middle and late in the run, at a checkpoint mid-epoch (after batch 20, 40, 60 or 80) or at an
            // epoch's end, where the child holds until the kill; the last kill leaves 5 epochs to go.
            int target = 6 * (kill - 1) + 1 + rng.NextInt(6), batch = 20 * rng.NextInt(5);
            string at = Backprop.Training.Checkpoint.FileNameFor(target, batch);
            File.WriteAllText(hold, at);
            using var child = Child.Start(folder.Path, Holding(hold), kill == 1 ? Fresh() : Resume);
            child.WaitUntil(() => string.CompareOrdinal(Newest(checkpoints), at) >= 0, $"writes {at}");
            var atKill = Newest(checkpoints);
            child.Kill();
            log.WriteLine($"kill {kill}: SIGKILL while holding after {atKill} (asked for {at}); {child.ResumedFrom ?? "fresh start"}");
        }
        var final = BackpropProcess.Run(folder.Path, Resume);
        Assert.True(final.ExitCode == 0, final.ToString());
        log.WriteLine($"final run: {final.OutputLines.First(l => l.StartsWith("resuming from", StringComparison.Ordinal))}");
        AssertIdenticalToUninterrupted(folder.File("model.safetensors"));
    }

    /// <summary>The environment that makes the child hold after the checkpoint named in <paramref name="file"/>.</summary>
    static Dictionary<string, string?> Holding(string file) => new() { ["BACKPROP_TEST_HOLD_AFTER_CHECKPOINT"] = file };

    [Fact]
    public void Killed_while_writing_a_checkpoint_the_torn_file_is_ignored_and_the_resumed_run_ends_the_same()
    {
        using var folder = new TempDirectory();
        var checkpoints = folder.File("checkpoints");
        // Each process writes one checkpoint whole, then stops halfway through its next until killed.
        var pause = new Dictionary<string, string?> { ["BACKPROP_TEST_PAUSE_IN_CHECKPOINT_WRITE"] = "after-first" };
        for (int kill = 1; kill <= 2; kill++)
        {
            var stale = Temporaries(checkpoints);
            using var child = Child.Start(folder.Path, pause, kill == 1 ? Fresh() : Resume);
            var complete = Newest(checkpoints);
            // A new temporary file with bytes in it, after one complete checkpoint from this process: the writer has
            // written half and waits for the kill.
            string? torn = null;
            child.WaitUntil(() => Newest(checkpoints) != complete && (torn = Temporaries(checkpoints).FirstOrDefault(f => !stale.Contains(f) && new FileInfo(f).Length > 0)) != null,
                "pauses halfway through a checkpoint write");
            child.Kill();
            Assert.True(File.Exists(torn), $"{torn} was renamed before the kill landed");
            var tornLength = new FileInfo(torn!).Length;
            var fullLength = new FileInfo(Path.Combine(checkpoints, Newest(checkpoints)!)).Length;
            Assert.True(tornLength < fullLength, $"the temporary file has {tornLength} bytes, a complete checkpoint {fullLength}");
            log.WriteLine($"kill {kill}: SIGKILL during the write of {Path.GetFileName(torn)} ({tornLength} of about {fullLength} bytes written); newest complete {Newest(checkpoints)}; {child.ResumedFrom ?? "fresh start"}");
        }
        var final = BackpropProcess.Run(folder.Path, Resume);
        Assert.True(final.ExitCode == 0, final.ToString());
        Assert.Empty(Temporaries(checkpoints));
        AssertIdenticalToUninterrupted(folder.File("model.safetensors"));
    }

    static string[] Temporaries(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, ".checkpoint-*.tmp-*") : [];

    [Fact]
    public void A_damaged_newest_checkpoint_is_reported_and_the_one_before_it_gives_the_same_model_file()
    {
        using var folder = new TempDirectory();
        var checkpointed = BackpropProcess.Run(folder.Path, Fresh("--out", "checkpointed.safetensors"));
        Assert.True(checkpointed.ExitCode == 0, checkpointed.ToString());
        // Checkpointing itself must not change the run.
        AssertIdenticalToUninterrupted(folder.File("checkpointed.safetensors"));

        var newest = folder.File("checkpoints/checkpoint-000024-00000000.safetensors");
        Assert.Equal(["checkpoint-000023-00000060.safetensors", "checkpoint-000023-00000080.safetensors", "checkpoint-000024-00000000.safetensors"], Checkpoints(folder.File("checkpoints")));
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length - 100] ^= 0x04;
        File.WriteAllBytes(newest, bytes);

        var resumed = BackpropProcess.Run(folder.Path, [.. Resume, "--out", "resumed.safetensors"]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(["warning: checkpoint-000024-00000000.safetensors is corrupt (checksum mismatch); resuming from checkpoint-000023-00000080.safetensors"], resumed.ErrorLines);
        AssertIdenticalToUninterrupted(folder.File("resumed.safetensors"));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public void An_interrupt_stops_after_a_batch_writes_a_checkpoint_and_says_how_to_resume(string signal)
    {
        using var folder = new TempDirectory();
        var checkpoints = folder.File("checkpoints");
        // The child holds after its first checkpoint until the signal has arrived: no race with the run's end.
        File.WriteAllText(folder.File("hold"), "checkpoint-");
        using (var child = Child.Start(folder.Path, Holding(folder.File("hold")), Fresh()))
        {
            child.WaitUntil(() => Newest(checkpoints) != null, "writes a checkpoint");
            using (var kill = Process.Start("kill", [$"-{signal}", child.Id.ToString()])) kill.WaitForExit();
            Assert.True(child.WaitForExit() == 130, child.ToString());
            var lines = child.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 2, child.ToString());
            Assert.StartsWith($"interrupted; saved {checkpoints}{Path.DirectorySeparatorChar}checkpoint-", lines[0]);
            Assert.True(File.Exists(lines[0]["interrupted; saved ".Length..]), lines[0]);
            Assert.Equal($"resume with: backprop train --resume {checkpoints}", lines[1]);
            log.WriteLine($"SIG{signal}: exit 130, {lines[0]}");
        }
        Assert.False(File.Exists(folder.File("model.safetensors")), "an interrupted run wrote the model");

        var resumed = BackpropProcess.Run(folder.Path, Resume);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        AssertIdenticalToUninterrupted(folder.File("model.safetensors"));
    }

    [Theory]
    [InlineData("--lr", "0.1")]
    [InlineData("--epochs", "5")]
    [InlineData("--seed", "2")]
    [InlineData("--data", "xor")]
    [InlineData("--no-shuffle", null)]
    [InlineData("--checkpoint-dir", "elsewhere")]
    public void A_training_flag_beside_resume_is_refused_by_name(string flag, string? value)
    {
        using var folder = new TempDirectory();
        var result = BackpropProcess.Run(folder.Path, value is null ? [.. Resume, flag] : [.. Resume, flag, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"error: {flag} cannot be given with --resume: a resumed run takes its settings from the checkpoint (only --out, --json and --checkpoint-every may change); drop {flag}"], result.ErrorLines);
    }

    [Fact]
    public void Resuming_without_a_checkpoint_and_starting_over_an_old_run_are_refused_with_the_fix()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("checkpoints"));
        var nothing = BackpropProcess.Run(folder.Path, Resume);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Equal([$"error: {folder.File("checkpoints")} holds no checkpoint (checkpoint-*.safetensors); start the run with --checkpoint-dir {folder.File("checkpoints")} instead"], nothing.ErrorLines);

        File.WriteAllBytes(folder.File("checkpoints/checkpoint-000001-00000000.safetensors"), []);
        var over = BackpropProcess.Run(folder.Path, Fresh());
        Assert.Equal(2, over.ExitCode);
        Assert.Equal(["error: --checkpoint-dir checkpoints already holds checkpoints; continue that run with `backprop train --resume checkpoints`, or give an empty folder"], over.ErrorLines);

        var nowhere = BackpropProcess.Run(folder.Path, [.. Training, "--checkpoint-every", "5"]);
        Assert.Equal(2, nowhere.ExitCode);
        Assert.Equal(["error: --checkpoint-every 5 needs --checkpoint-dir DIR to say where the checkpoints go"], nowhere.ErrorLines);
    }

    /// <summary>`backprop` as a child process that a test can kill; its output is collected as it comes.</summary>
    sealed class Child : IDisposable
    {
        // The CLI built in the tests' own configuration: tests/Backprop.Tests/bin/CONFIGURATION/net10.0/.
        static readonly string Executable = Path.Combine(BackpropProcess.Root, "src", "Backprop.Cli", "bin",
            new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "backprop.dll");
        static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

        readonly Process process;
        readonly StringBuilder output = new(), error = new();
        readonly string command;

        Child(Process process, string command)
        {
            this.process = process;
            this.command = command;
        }

        public static Child Start(string workingDirectory, IDictionary<string, string?>? environment, string[] args)
        {
            // Through env, which execs dotnet in its own process (the same id): a shell without job control starts
            // its background jobs with SIGINT ignored, a child inherits that, and .NET leaves an ignored SIGINT
            // ignored, so `dotnet test &` would otherwise wait forever for the interrupt test's child.
            var start = new ProcessStartInfo("env") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
            start.ArgumentList.Add(Executable);
            foreach (var a in args) start.ArgumentList.Add(a);
            if (environment != null) foreach (var (k, v) in environment) start.Environment[k] = v;
            var child = new Child(Process.Start(start)!, "backprop " + string.Join(' ', args));
            child.process.OutputDataReceived += (_, e) => { lock (child.output) child.output.AppendLine(e.Data); };
            child.process.ErrorDataReceived += (_, e) => { lock (child.error) child.error.AppendLine(e.Data); };
            child.process.BeginOutputReadLine();
            child.process.BeginErrorReadLine();
            child.process.StandardInput.Close();
            return child;
        }

        public int Id => process.Id;
        public string Output { get { lock (output) return output.ToString(); } }
        public string Error { get { lock (error) return error.ToString(); } }
        public string? ResumedFrom => Output.Split('\n').FirstOrDefault(l => l.StartsWith("resuming from", StringComparison.Ordinal))?.Trim();

        /// <summary>Polls until <paramref name="condition"/> holds; fails if the process ends first: the run was too short to test.</summary>
        public void WaitUntil(Func<bool> condition, string what)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (process.HasExited) Assert.Fail($"{command} ended before it {what}:\n{this}");
                if (clock.Elapsed > Patience) Assert.Fail($"{command} did not {what} in {Patience.TotalMinutes} minutes:\n{this}");
                Thread.Sleep(5);
            }
        }

        /// <summary>SIGKILL, as `kill -9`: no handler runs, no file is closed.</summary>
        public void Kill()
        {
            Assert.False(process.HasExited, $"{command} finished before it could be killed; make the run longer:\n{this}");
            process.Kill();
            Assert.True(WaitForExit() == 137, $"{command} was not killed by SIGKILL:\n{this}");
        }

        public int WaitForExit()
        {
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{command} did not end in {Patience.TotalMinutes} minutes:\n{this}");
            }
            process.WaitForExit(); // drains the redirected output
            return process.ExitCode;
        }

        public override string ToString() => $"{command}\nexit {(process.HasExited ? process.ExitCode.ToString() : "(running)")}\nstdout:\n{Output}\nstderr:\n{Error}";

        public void Dispose()
        {
            if (!process.HasExited) process.Kill();
            process.Dispose();
        }
    }
}
