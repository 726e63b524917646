using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Training;

/// <summary>Accuracy (fraction of examples whose predicted class is the label) and mean cost.</summary>
public readonly record struct Evaluation(double Accuracy, double Cost, int Count)
{
    const int Chunk = 1000;

    public static Evaluation Of(Network<float> network, Dataset data)
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
                if (Targets.Predict(outputs.Slice(i * network.OutputSize, network.OutputSize)) == labels[i]) correct++;
        }
        return data.Count == 0 ? new(0, 0, 0) : new((double)correct / data.Count, cost / data.Count, data.Count);
    }
}
