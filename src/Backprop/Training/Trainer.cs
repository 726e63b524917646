using System.Diagnostics;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;

namespace Backprop.Training;

/// <summary>Where training is within an epoch, reported every few batches for progress bars.</summary>
public readonly record struct TrainingProgress(int Epoch, int Batch, int BatchCount);

/// <summary>What one epoch did. Accuracies are null when there is no such data.</summary>
public sealed record EpochReport(int Epoch, double TrainCost, double? ValidationAccuracy, double? TestAccuracy, double Seconds)
{
    /// <summary>The mean cost on the validation part after the epoch (Keras's val_loss), null when there is none.</summary>
    public double? ValidationCost { get; init; }
    /// <summary>η of the epoch's steps (it differs from the options' under a <see cref="TrainingOptions.Schedule"/>).</summary>
    public double LearningRate { get; init; }
    /// <summary>A regression's metrics on the training data, in the targets' units; null for classes.</summary>
    public RegressionMetrics? TrainMetrics { get; init; }
    /// <summary>The same on the validation part, null when there is none.</summary>
    public RegressionMetrics? ValidationMetrics { get; init; }
    /// <summary>The same on the test part, null when there is none.</summary>
    public RegressionMetrics? TestMetrics { get; init; }
}

/// <summary>
/// Mini-batch stochastic gradient descent: each epoch shuffles the example order (seeded), and for every batch
/// runs forward, backpropagates the batch-mean cost, and lets the optimizer step. A step allocates nothing:
/// the batch is gathered by index into the propagator's preallocated input.
/// </summary>
public sealed class Trainer
{
    readonly Propagator<float> pass;
    readonly float[] targets;
    readonly int[] order;
    readonly Rng rng;
    // Where the epoch under way stands: batches done and the sum of their cost × size. Fields, not locals,
    // so that a checkpoint taken between batches (or after a cancellation) captures them and a resumed
    // trainer continues the same epoch with the same train-cost sum.
    int batch;
    double costSum, epochSeconds;
    // The run's first batch cost, for the divergence rule (after a resume: the first batch after it).
    float? firstCost;

    /// <summary>A trainer whose optimizer is made from <paramref name="options"/> (<see cref="TrainingOptions.Optimizer"/>, η, μ, λ, λ₁).</summary>
    /// <exception cref="BackpropException">Invalid options, no examples, or data that does not fit the network.</exception>
    public Trainer(Network<float> network, TrainingOptions options, Dataset train)
        : this(network, options.Validate(), train, Optimizer<float>.Create(options.Optimizer, network, options.LearningRate, options.Momentum, options.WeightDecay, options.L1))
    {
    }

    /// <summary>
    /// A trainer that steps <paramref name="optimizer"/>, built by the caller, on its network. Its name, η, μ, λ and λ₁
    /// replace those of <paramref name="options"/> (which gives the epochs, batch size, seed, schedule, early stopping),
    /// so that <see cref="Options"/> and checkpoints say what is trained.
    /// </summary>
    /// <exception cref="BackpropException">Invalid options, no examples, or data that does not fit the network.</exception>
    public Trainer(Optimizer<float> optimizer, Dataset train, TrainingOptions? options = null)
        : this(optimizer.Network, (options ?? new TrainingOptions()) with
        {
            Optimizer = optimizer.Name, LearningRate = optimizer.LearningRate, WeightDecay = optimizer.WeightDecay, L1 = optimizer.L1,
            Momentum = optimizer is Momentum<float> m ? m.Coefficient : (options ?? new TrainingOptions()).Momentum,
        }, train, optimizer)
    {
    }

    Trainer(Network<float> network, TrainingOptions options, Dataset train, Optimizer<float> optimizer)
    {
        Options = options.Validate();
        Network = network;
        Train = train;
        if (train.Count == 0) throw new BackpropException("the training data holds no examples");
        Targets.CheckFits(network.Architecture, train, "the training data");
        Optimizer = optimizer;
        pass = new Propagator<float>(network, Math.Min(options.BatchSize, train.Count));
        targets = new float[pass.MaximumBatch * network.OutputSize];
        order = Enumerable.Range(0, train.Count).ToArray();
        // The shuffling stream is the seed's own, apart from initialisation's, so that --init FILE with the
        // same seed visits examples in the same order as a run that initialised itself.
        rng = new Rng(options.Seed ^ 0x5DEECE66DUL);
        // The first epoch's η, as torch's scheduler sets it when it is built (a warm-up starts low).
        if (options.Schedule is { } schedule) Optimizer.LearningRate = schedule.Next(options.LearningRate, options.LearningRate, 0, Plateau, double.NaN);
    }

