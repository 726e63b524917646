using System.Globalization;
using System.Security.Cryptography;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Serialization;

namespace Backprop.Training;

/// <summary>
/// Everything a <see cref="Trainer"/> needs to continue exactly where it stood, so that a resumed run ends with
/// the very bits an uninterrupted one ends with: the weights, the optimizer's buffers and step count t, the
/// position (epochs done, batches done of the next epoch), the example order of the epoch under way, the
/// shuffling generator's state, and the epoch's running train-cost sum.
/// </summary>
/// <remarks>
/// <para>One safetensors file, all tensors F32:</para>
/// <list type="bullet">
/// <item><c>layers.{l}.weight</c> [out, in] and <c>layers.{l}.bias</c> [out], as in model files.</item>
/// <item><c>optimizer.{i}</c> [n]: <see cref="Optimizers.Optimizer{T}.State"/> in its order (momentum: one
/// velocity per parameter tensor, weights then bias per layer; adam: every m, then every v; sgd: none).</item>
/// <item><c>trainer.order</c> [examples]: the epoch's example indices, stored as F32 values — exact for
/// integers below 2²⁴, so a checkpoint holds at most <see cref="MaximumExamples"/> examples.</item>
/// </list>
/// <para>Metadata (strings): <c>format</c> = <c>backprop-checkpoint</c>, <c>format_version</c>; the architecture
/// (<c>layers</c>, <c>activation</c>, <c>output_activation</c>, <c>cost</c>); the options (<c>optimizer</c>,
/// <c>learning_rate</c>, <c>momentum</c>, <c>weight_decay</c>, <c>batch_size</c>, <c>epochs</c>, <c>seed</c>,
/// <c>shuffle</c>); <c>examples</c>; the position <c>epoch</c> (epochs done) and <c>batch</c> (batches done of
/// the next epoch; 0 means its shuffle has not happened yet), <c>step_count</c>, <c>rng</c> (the four state words
/// in decimal, comma-separated), <c>cost_sum</c>; the last epoch's report (<c>last_epoch</c>,
/// <c>last_train_cost</c>, …) once there is one; with a schedule, <c>schedule</c> (its compact form),
/// <c>learning_rate_now</c> (η of the next step), <c>plateau_best</c> and <c>plateau_bad_epochs</c>; with early
/// stopping, <c>early_stopping_patience</c> and, once an epoch has ended, <c>best_epoch</c>,
/// <c>best_validation_cost</c>, <c>epochs_without_improvement</c>, <c>stopped_early</c> and the best epoch's
/// parameters as tensors <c>best.layers.{l}.weight</c> and <c>best.layers.{l}.bias</c>; the caller's <see cref="Run"/> entries as <c>run.{key}</c>;
/// and <c>checksum</c>. Doubles are written in round-trip form, so they come back to the bit.</para>
/// <para>The checksum is <c>sha256:</c> and the SHA-256, in lowercase hex, of the file's bytes as written
/// without the checksum entry. Reading writes the file again from what it parsed and requires the same bytes,
/// then the same hash — so any changed, missing or extra byte is caught, even in the header's padding.</para>
/// </remarks>
public sealed class Checkpoint
{
    /// <summary>The <c>format</c> entry of a checkpoint's metadata.</summary>
    public const string FormatName = "backprop-checkpoint";
    /// <summary>The <c>format_version</c> entry this version writes and reads.</summary>
    public const string FormatVersion = "1";
    /// <summary>Most training examples a checkpoint can hold: the order is stored as F32, exact below 2²⁴.</summary>
    public const int MaximumExamples = 1 << 24;

    const string OrderName = "trainer.order";
    const string ChecksumKey = "checksum";
    const string RunPrefix = "run.";
    const string BestPrefix = "best.";

    readonly float[][] parameters;       // weights, bias per layer: 2l, 2l+1
    readonly float[][] optimizerState;
    readonly int[] order;
    readonly ulong[] randomState;
    readonly double costSum;
    readonly double learningRateNow;
    readonly PlateauState plateau;
    readonly EarlyStoppingRecord? early;

