using System.Globalization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>
/// `train --checkpoint-dir` and `train --resume`: when to write checkpoints, and how a run's flags travel in them
/// so that `--resume DIR` alone rebuilds the same run. The flags are stored as given (not resolved), as
/// <c>run.{flag}</c> entries, with paths made absolute so a run can be resumed from any folder.
/// </summary>
internal sealed class Checkpointing
{
    /// <summary>Test-only: milliseconds to pause halfway through writing each checkpoint, so a test can kill the process
    /// mid-write; or <c>after-first</c>: write this process's first checkpoint whole, then stop halfway through the
    /// next until killed (no race with the pause's end, however slow the machine).</summary>
    public const string PauseVariable = "BACKPROP_TEST_PAUSE_IN_CHECKPOINT_WRITE";

    readonly bool stopInSecondWrite;

    /// <summary>
    /// Test-only: a file holding a checkpoint name; after writing a checkpoint whose name sorts at or after it, the
    /// run holds (between batches) while the file exists and no SIGINT/SIGTERM has come — so a test can signal or
    /// kill it at a known point however slowly the machine runs.
    /// </summary>
    public const string HoldVariable = "BACKPROP_TEST_HOLD_AFTER_CHECKPOINT";

    /// <summary>Flags that may accompany --resume: they change where the model goes and how the run reports, never what it computes.</summary>
    static readonly string[] AllowedWithResume = ["--resume", "--out", "--json", "--checkpoint-every"];

    readonly CheckpointStore store;
    readonly int every;
    readonly IReadOnlyDictionary<string, string> run;

    Checkpointing(CheckpointStore store, int every, IReadOnlyDictionary<string, string> run)
    {
        this.store = store;
        if (int.TryParse(Environment.GetEnvironmentVariable(PauseVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int milliseconds))
            store.PauseInWrite = TimeSpan.FromMilliseconds(milliseconds);
        stopInSecondWrite = Environment.GetEnvironmentVariable(PauseVariable) == "after-first";
        this.every = every;
        this.run = run;
    }

    public string Directory => store.Directory;

    /// <summary>For a new run: null without --checkpoint-dir; refuses a folder that already holds a run's checkpoints.</summary>
    public static Checkpointing? Start(TrainCommand.Settings s)
    {
        CheckEvery(s.CheckpointEvery);
        if (s.CheckpointDirectory is null)
        {
            if (s.CheckpointEvery > 0)
                throw new BackpropException($"--checkpoint-every {s.CheckpointEvery} needs --checkpoint-dir DIR to say where the checkpoints go");
            return null;
        }
        var directory = Path.GetFullPath(s.CheckpointDirectory);
        if (File.Exists(directory))
            throw new BackpropException($"--checkpoint-dir {s.CheckpointDirectory} is a file; give a folder (it is created if missing)");
        var checkpointing = new Checkpointing(new CheckpointStore(directory), s.CheckpointEvery, RunOf(s));
        // Locked before looking: two runs started together on an empty folder must not both find it empty.
        checkpointing.store.Lock();
        if (checkpointing.store.List().Count > 0)
            throw new BackpropException($"--checkpoint-dir {s.CheckpointDirectory} already holds checkpoints; continue that run with `backprop train --resume {s.CheckpointDirectory}`, or give an empty folder");
        return checkpointing;
    }

    static void CheckEvery(int every)
    {
        if (every < 0) throw new BackpropException($"--checkpoint-every must be 0 (only at epoch ends) or a number of batches, got {every}");
    }

    /// <summary>A run rebuilt from its newest valid checkpoint: its settings, the checkpoint, and where to keep checkpointing.</summary>
    public sealed record Resumption(TrainCommand.Settings Settings, LoadedCheckpoint Loaded, Checkpointing Checkpointing);

    /// <summary>
    /// For `--resume DIR`: refuses any flag that would change the computation, loads the newest checkpoint that
    /// verifies (warning on stderr about each damaged one passed over), and rebuilds the run's settings from it.
    /// </summary>
    public static Resumption Resume(CommandContext context, TrainCommand.Settings given)
    {
        var flags = context.Arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0]).ToList();
        foreach (var flag in flags)
            if (!AllowedWithResume.Contains(flag))
                throw new BackpropException($"{flag} cannot be given with --resume: a resumed run takes its settings from the checkpoint (only --out, --json and --checkpoint-every may change); drop {flag}");
        CheckEvery(given.CheckpointEvery);

        var directory = Path.GetFullPath(given.Resume!);
        var store = new CheckpointStore(directory);
        if (System.IO.Directory.Exists(directory)) store.Lock();
        var loaded = store.LoadNewest();
        foreach (var skipped in loaded.Skipped)
            Console.Error.WriteLine($"warning: {Path.GetFileName(skipped.Path)} is corrupt ({skipped.Problem}); resuming from {Path.GetFileName(loaded.Path)}");

