namespace Backprop.Data;

/// <summary>What a dataset's targets are: a class per example, or real numbers.</summary>
public enum LearningTask { Classification, Regression }

/// <summary>
/// Examples with targets, in one contiguous block: example i's features are
/// <c>Features[i*FeatureCount .. (i+1)*FeatureCount)</c>. Its target is a class, <c>Labels[i]</c>
/// (classification; classes may have names, class k named <c>ClassNames[k]</c>), or real numbers,
/// <c>Values[i*TargetCount .. (i+1)*TargetCount)</c> (regression). One type for both, so that one reader, one
/// split, one standardisation and one trainer serve both tasks; <see cref="FillTargets"/> is where they differ.
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
        Count = labels.Length;
    }

    /// <summary>A regression dataset: <paramref name="values"/> is row-major, examples × <paramref name="targetCount"/>.</summary>
    public Dataset(float[] features, float[] values, int featureCount, int targetCount)
    {
        if (featureCount <= 0) throw new BackpropException($"a dataset needs at least one feature, got {featureCount}");
        if (targetCount <= 0) throw new BackpropException($"a regression needs at least one target, got {targetCount}");
        if (values.Length % targetCount != 0 || features.Length != (long)(values.Length / targetCount) * featureCount)
            throw new BackpropException($"{features.Length} feature values and {values.Length} target values do not make examples of {featureCount} features and {targetCount} targets");
        Features = features;
        Values = values;
        Labels = [];
        FeatureCount = featureCount;
        TargetCount = targetCount;
        Count = values.Length / targetCount;
    }

    /// <summary>Row-major, <see cref="Count"/> × <see cref="FeatureCount"/>.</summary>
    public float[] Features { get; }
    /// <summary>Class labels (classification); empty for a regression.</summary>
    public int[] Labels { get; }
    /// <summary>Real targets, row-major <see cref="Count"/> × <see cref="TargetCount"/> (regression); null for classes.</summary>
    public float[]? Values { get; }
    public int FeatureCount { get; }
    /// <summary>Number of classes the labels range over (labels are 0 … ClassCount−1); 0 for a regression.</summary>
    public int ClassCount { get; }
    /// <summary>Real targets per example (regression); 0 for classes.</summary>
    public int TargetCount { get; }
    public int Count { get; }
    public LearningTask Task => Values is null ? LearningTask.Classification : LearningTask.Regression;

    /// <summary>Class k's name, or null when the classes are plain numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    public ReadOnlySpan<float> Example(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>
    /// The target vector y of example <paramref name="index"/> for a network of <paramref name="outputSize"/> outputs:
    /// one-hot for a class (the label itself for one output neuron, see <see cref="Training.Targets.Fill"/>), the
    /// values themselves for a regression.
    /// </summary>
    public void FillTargets(int index, Span<float> y, int outputSize)
    {
        if (Values is null) Training.Targets.Fill<float>(Labels.AsSpan(index, 1), y, outputSize);
        else Values.AsSpan(index * TargetCount, TargetCount).CopyTo(y);
    }

    /// <summary>The same targets with other features (made or standardised), <paramref name="featureCount"/> per example.</summary>
    public Dataset WithFeatures(float[] features, int featureCount) => Values is null
        ? new Dataset(features, Labels, featureCount, ClassCount, ClassNames)
        : new Dataset(features, Values, featureCount, TargetCount);

    /// <summary>The same features with other real targets (standardised); a regression's only.</summary>
    public Dataset WithValues(float[] values) => new(Features, values, FeatureCount, TargetCount);

    /// <summary>The examples at <paramref name="indices"/>, in that order, copied.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var features = new float[(long)indices.Length * FeatureCount];
        for (int i = 0; i < indices.Length; i++)
            Example(indices[i]).CopyTo(features.AsSpan(i * FeatureCount, FeatureCount));
        if (Values is { } source)
        {
            var values = new float[(long)indices.Length * TargetCount];
            for (int i = 0; i < indices.Length; i++)
                source.AsSpan(indices[i] * TargetCount, TargetCount).CopyTo(values.AsSpan(i * TargetCount, TargetCount));
            return new Dataset(features, values, FeatureCount, TargetCount);
        }
        var labels = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = Labels[indices[i]];
        return new Dataset(features, labels, FeatureCount, ClassCount, ClassNames);
    }
}
