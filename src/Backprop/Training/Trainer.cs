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

    /// <summary>A trainer of <paramref name="network"/> (updated in place) on <paramref name="train"/>, with the <paramref name="options"/> validated first.</summary>
    public Trainer(Network<float> network, TrainingOptions options, Dataset train)
    {
        Options = options.Validate();
        Network = network;
        Train = train;
        if (train.Count == 0) throw new BackpropException("the training data holds no examples");
        Targets.CheckFits(network.Architecture, train, "the training data");
        Optimizer = Optimizer<float>.Create(options.Optimizer, network, options.LearningRate, options.Momentum, options.WeightDecay, options.L1);
        pass = new Propagator<float>(network, Math.Min(options.BatchSize, train.Count));
        targets = new float[pass.MaximumBatch * network.OutputSize];
        order = Enumerable.Range(0, train.Count).ToArray();
        // The shuffling stream is the seed's own, apart from initialisation's, so that --init FILE with the
        // same seed visits examples in the same order as a run that initialised itself.
        rng = new Rng(options.Seed ^ 0x5DEECE66DUL);
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

    /// <summary>
    /// Called after every batch but an epoch's last, when <see cref="Batch"/> batches of the epoch are done and
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
        batch = batchesDone;
        costSum = epochCostSum;
        LastReport = lastReport;
    }

    /// <summary>Runs every remaining epoch, yielding a report after each.</summary>
    public IEnumerable<EpochReport> Run(Dataset? validation = null, Dataset? test = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        while (Epoch < Options.Epochs)
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
            BetweenBatches?.Invoke(this);
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
            throw new BackpropException($"training diverged in epoch {epoch}, batch {batch + 1}: the cost became {NumberText.Of(cost)}; lower the learning rate (--lr {NumberText.Of(Options.LearningRate)} now, try {NumberText.Of(Options.LearningRate / 10)})");
        if (firstCost is null) firstCost = cost;
        else if (cost > DivergenceGrowth * firstCost && cost > DivergenceFloor)
            throw new BackpropException($"training diverged in epoch {epoch}, batch {batch + 1}: the cost grew from {NumberText.Of(firstCost.Value, 4)} to {NumberText.Of(cost, 4)}; lower the learning rate (--lr {NumberText.Of(Options.LearningRate)} now, try {NumberText.Of(Options.LearningRate / 10)})");
        costSum += (double)cost * count;
        batch++;
        epochSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (batch < BatchCount) return null;

        double trainCost = costSum / Train.Count;
        Epoch = epoch;
        batch = 0;
        costSum = 0;
        bool regression = Train.Task == LearningTask.Regression;
        LastReport = regression
            ? new EpochReport(epoch, trainCost, null, null, epochSeconds)
            {
                TrainMetrics = RegressionMetrics.Of(Network, Train, TargetScale),
                ValidationMetrics = validation is null ? null : RegressionMetrics.Of(Network, validation, TargetScale),
                TestMetrics = test is null ? null : RegressionMetrics.Of(Network, test, TargetScale),
            }
            : new EpochReport(epoch, trainCost,
                validation is null ? null : Evaluation.Of(Network, validation).Accuracy,
                test is null ? null : Evaluation.Of(Network, test).Accuracy,
                epochSeconds);
        return LastReport;
    }

    /// <summary>One gradient-descent step on the examples at <paramref name="indices"/>; returns their mean cost before the step.</summary>
    public float Step(ReadOnlySpan<int> indices)
    {
        int features = Train.FeatureCount, outputs = Network.OutputSize;
        var input = pass.Input;
        for (int i = 0; i < indices.Length; i++)
        {
            int example = indices[i];
            Train.Features.AsSpan(example * features, features).CopyTo(input.Slice(i * features, features));
            Train.FillTargets(example, targets.AsSpan(i * outputs, outputs), outputs);
        }
        pass.Forward(indices.Length);
        float cost = pass.Backward(targets, indices.Length);
        Optimizer.Step(pass);
        return cost;
    }
}
