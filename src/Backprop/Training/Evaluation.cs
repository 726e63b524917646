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
        Targets.CheckFits(network.Architecture, data.FeatureCount, data.Labels, "the data");
        var pass = new Propagator<float>(network, Math.Min(Chunk, Math.Max(1, data.Count)), forwardOnly: true);
        var targets = new float[pass.MaximumBatch * network.OutputSize];
        int correct = 0;
        double cost = 0;
        for (int start = 0; start < data.Count; start += pass.MaximumBatch)
        {
            int count = Math.Min(pass.MaximumBatch, data.Count - start);
            data.Features.AsSpan(start * data.FeatureCount, count * data.FeatureCount).CopyTo(pass.Input);
            var labels = data.Labels.AsSpan(start, count);
            Targets.Fill<float>(labels, targets, network.OutputSize);
            pass.Forward(count);
            cost += (double)pass.Cost(targets, count) * count;
            var outputs = pass.Output(count);
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
/// Counts[actual, predicted]: how many examples of class <c>actual</c> the network called <c>predicted</c>.
/// Precision of class k = Counts[k,k] / Σ_actual Counts[·,k] (of the examples called k, the part that is k);
/// recall = Counts[k,k] / Σ_predicted Counts[k,·] (of the examples of k, the part found). Null when nothing is counted.
/// </summary>
public sealed class ConfusionMatrix(int classCount)
{
    readonly long[] counts = new long[checked(classCount * classCount)];

    public int ClassCount { get; } = classCount;

    public long this[int actual, int predicted] => counts[actual * ClassCount + predicted];

    public void Add(int actual, int predicted) => counts[actual * ClassCount + predicted]++;

    public long Actual(int k)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += this[k, p];
        return sum;
    }

    public long Predicted(int k)
    {
        long sum = 0;
        for (int a = 0; a < ClassCount; a++) sum += this[a, k];
        return sum;
    }

    public double? Precision(int k) => Predicted(k) == 0 ? null : (double)this[k, k] / Predicted(k);

    public double? Recall(int k) => Actual(k) == 0 ? null : (double)this[k, k] / Actual(k);

    /// <summary>Row by row: row = actual class, column = predicted class.</summary>
    public long[][] Rows() => Enumerable.Range(0, ClassCount).Select(a => Enumerable.Range(0, ClassCount).Select(p => this[a, p]).ToArray()).ToArray();
}