    /// <summary>The validated options.</summary>
    public TrainingOptions Options { get; }
    /// <summary>The network trained, in place.</summary>
    public Network<float> Network { get; }
    /// <summary>The training examples.</summary>
    public Dataset Train { get; }
    /// <summary>A regression's target standardisation, undone for the metrics so they are in the targets' units.</summary>
    public Standardizer? TargetScale { get; init; }
    /// <summary>The optimizer that updates the network.</summary>
    public Optimizer<float> Optimizer { get; }
    /// <summary>Epochs finished so far.</summary>
    public int Epoch { get; private set; }
    /// <summary>Batches finished in the epoch under way (epoch <see cref="Epoch"/> + 1); 0 between epochs.</summary>
    public int Batch => batch;
    /// <summary>Batches per epoch: ⌈examples / batch size⌉, one when the batch is larger than the data. Written so
    /// that no batch size overflows it (count + size − 1 passes 2³¹ for sizes near int.MaxValue).</summary>
    public int BatchCount => (Train.Count - 1) / Options.BatchSize + 1;
    /// <summary>The report of the last finished epoch, or null before the first.</summary>
    public EpochReport? LastReport { get; private set; }

    /// <summary>What the <see cref="TrainingOptions.Schedule"/> tracks (ReduceOnPlateau's best cost and bad epochs).</summary>
    internal PlateauState Plateau { get; } = new();

    /// <summary>With early stopping: the epoch of the lowest validation cost so far, that cost, and epochs since.</summary>
    public int? BestEpoch { get; private set; }
    /// <summary>With early stopping: the lowest validation cost so far.</summary>
    public double? BestValidationCost { get; private set; }
    /// <summary>With early stopping: epochs finished since the validation cost last went below its best.</summary>
    public int EpochsWithoutImprovement { get; private set; }
    /// <summary>The best epoch's weights and biases (2l, 2l+1), kept while early stopping watches; null before the first epoch.</summary>
    internal float[][]? BestParameters { get; private set; }
    /// <summary>True once early stopping ended the run before <see cref="TrainingOptions.Epochs"/>.</summary>
    public bool StoppedEarly { get; private set; }
    /// <summary>True when no epoch is left: all <see cref="TrainingOptions.Epochs"/> ran, or early stopping ended the run.</summary>
    public bool Finished => StoppedEarly || Epoch >= Options.Epochs;

    /// <summary>
    /// Called after every epoch, once the schedule has set the next η and early stopping has decided (and, at the end,
    /// restored the best weights): the place for per-epoch logging or a caller's own stopping rule (<see cref="Stop"/>).
    /// </summary>
    public Action<Trainer, EpochReport>? EpochEnded { get; set; }

    /// <summary>Ends the run after the epoch under way (or now, between epochs): <see cref="Finished"/> becomes true.
    /// Early stopping's best weights are put back only when early stopping itself or the last epoch ends the run.</summary>
    public void Stop() => StoppedEarly = true;

    /// <summary>
    /// Called after every batch but an epoch's last (the end of an epoch is <see cref="EpochEnded"/>'s), however the
    /// loop is driven (<see cref="Run"/>, <see cref="RunEpoch"/>, <see cref="RunBatch"/>), when <see cref="Batch"/> batches of the epoch are done and
    /// the trainer's whole state (weights, optimizer, order, generator) is consistent: the moment to take a
    /// <see cref="Checkpoint"/>. The end of an epoch is the moment <see cref="RunEpoch"/> returns.
    /// </summary>
    public Action<Trainer>? BetweenBatches { get; set; }

    /// <summary>The example order of the epoch under way (after its shuffle once <see cref="Batch"/> &gt; 0).</summary>
    internal int[] Order => order;
    internal Rng Random => rng;
    internal double EpochCostSum => costSum;

    /// <summary>Puts the trainer at a position taken from a checkpoint; the caller has restored the weights and optimizer.</summary>
    internal void MoveTo(int epoch, int batchesDone, double epochCostSum, EpochReport? lastReport)
    {
        Epoch = epoch;
        StoppedEarly = false;
        batch = batchesDone;
        costSum = epochCostSum;
        LastReport = lastReport;
    }

    /// <summary>Puts early stopping's record where a checkpoint had it; the caller has checked the shapes.</summary>
    internal void MoveEarlyStoppingTo(int? bestEpoch, double? bestCost, int epochsWithoutImprovement, float[][]? bestParameters, bool stopped)
    {
        BestEpoch = bestEpoch;
        BestValidationCost = bestCost;
        EpochsWithoutImprovement = epochsWithoutImprovement;
        BestParameters = bestParameters;
        StoppedEarly = stopped;
    }