        var stored = loaded.Checkpoint.Run;
        RefuseOtherRuns(store, loaded);
        // The checkpoint is untrusted (its checksum catches damage, not tampering): it may name the model file, never
        // its folder. Without --out the model goes beside the checkpoint folder.
        var settings = SettingsOf(stored, Path.GetFileName(loaded.Path), given.Json,
            output: flags.Contains("--out") ? given.Out : BesideFolder(directory, stored.GetValueOrDefault("out")),
            every: flags.Contains("--checkpoint-every") ? given.CheckpointEvery : null);
        return new Resumption(settings, loaded, new Checkpointing(store, settings.CheckpointEvery, RunOf(settings)));
    }

    /// <summary>Where a resumed run's model goes without --out: the stored file name, beside the checkpoint folder.</summary>
    static string BesideFolder(string directory, string? stored)
    {
        string name = Path.GetFileName(stored ?? "");
        if (!name.EndsWith(".safetensors", StringComparison.Ordinal) || name.Any(char.IsControl) || name.StartsWith('.'))
            name = "model.safetensors";
        return Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory)) ?? ".", name);
    }

    /// <summary>The run's identity: every stored flag but those that may change on resuming (--out, --checkpoint-every).</summary>
    static IEnumerable<KeyValuePair<string, string>> Identity(IReadOnlyDictionary<string, string> run) =>
        run.Where(p => p.Key is not ("out" or "checkpoint-every")).OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>
    /// Refuses a folder whose checkpoints belong to different runs (a folder reused by hand, or a checkpoint copied in):
    /// resuming the newest would silently continue a run other than the one the folder was started for.
    /// </summary>
    static void RefuseOtherRuns(CheckpointStore store, LoadedCheckpoint loaded)
    {
        var identity = Identity(loaded.Checkpoint.Run).ToList();
        foreach (var path in store.List())
        {
            if (path == loaded.Path || loaded.Skipped.Any(s => s.Path == path)) continue;
            Checkpoint other;
            try { other = Checkpoint.Read(path); }
            catch (BackpropException) { continue; } // damaged: never resumed from, so it cannot mislead
            var otherIdentity = Identity(other.Run).ToList();
            if (otherIdentity.SequenceEqual(identity)) continue;
            var keys = identity.Select(p => p.Key).Union(otherIdentity.Select(p => p.Key)).Order(StringComparer.Ordinal);
            var difference = keys.First(k => loaded.Checkpoint.Run.GetValueOrDefault(k) != other.Run.GetValueOrDefault(k));
            throw new BackpropException($"{store.Directory} holds checkpoints of different runs: {Path.GetFileName(loaded.Path)} has --{difference} " +
                                        $"{Shown(loaded.Checkpoint.Run.GetValueOrDefault(difference))} but {Path.GetFileName(path)} has {Shown(other.Run.GetValueOrDefault(difference))}; " +
                                        "move the other run's checkpoints to their own folder and resume each from its own");
        }
    }

    static string Shown(string? value) => value is null ? "none"
        : string.Concat((value.Length > 200 ? value[..200] + "…" : value).Select(c => char.IsControl(c) ? '?' : c));

    /// <summary>Checkpoints every --checkpoint-every batches within each epoch; the CLI saves epoch ends itself.</summary>
    public void Attach(Trainer trainer)
    {
        if (every > 0) trainer.BetweenBatches = t => { if (t.Batch % every == 0) Save(t); };
    }

    /// <summary>Writes the trainer's state now; returns the file's path.</summary>
    public string Save(Trainer trainer)
    {
        var path = store.Write(Checkpoint.Capture(trainer, run));
        if (stopInSecondWrite) store.PauseInWrite = TimeSpan.FromMilliseconds(int.MaxValue); // until killed
        HoldForTest(Path.GetFileName(path));
        return path;
    }

    /// <summary>Cancelled by SIGINT/SIGTERM; ends a <see cref="HoldVariable"/> hold.</summary>
    public CancellationToken Interrupt { get; set; }

    void HoldForTest(string written)
    {
        if (Environment.GetEnvironmentVariable(HoldVariable) is not { Length: > 0 } file) return;
        while (!Interrupt.IsCancellationRequested)
        {
            string? from;
            try { from = File.Exists(file) ? File.ReadAllText(file).Trim() : null; }
            catch (IOException) { from = ""; } // being rewritten: look again
            if (from is null || (from.Length > 0 && string.CompareOrdinal(written, from) < 0)) return;
            Thread.Sleep(5);
        }
    }

    // ───────────── the flags, to and from a checkpoint ─────────────

    static Dictionary<string, string> RunOf(TrainCommand.Settings s)
    {
        var c = CultureInfo.InvariantCulture;
        var run = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["optimizer"] = s.Optimizer,
            ["momentum"] = s.Momentum.ToString("R", c),
            ["weight-decay"] = s.WeightDecay.ToString("R", c),
            ["l1"] = s.L1.ToString("R", c),
            ["batch"] = s.Batch.ToString(c),
            ["seed"] = s.Seed.ToString(c),
            ["no-shuffle"] = s.NoShuffle ? "true" : "false",
            ["standardize"] = s.Standardize ? "true" : "false",
            ["out"] = Path.GetFullPath(s.Out),
            ["checkpoint-every"] = s.CheckpointEvery.ToString(c),
        };
        void Optional(string key, string? value) { if (value != null) run[key] = value; }
        Optional("data", s.Data is null ? null : AbsoluteDataSpec(s.Data));
        Optional("data-dir", s.DataDirectory is null ? null : Path.GetFullPath(s.DataDirectory));
        Optional("label-column", s.LabelColumn);
        Optional("task", s.Task);
        Optional("layers", s.Layers);
        Optional("activation", s.Activation);
        Optional("output-activation", s.OutputActivation);
        Optional("cost", s.Cost);
        Optional("lr", s.LearningRate?.ToString("R", c));
        Optional("epochs", s.Epochs?.ToString(c));
        Optional("validation-split", s.ValidationSplit?.ToString("R", c));
        Optional("lr-schedule", s.LearningRateSchedule);
        Optional("early-stopping", s.EarlyStopping?.ToString(c));
        Optional("features", s.Features);
        Optional("noise", s.Noise?.ToString("R", c));
        Optional("examples", s.Examples?.ToString(c));
        Optional("test-fraction", s.TestFraction?.ToString("R", c));
        return run;
    }

    /// <summary>csv:FILE and idx:DIR with the path made absolute; names and synthetic sets as they are.</summary>
    static string AbsoluteDataSpec(string spec)
    {
        var trimmed = spec.Trim();
        foreach (var prefix in new[] { "csv:", "idx:" })
            if (trimmed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var path = trimmed[prefix.Length..].Trim();
                return path.Length == 0 || path.StartsWith('~') ? trimmed : prefix + Path.GetFullPath(path);
            }
        return spec;
    }

    static TrainCommand.Settings SettingsOf(IReadOnlyDictionary<string, string> run, string file, bool json, string? output, int? every)
    {
        var c = CultureInfo.InvariantCulture;
        BackpropException Bad(string key) => new($"{file}: its run settings lack a usable '{key}'; the checkpoint was not written by `backprop train` — start the run again");
        string Get(string key) => run.TryGetValue(key, out var value) ? value : throw Bad(key);
        string? Optional(string key) => run.GetValueOrDefault(key);
        T Number<T>(string key) where T : IParsable<T> => T.TryParse(Get(key), c, out var value) ? value : throw Bad(key);
        T? OptionalNumber<T>(string key) where T : struct, IParsable<T> => run.ContainsKey(key) ? Number<T>(key) : null;
        bool Flag(string key) => Get(key) switch { "true" => true, "false" => false, _ => throw Bad(key) };

        return new TrainCommand.Settings
        {
            Data = Optional("data"),
            DataDirectory = Optional("data-dir"),
            LabelColumn = Optional("label-column"),
            Task = Optional("task"),
            Seed = Number<ulong>("seed"),
            Json = json,
            Layers = Optional("layers"),
            Activation = Optional("activation"),
            OutputActivation = Optional("output-activation"),
            Cost = Optional("cost"),
            Optimizer = Get("optimizer"),
            LearningRate = OptionalNumber<double>("lr"),
            Momentum = Number<double>("momentum"),
            WeightDecay = Number<double>("weight-decay"),
            L1 = OptionalNumber<double>("l1") ?? 0,
            Features = Optional("features"),
            Noise = OptionalNumber<double>("noise"),
            Examples = OptionalNumber<int>("examples"),
            TestFraction = OptionalNumber<double>("test-fraction"),
            Batch = Number<int>("batch"),
            Epochs = OptionalNumber<int>("epochs"),
            NoShuffle = Flag("no-shuffle"),
            ValidationSplit = OptionalNumber<double>("validation-split"),
            LearningRateSchedule = Optional("lr-schedule"),
            EarlyStopping = OptionalNumber<int>("early-stopping"),
            Standardize = Flag("standardize"),
            // The weights come from the checkpoint; --init only ever mattered before the first step.
            Init = null,
            Out = output ?? Get("out"),
            CheckpointEvery = every ?? Number<int>("checkpoint-every"),
        };
    }
}
