using System.Diagnostics;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;

namespace Backprop.Training;

/// <summary>Where training is within an epoch, reported every few batches for progress bars.</summary>
public readonly record struct TrainingProgress(int Epoch, int Batch, int BatchCount);

/// <summary>What one epoch did. Accuracies are null when there is no such data.</summary>
public sealed record EpochReport(int Epoch, double TrainCost, double? ValidationAccuracy, double? TestAccuracy, double Seconds);

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

    public Trainer(Network<float> network, TrainingOptions options, Dataset train)
    {
        Options = options.Validate();
        Network = network;
        Train = train;
        if (train.Count == 0) throw new BackpropException("the training data holds no examples");
        Targets.CheckFits(network.Architecture, train.FeatureCount, train.Labels, "the training data");
        Optimizer = Optimizer<float>.Create(options.Optimizer, network, options.LearningRate, options.Momentum, options.WeightDecay);
        pass = new Propagator<float>(network, Math.Min(options.BatchSize, train.Count));
        targets = new float[pass.MaximumBatch * network.OutputSize];
        order = Enumerable.Range(0, train.Count).ToArray();
        // The shuffling stream is the seed's own, apart from initialisation's, so that --init FILE with the
        // same seed visits examples in the same order as a run that initialised itself.
        rng = new Rng(options.Seed ^ 0x5DEECE66DUL);
    }

    public TrainingOptions Options { get; }
    public Network<float> Network { get; }
    public Dataset Train { get; }
    public Optimizer<float> Optimizer { get; }
    /// <summary>Epochs finished so far.</summary>
    public int Epoch { get; private set; }
    public int BatchCount => (Train.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>Runs every remaining epoch, yielding a report after each.</summary>
    public IEnumerable<EpochReport> Run(Dataset? validation = null, Dataset? test = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        while (Epoch < Options.Epochs)
            yield return RunEpoch(validation, test, progress, cancellation);
    }

    public EpochReport RunEpoch(Dataset? validation = null, Dataset? test = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        int epoch = Epoch + 1;
        var clock = Stopwatch.StartNew();
        if (Options.Shuffle) rng.Shuffle<int>(order);
        double costSum = 0;
        int batches = BatchCount, reportEvery = Math.Max(1, batches / 100);
        for (int batch = 0; batch < batches; batch++)
        {
            cancellation.ThrowIfCancellationRequested();
            int start = batch * Options.BatchSize;
            int count = Math.Min(Options.BatchSize, Train.Count - start);
            float cost = Step(order.AsSpan(start, count));
            if (!float.IsFinite(cost))
                throw new BackpropException($"training diverged in epoch {epoch}, batch {batch + 1}: the cost became {cost}; lower the learning rate (--lr {Options.LearningRate} now, try {Options.LearningRate / 10})");
            costSum += (double)cost * count;
            if (progress != null && (batch % reportEvery == 0 || batch == batches - 1))
                progress.Report(new TrainingProgress(epoch, batch + 1, batches));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Epoch = epoch;
        return new EpochReport(epoch, costSum / Train.Count,
            validation is null ? null : Evaluation.Of(Network, validation).Accuracy,
            test is null ? null : Evaluation.Of(Network, test).Accuracy,
            seconds);
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
            Targets.Fill<float>(Train.Labels.AsSpan(example, 1), targets.AsSpan(i * outputs, outputs), outputs);
        }
        pass.Forward(indices.Length);
        float cost = pass.Backward(targets, indices.Length);
        Optimizer.Step(pass);
        return cost;
    }
}
