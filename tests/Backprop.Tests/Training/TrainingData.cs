using Backprop.Data;

namespace Backprop.Tests.Training;

internal static class TrainingData
{
    /// <summary>Seeded standard-normal features and uniform labels.</summary>
    public static Dataset Random(int count, int features, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextGaussian();
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = rng.NextInt(classes);
        return new Dataset(x, labels, features, classes);
    }
}