    /// <summary>Runs every remaining epoch, yielding a report after each.</summary>
    public IEnumerable<EpochReport> Run(Dataset? validation = null, Dataset? test = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        while (!Finished)
            yield return RunEpoch(validation, test, progress, cancellation);
    }

    /// <summary>
    /// Runs the rest of the epoch under way: all of it from <see cref="Batch"/> 0 (shuffling first), or the
    /// batches after <see cref="Batch"/> when resumed mid-epoch. Cancellation is observed before each batch,
    /// so a cancelled trainer stands between two batches, ready for a checkpoint.
    /// </summary>
    public EpochReport RunEpoch(Dataset? validation = null, Dataset? test = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        int batches = BatchCount, reportEvery = Math.Max(1, batches / 100);
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var report = RunBatch(validation, test);
            if (progress != null && ((batch - 1) % reportEvery == 0 || report != null))
                progress.Report(new TrainingProgress(Epoch + (report is null ? 1 : 0), report is null ? batch : batches, batches));
            if (report != null) return report;
        }
    }

    /// <summary>
    /// A batch whose cost exceeds both this multiple of the run's first batch cost and <see cref="DivergenceFloor"/>
    /// has diverged: no learning rate that works lets the cost grow a thousandfold.
    /// </summary>
    public const double DivergenceGrowth = 1000, DivergenceFloor = 100;

    /// <summary>
    /// Runs the next batch of the epoch under way (shuffling first at batch 0) and returns the epoch's report when
    /// that batch was its last, else null. A cost that is NaN or ∞, or that grew past the divergence rule, stops
    /// the run with a <see cref="BackpropException"/>, the weights as they were after the step that diverged.
    /// </summary>
    public EpochReport? RunBatch(Dataset? validation = null, Dataset? test = null)
    {
        if (Options.EarlyStoppingPatience != null && validation is null)
            throw new BackpropException("early stopping watches the validation cost, and no validation data was given; pass validation data to the trainer, or leave TrainingOptions.EarlyStoppingPatience unset");
        long started = Stopwatch.GetTimestamp();
        if (batch == 0)
        {
            // The shuffle belongs to batch 0, after the caller's cancellation check: a trainer at batch 0 has not
            // shuffled yet, so a checkpoint at an epoch boundary resumes by shuffling, as the run would have.
            if (Options.Shuffle) rng.Shuffle<int>(order);
            costSum = 0;
            epochSeconds = 0;
        }
        int epoch = Epoch + 1;
        int start = batch * Options.BatchSize;
        int count = Math.Min(Options.BatchSize, Train.Count - start);
        float cost = Step(order.AsSpan(start, count));
        if (!float.IsFinite(cost))
            throw new BackpropException($"training diverged in epoch {epoch}, batch {batch + 1}: the cost became {NumberText.Of(cost)}; lower the learning rate (TrainingOptions.LearningRate {NumberText.Of(Options.LearningRate)} now, try {NumberText.Of(Options.LearningRate / 10)})");
        if (firstCost is null) firstCost = cost;
        else if (cost > DivergenceGrowth * firstCost && cost > DivergenceFloor)
            throw new BackpropException($"training diverged in epoch {epoch}, batch {batch + 1}: the cost grew from {NumberText.Of(firstCost.Value, 4)} to {NumberText.Of(cost, 4)}; lower the learning rate (TrainingOptions.LearningRate {NumberText.Of(Options.LearningRate)} now, try {NumberText.Of(Options.LearningRate / 10)})");
        costSum += (double)cost * count;
        batch++;
        epochSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (batch < BatchCount)
        {
            BetweenBatches?.Invoke(this);
            return null;
        }

        double trainCost = costSum / Train.Count;
        Epoch = epoch;
        batch = 0;
        costSum = 0;
        LastReport = Measure(epoch, trainCost, epochSeconds, validation, test);
        EndEpoch(LastReport);
        EpochEnded?.Invoke(this, LastReport);
        return LastReport;
    }

    /// <summary>
    /// A report of the network as it stands: validation and test accuracy and cost (a regression's metrics), with the
    /// given epoch, train cost and time — after early stopping put the best weights back, what the saved model scores.
    /// </summary>
    public EpochReport Measure(int epoch, double trainCost, double seconds, Dataset? validation = null, Dataset? test = null)
    {
        bool regression = Train.Task == LearningTask.Regression;
        var validationEvaluation = validation is null ? (Evaluation?)null : Evaluation.Of(Network, validation);
        var report = regression
            ? new EpochReport(epoch, trainCost, null, null, seconds)
            {
                TrainMetrics = RegressionMetrics.Of(Network, Train, TargetScale),
                ValidationMetrics = validation is null ? null : RegressionMetrics.Of(Network, validation, TargetScale),
                TestMetrics = test is null ? null : RegressionMetrics.Of(Network, test, TargetScale),
            }
            : new EpochReport(epoch, trainCost, validationEvaluation?.Accuracy, test is null ? null : Evaluation.Of(Network, test).Accuracy, seconds);
        return report with { ValidationCost = validationEvaluation?.Cost, LearningRate = Optimizer.LearningRate };
    }

    /// <summary>
    /// After epoch <see cref="Epoch"/>: early stopping's record (Keras's EarlyStopping: an epoch improves when its
    /// validation cost is below the best so far; after <see cref="TrainingOptions.EarlyStoppingPatience"/> epochs that
    /// do not, the run stops), the best weights put back when the run ends, and the schedule's η for the next epoch.
    /// </summary>
    void EndEpoch(EpochReport report)
    {
        if (Options.EarlyStoppingPatience is { } patience)
        {
            double cost = report.ValidationCost!.Value; // RunBatch refused to start without validation data
            if (BestValidationCost is not { } best || cost < best)
            {
                BestEpoch = report.Epoch;
                BestValidationCost = cost;
                EpochsWithoutImprovement = 0;
                BestParameters = Network.Layers.SelectMany(l => new[] { (float[])l.Weights.Clone(), (float[])l.Biases.Clone() }).ToArray();
            }
            else if (++EpochsWithoutImprovement >= patience) StoppedEarly = true;
            if (Finished && BestEpoch != report.Epoch && BestParameters is { } parameters)
                for (int l = 0; l < Network.Layers.Count; l++)
                {
                    parameters[2 * l].CopyTo(Network.Layers[l].Weights, 0);
                    parameters[2 * l + 1].CopyTo(Network.Layers[l].Biases, 0);
                }
        }
        if (Options.Schedule is { } schedule && !Finished)
            Optimizer.LearningRate = schedule.Next(Optimizer.LearningRate, Options.LearningRate, Epoch, Plateau, report.ValidationCost ?? report.TrainCost);
    }

    /// <summary>One gradient-descent step on the training examples at <paramref name="indices"/> (at most
    /// <see cref="TrainingOptions.BatchSize"/> of them); returns their mean cost before the step.</summary>
    public float Step(ReadOnlySpan<int> indices)
    {
        RequireBatch(indices.Length);
        int features = Train.FeatureCount, outputs = Network.OutputSize;
        var input = pass.Input;
        for (int i = 0; i < indices.Length; i++)
        {
            int example = indices[i];
            if ((uint)example >= (uint)Train.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"example index {example} at position {i} is outside the training data's 0 … {Train.Count - 1}");
            Train.Features.AsSpan(example * features, features).CopyTo(input.Slice(i * features, features));
            Train.FillTargets(example, targets.AsSpan(i * outputs, outputs), outputs);
        }
        return StepOnInput(indices.Length);
    }

    /// <summary>
    /// One gradient-descent step on the caller's own examples, not the training data's: <paramref name="inputs"/> holds
    /// n rows of the network's inputs, <paramref name="targets"/> n rows of its outputs' targets y (one-hot for classes),
    /// with n at most <see cref="TrainingOptions.BatchSize"/>. Returns their mean cost before the step; allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are not whole rows of one count, or more than a batch.</exception>
    public float Step(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        int features = Network.InputSize, outputs = Network.OutputSize;
        if (inputs.Length % features != 0 || inputs.Length == 0)
            throw new ArgumentException($"inputs holds {inputs.Length} numbers, not a whole number of rows of {features} inputs", nameof(inputs));
        int count = inputs.Length / features;
        if (targets.Length != count * outputs)
            throw new ArgumentException($"targets holds {targets.Length} numbers but {count} examples of {outputs} outputs need {count * outputs}", nameof(targets));
        RequireBatch(count);
        inputs.CopyTo(pass.Input);
        targets.CopyTo(this.targets);
        return StepOnInput(count);
    }

    void RequireBatch(int count)
    {
        if (count < 1 || count > pass.MaximumBatch)
            throw new ArgumentException($"a step takes 1 to {pass.MaximumBatch} examples (the batch size), got {count}");
    }

    float StepOnInput(int count)
    {
        pass.Forward(count);
        float cost = pass.Backward(targets, count);
        Optimizer.Step(pass);
        return cost;
    }
}