    /// <summary>Early stopping's state: the best epoch, its cost and weights, and whether the run has stopped.</summary>
    sealed record EarlyStoppingRecord(int BestEpoch, double BestCost, int EpochsWithoutImprovement, bool Stopped, float[][] BestParameters);

    Checkpoint(Architecture architecture, TrainingOptions options, int exampleCount, int epoch, int batch, long stepCount,
        float[][] parameters, float[][] optimizerState, int[] order, ulong[] randomState, double costSum,
        EpochReport? lastReport, IReadOnlyDictionary<string, string> run, double learningRateNow, PlateauState plateau, EarlyStoppingRecord? early)
    {
        this.learningRateNow = learningRateNow;
        this.plateau = plateau;
        this.early = early;
        Architecture = architecture;
        Options = options;
        ExampleCount = exampleCount;
        Epoch = epoch;
        Batch = batch;
        StepCount = stepCount;
        this.parameters = parameters;
        this.optimizerState = optimizerState;
        this.order = order;
        this.randomState = randomState;
        this.costSum = costSum;
        LastReport = lastReport;
        Run = run;
    }

    /// <summary>The network's sizes, activations and cost.</summary>
    public Architecture Architecture { get; }
    /// <summary>The options the run was trained with; a trainer built with them can <see cref="Restore"/> this.</summary>
    public TrainingOptions Options { get; }
    /// <summary>Training examples of the run.</summary>
    public int ExampleCount { get; }
    /// <summary>Epochs finished.</summary>
    public int Epoch { get; }
    /// <summary>Batches finished of epoch <see cref="Epoch"/> + 1.</summary>
    public int Batch { get; }
    /// <summary>Optimizer updates taken (Adam's t).</summary>
    public long StepCount { get; }
    /// <summary>The report of the last finished epoch, or null before the first.</summary>
    public EpochReport? LastReport { get; }
    /// <summary>The caller's own entries (the command line keeps its flags here), stored as <c>run.{key}</c>.</summary>
    public IReadOnlyDictionary<string, string> Run { get; }

    /// <summary>The file name for this position: <c>checkpoint-EEEEEE-BBBBBBBB.safetensors</c>, zero-padded so names sort by position.</summary>
    public string FileName => FileNameFor(Epoch, Batch);

    /// <summary>The file name of a checkpoint at that position.</summary>
    public static string FileNameFor(int epoch, int batch) =>
        string.Create(CultureInfo.InvariantCulture, $"checkpoint-{epoch:D6}-{batch:D8}.safetensors");

    /// <summary>Refuses, before any training, a run whose checkpoints could not be written: more than
    /// <see cref="MaximumExamples"/> examples, or more tensors (weights, biases, optimizer buffers, the order)
    /// than a safetensors file may hold.</summary>
    public static void RequireFits(Trainer trainer)
    {
        if (trainer.Train.Count > MaximumExamples)
            throw new BackpropException($"a checkpoint stores the example order as F32, exact for at most {MaximumExamples} examples, and this run has {trainer.Train.Count}; train without checkpoints or on fewer examples");
        int layers = trainer.Network.Layers.Count, buffers = trainer.Optimizer.State.Count;
        long tensors = 2L * layers * (trainer.Options.EarlyStoppingPatience is null ? 1 : 2) + buffers + 1;
        if (tensors > SafeTensorsFile.MaxTensorCount)
            throw new BackpropException($"a checkpoint of this run would hold {tensors} tensors ({2 * layers} weights and biases, {buffers} optimizer buffers, the example order), more than the {SafeTensorsFile.MaxTensorCount} a file may hold; use fewer layers or train without CheckpointStore");
    }

