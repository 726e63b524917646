using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Training;

/// <summary>Accuracy (fraction of examples whose predicted class is the label) and mean cost.</summary>
public readonly record struct Evaluation(double Accuracy, double Cost, int Count)
{
    const int Chunk = 1000;

    /// <param name="network">The network judged.</param>
    /// <param name="data">Its examples, prepared as it was trained.</param>
    /// <param name="confusion">When given (sized for the network's classes), counts every example in it.</param>
    public static Evaluation Of(Network<float> network, Dataset data, ConfusionMatrix? confusion = null)
    {
        Targets.CheckFits(network.Architecture, data, "the data");
        bool classes = data.Task == LearningTask.Classification;
        var pass = new Propagator<float>(network, Math.Min(Chunk, Math.Max(1, data.Count)), forwardOnly: true);
        var targets = new float[pass.MaximumBatch * network.OutputSize];
        int correct = 0;
        double cost = 0;
        for (int start = 0; start < data.Count; start += pass.MaximumBatch)
        {
            int count = Math.Min(pass.MaximumBatch, data.Count - start);
            data.Features.AsSpan(start * data.FeatureCount, count * data.FeatureCount).CopyTo(pass.Input);
            for (int i = 0; i < count; i++) data.FillTargets(start + i, targets.AsSpan(i * network.OutputSize, network.OutputSize), network.OutputSize);
            pass.Forward(count);
            cost += (double)pass.Cost(targets, count) * count;
            if (!classes) continue;
            var outputs = pass.Output(count);
            var labels = data.Labels.AsSpan(start, count);
            for (int i = 0; i < count; i++)
            {
                int predicted = Targets.Predict(outputs.Slice(i * network.OutputSize, network.OutputSize));
                if (predicted == labels[i]) correct++;
                confusion?.Add(labels[i], predicted);
            }
        }
        return data.Count == 0 ? new(0, 0, 0) : new((double)correct / data.Count, cost / data.Count, data.Count);
    }
}

/// <summary>
/// How far a regression's predictions ŷ are from its targets y, in the targets' own units (standardisation undone),
/// over n examples and T targets: MSE = Σ (ŷ − y)² / (nT), RMSE = √MSE, MAE = Σ |ŷ − y| / (nT), and
/// R² = 1 − Σ (ŷ − y)² / Σ (y − ȳ)², averaged over the targets (scikit-learn's r2_score: 1 when a constant target is
/// predicted exactly, 0 when not). Sums in double.
/// </summary>
public sealed record RegressionMetrics(double Mse, double Rmse, double Mae, double R2, int Count)
{
    const int Chunk = 1000;

    /// <param name="network">The network judged.</param>
    /// <param name="data">A regression dataset, prepared as the network was trained (targets standardised with <paramref name="targetScale"/>).</param>
    /// <param name="targetScale">The targets' standardisation, or null.</param>
    public static RegressionMetrics Of(Network<float> network, Dataset data, Standardizer? targetScale)
    {
        if (data.Values is not { } values) throw new BackpropException("regression metrics need real targets, not class labels");
        Targets.CheckFits(network.Architecture, data, "the data");
        int t = data.TargetCount;
        var pass = new Propagator<float>(network, Math.Min(Chunk, Math.Max(1, data.Count)), forwardOnly: true);
        var predicted = new float[pass.MaximumBatch * t];
        var actual = new float[pass.MaximumBatch * t];
        double squares = 0, absolute = 0;
        var sum = new double[t];
        var sumSquares = new double[t];
        var residual = new double[t];
        for (int start = 0; start < data.Count; start += pass.MaximumBatch)
        {
            int count = Math.Min(pass.MaximumBatch, data.Count - start);
            data.Features.AsSpan(start * data.FeatureCount, count * data.FeatureCount).CopyTo(pass.Input);
            pass.Forward(count);
            pass.Output(count).CopyTo(predicted);
            values.AsSpan(start * t, count * t).CopyTo(actual);
            targetScale?.Unapply(predicted.AsSpan(0, count * t));
            targetScale?.Unapply(actual.AsSpan(0, count * t));
            for (int i = 0; i < count * t; i++)
            {
                double d = (double)predicted[i] - actual[i];
                squares += d * d;
                absolute += Math.Abs(d);
                int k = i % t;
                residual[k] += d * d;
                sum[k] += actual[i];
                sumSquares[k] += (double)actual[i] * actual[i];
            }
        }
        int n = data.Count;
        if (n == 0) return new(0, 0, 0, 0, 0);
        double r2 = 0;
        for (int k = 0; k < t; k++)
        {
            double total = sumSquares[k] - sum[k] * sum[k] / n;
            r2 += total > 0 ? 1 - residual[k] / total : residual[k] == 0 ? 1 : 0;
        }
        double mse = squares / ((double)n * t);
        return new(mse, Math.Sqrt(mse), absolute / ((double)n * t), r2 / t, n);
    }
}

/// <summary>
/// Counts[actual, predicted]: how many examples of class <c>actual</c> the network called <c>predicted</c>.
/// Precision of class k = Counts[k,k] / Σ_actual Counts[·,k] (of the examples called k, the part that is k);
/// recall = Counts[k,k] / Σ_predicted Counts[k,·] (of the examples of k, the part found). Null when nothing is counted.
/// </summary>
public sealed class ConfusionMatrix(int classCount)
{
    readonly long[] counts = new long[checked(classCount * classCount)];

    /// <summary>Classes counted.</summary>
    public int ClassCount { get; } = classCount;

    /// <summary>Examples of class <paramref name="actual"/> called <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual * ClassCount + predicted];

    /// <summary>Counts one example.</summary>
    public void Add(int actual, int predicted) => counts[actual * ClassCount + predicted]++;

    /// <summary>Examples of class <paramref name="k"/>.</summary>
    public long Actual(int k)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += this[k, p];
        return sum;
    }

    /// <summary>Examples called <paramref name="k"/>.</summary>
    public long Predicted(int k)
    {
        long sum = 0;
        for (int a = 0; a < ClassCount; a++) sum += this[a, k];
        return sum;
    }

    /// <summary>Of the examples called k, the part that is k; null when none was called k.</summary>
    public double? Precision(int k) => Predicted(k) == 0 ? null : (double)this[k, k] / Predicted(k);

    /// <summary>Of the examples of k, the part found; null when there is none.</summary>
    public double? Recall(int k) => Actual(k) == 0 ? null : (double)this[k, k] / Actual(k);

    /// <summary>Row by row: row = actual class, column = predicted class.</summary>
    public long[][] Rows() => Enumerable.Range(0, ClassCount).Select(a => Enumerable.Range(0, ClassCount).Select(p => this[a, p]).ToArray()).ToArray();
}
