namespace Backprop.Data;

/// <summary>
/// Labelled examples in one contiguous block: example i's features are
/// <c>Features[i*FeatureCount .. (i+1)*FeatureCount)</c>, its class is <c>Labels[i]</c>. Classes may have names
/// (<see cref="ClassNames"/>, class k named <c>ClassNames[k]</c>) when the file gave words or a scikit-learn header.
/// </summary>
public sealed class Dataset
{
    public Dataset(float[] features, int[] labels, int featureCount, int classCount, IReadOnlyList<string>? classNames = null)
    {
        if (classNames != null && classNames.Count != classCount)
            throw new BackpropException($"{classNames.Count} class names do not name {classCount} classes; give one name per class");
        if (featureCount <= 0) throw new BackpropException($"a dataset needs at least one feature, got {featureCount}");
        if (features.Length != (long)labels.Length * featureCount)
            throw new BackpropException($"{features.Length} feature values do not make {labels.Length} examples of {featureCount} features");
        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
        ClassCount = classCount;
        ClassNames = classNames;
    }

    /// <summary>Class k's name, or null when the classes are plain numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Row-major, <see cref="Count"/> × <see cref="FeatureCount"/>.</summary>
    public float[] Features { get; }
    public int[] Labels { get; }
    public int FeatureCount { get; }
    /// <summary>Number of classes the labels range over (labels are 0 … ClassCount−1).</summary>
    public int ClassCount { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<float> Example(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>The examples at <paramref name="indices"/>, in that order, copied.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var features = new float[(long)indices.Length * FeatureCount];
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Example(indices[i]).CopyTo(features.AsSpan(i * FeatureCount, FeatureCount));
            labels[i] = Labels[indices[i]];
        }
        return new Dataset(features, labels, FeatureCount, ClassCount, ClassNames);
    }
}