    /// <summary>Copies the trainer's state. Call it between batches (<see cref="Trainer.BetweenBatches"/>), after
    /// <see cref="Trainer.RunEpoch"/> returns, or after a cancelled one.</summary>
    public static Checkpoint Capture(Trainer trainer, IReadOnlyDictionary<string, string>? run = null)
    {
        RequireFits(trainer);
        var network = trainer.Network;
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run != null)
            foreach (var (key, value) in run) copy[key] = value;
        return new Checkpoint(network.Architecture, trainer.Options, trainer.Train.Count, trainer.Epoch, trainer.Batch,
            trainer.Optimizer.StepCount,
            network.Layers.SelectMany(l => new[] { (float[])l.Weights.Clone(), (float[])l.Biases.Clone() }).ToArray(),
            trainer.Optimizer.State.Select(s => (float[])s.Clone()).ToArray(),
            (int[])trainer.Order.Clone(), trainer.Random.State, trainer.EpochCostSum, trainer.LastReport, copy,
            trainer.Optimizer.LearningRate, new PlateauState { Best = trainer.Plateau.Best, BadEpochs = trainer.Plateau.BadEpochs },
            trainer.BestEpoch is { } best
                ? new EarlyStoppingRecord(best, trainer.BestValidationCost!.Value, trainer.EpochsWithoutImprovement, trainer.StoppedEarly,
                    trainer.BestParameters!.Select(p => (float[])p.Clone()).ToArray())
                : null);
    }

    /// <summary>
    /// Puts <paramref name="trainer"/> — built afresh with the same architecture, options and training data —
    /// exactly where the checkpointed one stood.
    /// </summary>
    /// <exception cref="BackpropException">The trainer does not match the checkpoint (architecture, optimizer,
    /// batch size, example count, …).</exception>
    public void Restore(Trainer trainer)
    {
        var network = trainer.Network;
        var o = trainer.Options;
        void Require(bool same, string what, object stored, object given)
        {
            if (!same) throw new BackpropException($"{FileName} was taken with {what} {stored} but this run has {given}; resume with the run's own settings");
        }
        var a = network.Architecture;
        Require(a.SameShape(Architecture), "the network", Architecture, a);
        Require(o.Optimizer == Options.Optimizer, "optimizer", Options.Optimizer, o.Optimizer);
        Require(o.LearningRate == Options.LearningRate, "learning rate", Options.LearningRate, o.LearningRate);
        Require(o.Optimizer != "momentum" || o.Momentum == Options.Momentum, "momentum", Options.Momentum, o.Momentum);
        Require(o.WeightDecay == Options.WeightDecay, "weight decay", Options.WeightDecay, o.WeightDecay);
        Require(o.L1 == Options.L1, "L1 regularization", Options.L1, o.L1);
        Require(o.BatchSize == Options.BatchSize, "batch size", Options.BatchSize, o.BatchSize);
        Require(o.Shuffle == Options.Shuffle, "shuffle", Options.Shuffle, o.Shuffle);
        Require(o.Schedule?.ToString() == Options.Schedule?.ToString(), "learning-rate schedule", Options.Schedule?.ToString() ?? "none", o.Schedule?.ToString() ?? "none");
        Require(o.EarlyStoppingPatience == Options.EarlyStoppingPatience, "early-stopping patience",
            Options.EarlyStoppingPatience?.ToString(CultureInfo.InvariantCulture) ?? "none", o.EarlyStoppingPatience?.ToString(CultureInfo.InvariantCulture) ?? "none");
        Require(trainer.Train.Count == ExampleCount, "training examples", ExampleCount, trainer.Train.Count);
        if (Epoch > o.Epochs)
            throw new BackpropException($"{FileName} is after epoch {Epoch} but this run has only {o.Epochs} epochs; give at least {Epoch}");
        if (Batch >= trainer.BatchCount)
            throw new BackpropException($"{FileName} is at batch {Batch} but an epoch has only {trainer.BatchCount}; the checkpoint does not belong to this run");
        var state = trainer.Optimizer.State;
        Require(state.Count == optimizerState.Length, "optimizer buffers", optimizerState.Length, state.Count);
        for (int i = 0; i < state.Count; i++)
            Require(state[i].Length == optimizerState[i].Length, $"optimizer buffer {i} of length", optimizerState[i].Length, state[i].Length);

        for (int l = 0; l < network.Layers.Count; l++)
        {
            parameters[2 * l].CopyTo(network.Layers[l].Weights, 0);
            parameters[2 * l + 1].CopyTo(network.Layers[l].Biases, 0);
        }
        for (int i = 0; i < state.Count; i++) optimizerState[i].CopyTo(state[i], 0);
        trainer.Optimizer.StepCount = StepCount;
        order.CopyTo(trainer.Order, 0);
        trainer.Random.State = randomState;
        trainer.MoveTo(Epoch, Batch, costSum, LastReport);
        trainer.Optimizer.LearningRate = learningRateNow;
        trainer.Plateau.Best = plateau.Best;
        trainer.Plateau.BadEpochs = plateau.BadEpochs;
        trainer.MoveEarlyStoppingTo(early?.BestEpoch, early?.BestCost, early?.EpochsWithoutImprovement ?? 0,
            early?.BestParameters.Select(p => (float[])p.Clone()).ToArray(), early?.Stopped ?? false);
    }

    // ───────────────────────────── writing ─────────────────────────────

    /// <summary>The file's bytes, checksum included; deterministic for the same state.</summary>
    public byte[] ToBytes()
    {
        var tensors = Tensors();
        var metadata = Metadata();
        metadata[ChecksumKey] = Checksum(SafeTensorsFile.ToBytes(tensors, metadata));
        return SafeTensorsFile.ToBytes(tensors, metadata);
    }

    static string Checksum(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    List<Tensor> Tensors()
    {
        var tensors = new List<Tensor>();
        for (int l = 0; l < Architecture.LayerCount; l++)
        {
            tensors.Add(new Tensor(ModelFile.WeightName(l), [Architecture.Sizes[l + 1], Architecture.Sizes[l]], parameters[2 * l]));
            tensors.Add(new Tensor(ModelFile.BiasName(l), [Architecture.Sizes[l + 1]], parameters[2 * l + 1]));
        }
        for (int i = 0; i < optimizerState.Length; i++)
            tensors.Add(new Tensor(OptimizerName(i), [optimizerState[i].Length], optimizerState[i]));
        tensors.Add(new Tensor(OrderName, [order.Length], Array.ConvertAll(order, i => (float)i)));
        if (early != null)
            for (int l = 0; l < Architecture.LayerCount; l++)
            {
                tensors.Add(new Tensor(BestPrefix + ModelFile.WeightName(l), [Architecture.Sizes[l + 1], Architecture.Sizes[l]], early.BestParameters[2 * l]));
                tensors.Add(new Tensor(BestPrefix + ModelFile.BiasName(l), [Architecture.Sizes[l + 1]], early.BestParameters[2 * l + 1]));
            }
        return tensors;
    }

    static string OptimizerName(int i) => $"optimizer.{i}";

    Dictionary<string, string> Metadata()
    {
        var c = CultureInfo.InvariantCulture;
        var m = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion,
            ["layers"] = Architecture.SizesText,
            ["activation"] = Architecture.HiddenActivationsText,
            ["output_activation"] = Architecture.OutputActivation.Name,
            ["cost"] = Architecture.Cost.Name,
            ["optimizer"] = Options.Optimizer,
            ["learning_rate"] = Options.LearningRate.ToString("R", c),
            ["momentum"] = Options.Momentum.ToString("R", c),
            ["weight_decay"] = Options.WeightDecay.ToString("R", c),
            ["l1"] = Options.L1.ToString("R", c),
            ["batch_size"] = Options.BatchSize.ToString(c),
            ["epochs"] = Options.Epochs.ToString(c),
            ["seed"] = Options.Seed.ToString(c),
            ["shuffle"] = Options.Shuffle ? "true" : "false",
            ["examples"] = ExampleCount.ToString(c),
            ["epoch"] = Epoch.ToString(c),
            ["batch"] = Batch.ToString(c),
            ["step_count"] = StepCount.ToString(c),
            ["rng"] = string.Join(",", randomState.Select(w => w.ToString(c))),
            ["cost_sum"] = costSum.ToString("R", c),
        };
        if (LastReport is { } r)
        {
            m["last_epoch"] = r.Epoch.ToString(c);
            m["last_train_cost"] = r.TrainCost.ToString("R", c);
            m["last_seconds"] = r.Seconds.ToString("R", c);
            if (r.ValidationAccuracy is { } v) m["last_validation_accuracy"] = v.ToString("R", c);
            if (r.TestAccuracy is { } t) m["last_test_accuracy"] = t.ToString("R", c);
            if (r.ValidationCost is { } vc) m["last_validation_cost"] = vc.ToString("R", c);
            if (Options.Schedule != null) m["last_learning_rate"] = r.LearningRate.ToString("R", c);
        }
        if (Options.Schedule is { } schedule)
        {
            m["schedule"] = schedule.ToString();
            m["learning_rate_now"] = learningRateNow.ToString("R", c);
            m["plateau_best"] = plateau.Best.ToString("R", c);
            m["plateau_bad_epochs"] = plateau.BadEpochs.ToString(c);
        }
        if (Options.EarlyStoppingPatience is { } patience)
        {
            m["early_stopping_patience"] = patience.ToString(c);
            if (early != null)
            {
                m["best_epoch"] = early.BestEpoch.ToString(c);
                m["best_validation_cost"] = early.BestCost.ToString("R", c);
                m["epochs_without_improvement"] = early.EpochsWithoutImprovement.ToString(c);
                m["stopped_early"] = early.Stopped ? "true" : "false";
            }
        }
        foreach (var (key, value) in Run) m[RunPrefix + key] = value;
        return m;
    }

    // ───────────────────────────── reading ─────────────────────────────

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <exception cref="BackpropException">The file is missing, not a regular file, too large for memory, torn or
    /// corrupt (checksum), or not a checkpoint this version reads.</exception>
    public static Checkpoint Read(string path) => FromBytes(ReadFileBytes(path), path);

    /// <summary>
    /// A checkpoint file's bytes, read whole only after the checks that bound it: a regular file (a link to
    /// /dev/zero would never end), at most one array long, and within <see cref="MemoryBudget"/> for the three
    /// copies verifying it takes (the bytes, the tensors, the bytes written again to compare).
    /// </summary>
    /// <exception cref="BackpropException">The file is missing, unreadable, not a regular file or too large.</exception>
    internal static byte[] ReadFileBytes(string path)
    {
        CheckSize(path, InputFile.RequireRegular(path));
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"{path}: cannot read the checkpoint ({e.Message.ReplaceLineEndings(" ")}); check the path and permissions");
        }
    }

    /// <summary>The size bounds of <see cref="ReadFileBytes"/>, for a file of <paramref name="length"/> bytes.</summary>
    internal static void CheckSize(string path, long length)
    {
        if (length > Array.MaxLength)
            throw new BackpropException($"{path}: the checkpoint is {length} bytes, more than one array can hold ({Array.MaxLength}); it is not one this version wrote — resume from an earlier checkpoint");
        MemoryBudget.Require(3.0 * length, path, $"verifying a checkpoint of {length} bytes (the file, its tensors and a copy to compare)",
            "resume where more memory is available, or from an earlier checkpoint");
    }

    /// <exception cref="BackpropException">The bytes are torn or corrupt, or not a checkpoint this version reads.</exception>
    public static Checkpoint FromBytes(ReadOnlySpan<byte> bytes, string name) =>
        TryFromBytes(bytes, name, out var problem)
        ?? throw new BackpropException($"{name}: corrupt ({problem}); resume from an earlier checkpoint");

    /// <summary>
    /// The checkpoint, or null with <paramref name="problem"/> saying why when the bytes are torn or corrupt —
    /// the one failure a store skips over to an earlier checkpoint. A file whose checksum holds but whose content
    /// this version cannot use is an error, thrown.
    /// </summary>
    internal static Checkpoint? TryFromBytes(ReadOnlySpan<byte> bytes, string name, out string problem)
    {
        SafeTensorsFile file;
        try { file = SafeTensorsFile.Read(bytes, name); }
        catch (BackpropException)
        {
            problem = bytes.Length == 0 ? "empty file" : "truncated or not a safetensors file";
            return null;
        }
        if (!file.Metadata.TryGetValue(ChecksumKey, out var stored))
        {
            problem = "no checksum";
            return null;
        }
        var metadata = file.Metadata.Where(p => p.Key != ChecksumKey).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (!SafeTensorsFile.ToBytes(file.Tensors, file.Metadata).AsSpan().SequenceEqual(bytes)
            || Checksum(SafeTensorsFile.ToBytes(file.Tensors, metadata)) != stored)
        {
            problem = "checksum mismatch";
            return null;
        }
        problem = "";
        return Parse(file, metadata, name);
    }

    static string Printable(string text)
    {
        const int most = 300;
        if (text.Length > most) text = text[..(char.IsHighSurrogate(text[most - 1]) ? most - 1 : most)] + "…";
        return string.Create(text.Length, text, (span, t) => { for (int i = 0; i < span.Length; i++) span[i] = char.IsControl(t[i]) ? '?' : t[i]; });
    }

    static Checkpoint Parse(SafeTensorsFile file, Dictionary<string, string> m, string name)
    {
        var c = CultureInfo.InvariantCulture;
        // Values quoted from the file are untrusted: control characters shown as '?', the whole cut (the checkpoint fuzzer's oracle).
        BackpropException Bad(string what) => new($"{name}: {Printable(what)}; it was not written by this version of backprop — start the run again");
        string Get(string key) => m.TryGetValue(key, out var value) ? value : throw Bad($"the checkpoint has no '{key}' entry");
        T Number<T>(string key) where T : IParsable<T> =>
            T.TryParse(Get(key), c, out var value) ? value : throw Bad($"'{key}' is '{ShownText.Of(Get(key))}', not a number");

        if (Get("format") != FormatName) throw Bad($"format is '{ShownText.Of(Get("format"))}', not '{FormatName}'");
        if (Get("format_version") != FormatVersion) throw Bad($"checkpoint format version {ShownText.Of(Get("format_version"))}; this backprop reads version {FormatVersion}");

        Architecture architecture;
        TrainingOptions options;
        try
        {
            var sizes = Architecture.ParseSizes(Get("layers"));
            architecture = new Architecture(sizes, Architecture.ParseHiddenActivations(Get("activation"), sizes.Length - 2, "activation"),
                Activation.Parse(Get("output_activation")), Cost.Parse(Get("cost"))).Validate();
            options = new TrainingOptions
            {
                Optimizer = Get("optimizer"),
                LearningRate = Number<double>("learning_rate"),
                Momentum = Number<double>("momentum"),
                WeightDecay = Number<double>("weight_decay"),
                // Checkpoints written before L1 existed have none.
                L1 = m.ContainsKey("l1") ? Number<double>("l1") : 0,
                BatchSize = Number<int>("batch_size"),
                Epochs = Number<int>("epochs"),
                Seed = Number<ulong>("seed"),
                Shuffle = Get("shuffle") == "true",
                // Checkpoints written before schedules and early stopping have neither.
                Schedule = m.TryGetValue("schedule", out var schedule) ? Optimizers.LearningRateSchedule.Parse(schedule) : null,
                EarlyStoppingPatience = m.ContainsKey("early_stopping_patience") ? Number<int>("early_stopping_patience") : null,
            }.Validate();
        }
        catch (BackpropException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw Bad($"its settings are invalid ({e.Message})");
        }

        int examples = Number<int>("examples"), epoch = Number<int>("epoch"), batch = Number<int>("batch");
        long stepCount = Number<long>("step_count");
        double costSum = Number<double>("cost_sum");
        if (examples < 1 || examples > MaximumExamples || epoch < 0 || batch < 0 || stepCount < 0)
            throw Bad("its position (examples, epoch, batch, step_count) is out of range");
        var words = Get("rng").Split(',');
        var randomState = new ulong[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!ulong.TryParse(words[i], NumberStyles.None, c, out randomState[i])) throw Bad($"'rng' is '{ShownText.Of(Get("rng"))}', not four decimal words");
        if (randomState.Length != 4 || randomState.All(w => w == 0)) throw Bad($"'rng' is '{ShownText.Of(Get("rng"))}', not four decimal words, not all zero");

        float[] Tensor(string tensor, int[] shape)
        {
            var t = file.Find(tensor) ?? throw Bad($"it has no tensor '{tensor}'");
            if (!t.Shape.SequenceEqual(shape)) throw Bad($"tensor '{tensor}' is [{string.Join(", ", t.Shape)}], not [{string.Join(", ", shape)}]");
            return t.Data;
        }
        var parameters = new float[2 * architecture.LayerCount][];
        for (int l = 0; l < architecture.LayerCount; l++)
        {
            parameters[2 * l] = Tensor(ModelFile.WeightName(l), [architecture.Sizes[l + 1], architecture.Sizes[l]]);
            parameters[2 * l + 1] = Tensor(ModelFile.BiasName(l), [architecture.Sizes[l + 1]]);
        }
        var optimizerState = new List<float[]>();
        while (file.Find(OptimizerName(optimizerState.Count)) is { } t)
        {
            if (t.Shape.Length != 1) throw Bad($"tensor '{t.Name}' is not one-dimensional");
            optimizerState.Add(t.Data);
        }

        var orderValues = Tensor(OrderName, [examples]);
        var order = new int[examples];
        var seen = new bool[examples];
        for (int i = 0; i < examples; i++)
        {
            float v = orderValues[i];
            if (!(v >= 0 && v < examples) || v != MathF.Floor(v) || seen[(int)v])
                throw Bad($"'{OrderName}' is not an order of {examples} examples (value {v} at index {i})");
            order[i] = (int)v;
            seen[order[i]] = true;
        }

        EpochReport? lastReport = null;
        if (m.ContainsKey("last_epoch"))
        {
            double? Optional(string key) => m.ContainsKey(key) ? Number<double>(key) : null;
            lastReport = new EpochReport(Number<int>("last_epoch"), Number<double>("last_train_cost"),
                Optional("last_validation_accuracy"), Optional("last_test_accuracy"), Number<double>("last_seconds"))
            {
                ValidationCost = Optional("last_validation_cost"),
                LearningRate = Optional("last_learning_rate") ?? options.LearningRate,
            };
        }
        double learningRateNow = options.LearningRate;
        var plateau = new PlateauState();
        if (options.Schedule != null)
        {
            learningRateNow = Number<double>("learning_rate_now");
            plateau.Best = Number<double>("plateau_best");
            plateau.BadEpochs = Number<int>("plateau_bad_epochs");
            try { Optimizers.Optimizer<float>.CheckedLearningRate(learningRateNow, "learning_rate_now"); }
            catch (BackpropException e) { throw Bad(e.Message); }
            if (plateau.BadEpochs < 0 || double.IsNaN(plateau.Best)) throw Bad("its plateau state is out of range");
        }
        EarlyStoppingRecord? early = null;
        if (options.EarlyStoppingPatience != null && m.ContainsKey("best_epoch"))
        {
            var best = new float[2 * architecture.LayerCount][];
            for (int l = 0; l < architecture.LayerCount; l++)
            {
                best[2 * l] = Tensor(BestPrefix + ModelFile.WeightName(l), [architecture.Sizes[l + 1], architecture.Sizes[l]]);
                best[2 * l + 1] = Tensor(BestPrefix + ModelFile.BiasName(l), [architecture.Sizes[l + 1]]);
            }
            int bestEpoch = Number<int>("best_epoch"), without = Number<int>("epochs_without_improvement");
            if (bestEpoch < 1 || bestEpoch > epoch || without < 0) throw Bad("its early-stopping position (best_epoch, epochs_without_improvement) is out of range");
            early = new EarlyStoppingRecord(bestEpoch, Number<double>("best_validation_cost"), without,
                Get("stopped_early") switch { "true" => true, "false" => false, _ => throw Bad("'stopped_early' is neither true nor false") }, best);
        }
        var run = m.Where(p => p.Key.StartsWith(RunPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[RunPrefix.Length..], p => p.Value, StringComparer.Ordinal);

        return new Checkpoint(architecture, options, examples, epoch, batch, stepCount, parameters, optimizerState.ToArray(),
            order, randomState, costSum, lastReport, run, learningRateNow, plateau, early);
    }
}
