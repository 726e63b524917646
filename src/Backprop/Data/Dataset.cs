namespace Backprop.Data;

/// <summary>What a dataset's targets are: a class per example, or real numbers.</summary>
public enum LearningTask
{
    /// <summary>Each example's target is a class, 0 … k−1; the output is one-hot (or one neuron for two classes).</summary>
    Classification,
    /// <summary>Each example's targets are real numbers, the output's values.</summary>
    Regression,
}

/// <summary>
/// Examples with targets, in one contiguous block: example i's features are
/// <c>Features[i*FeatureCount .. (i+1)*FeatureCount)</c>. Its target is a class, <c>Labels[i]</c>
/// (classification; classes may have names, class k named <c>ClassNames[k]</c>), or real numbers,
/// <c>Values[i*TargetCount .. (i+1)*TargetCount)</c> (regression). One type for both, so that one reader, one
/// split, one standardisation and one trainer serve both tasks; <see cref="FillTargets"/> is where they differ.
/// </summary>
public sealed class Dataset
{
    /// <summary>A classification dataset: <paramref name="features"/> row-major, examples × <paramref name="featureCount"/>; <paramref name="labels"/> the class of each example, 0 … <paramref name="classCount"/> − 1. The arrays are kept, not copied (see <see cref="FromArrays(float[,], int[], IReadOnlyList{string}?)"/> for a checked copy).</summary>
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

    /// <summary>
    /// A classification dataset from a table of inputs, one example per row (examples × features), and each
    /// example's class, 0 … k−1. The classes are the largest label + 1 (at least 2), or as many as
    /// <paramref name="classNames"/> when they are named. The values are copied; every input must be a finite number.
    /// </summary>
    public static Dataset FromArrays(float[,] inputs, int[] labels, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return FromRows(Flatten(inputs), inputs.GetLength(0), inputs.GetLength(1), labels, classNames);
    }

    /// <summary>As <see cref="FromArrays(float[,], int[], IReadOnlyList{string}?)"/>, from one array per example, all of one length.</summary>
    public static Dataset FromArrays(float[][] inputs, int[] labels, IReadOnlyList<string>? classNames = null)
    {
        var (features, featureCount) = Flatten(inputs);
        return FromRows(features, inputs.Length, featureCount, labels, classNames);
    }

    /// <summary>
    /// A regression dataset of one target: <paramref name="inputs"/> has one example per row (examples × features),
    /// <paramref name="values"/>[i] is example i's target y. The values are copied; all must be finite numbers.
    /// </summary>
    public static Dataset FromArrays(float[,] inputs, float[] values)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(values);
        return FromRows(Flatten(inputs), inputs.GetLength(0), inputs.GetLength(1), (float[])values.Clone(), values.Length, 1);
    }

    /// <summary>A regression dataset of several targets: <paramref name="values"/> is examples × targets.</summary>
    public static Dataset FromArrays(float[,] inputs, float[,] values)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(values);
        return FromRows(Flatten(inputs), inputs.GetLength(0), inputs.GetLength(1), Flatten(values), values.GetLength(0), values.GetLength(1));
    }

    /// <summary>As <see cref="FromArrays(float[,], float[])"/>, from one array per example, all of one length.</summary>
    public static Dataset FromArrays(float[][] inputs, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var (features, featureCount) = Flatten(inputs);
        return FromRows(features, inputs.Length, featureCount, (float[])values.Clone(), values.Length, 1);
    }

    static Dataset FromRows(float[] features, int examples, int featureCount, int[] labels, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != examples)
            throw new ArgumentException($"{examples} rows of inputs but {labels.Length} labels; give one label per row", nameof(labels));
        RequireExamples(examples, featureCount);
        RequireFinite(features, featureCount, "inputs");
        if (classNames is { Count: < 2 })
            throw new ArgumentException($"{classNames.Count} class name{(classNames.Count == 1 ? "" : "s")}; a classifier needs at least two classes, so name two or more (or give no names)", nameof(classNames));
        int classCount = classNames?.Count ?? 2;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= CsvReader.MaxClassCount)
                throw new ArgumentException($"labels[{i}] is {labels[i]}; classes are numbered 0, 1, 2, … (below {CsvReader.MaxClassCount})", nameof(labels));
            if (classNames is null) classCount = Math.Max(classCount, labels[i] + 1);
            else if (labels[i] >= classNames.Count)
                throw new ArgumentException($"labels[{i}] is {labels[i]} but {classNames.Count} class names name classes 0 to {classNames.Count - 1}; give a name for every class", nameof(labels));
        }
        return new Dataset(features, (int[])labels.Clone(), featureCount, classCount, classNames);
    }

    static Dataset FromRows(float[] features, int examples, int featureCount, float[] values, int valueRows, int targetCount)
    {
        if (valueRows != examples)
            throw new ArgumentException($"{examples} rows of inputs but {valueRows} rows of target values; give one row of targets per row of inputs", "values");
        RequireExamples(examples, featureCount);
        if (targetCount == 0) throw new ArgumentException("the target values have no columns; a regression needs at least one target", "values");
        RequireFinite(features, featureCount, "inputs");
        RequireFinite(values, targetCount, "values");
        return new Dataset(features, values, featureCount, targetCount);
    }

    static void RequireExamples(int examples, int featureCount)
    {
        if (examples == 0) throw new ArgumentException("the inputs have no rows; give at least one example", "inputs");
        if (featureCount == 0) throw new ArgumentException("the inputs have no columns; every example needs at least one feature", "inputs");
    }

    static void RequireFinite(float[] values, int columns, string name)
    {
        int i = Array.FindIndex(values, v => !float.IsFinite(v));
        if (i >= 0) throw new ArgumentException($"{name}[{i / columns}, {i % columns}] is {values[i]}; every value must be a finite number", name);
    }

    static float[] Flatten(float[,] table)
    {
        var flat = new float[table.Length];
        // A rectangular array is one row-major block: the same layout as Features.
        Buffer.BlockCopy(table, 0, flat, 0, table.Length * sizeof(float));
        return flat;
    }

    static (float[] Flat, int Columns) Flatten(float[][] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0) return ([], 0);
        int columns = rows[0]?.Length ?? throw new ArgumentException("inputs[0] is null; give every example an array of features", "inputs");
        var flat = new float[(long)rows.Length * columns];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"inputs[{i}] is null; give every example an array of features", "inputs");
            if (row.Length != columns)
                throw new ArgumentException($"inputs[{i}] has {row.Length} features but inputs[0] has {columns}; every example needs the same features", "inputs");
            row.CopyTo(flat, (long)i * columns);
        }
        return (flat, columns);
    }

    /// <summary>Row-major, <see cref="Count"/> × <see cref="FeatureCount"/>.</summary>
    public float[] Features { get; }
    /// <summary>Class labels (classification); empty for a regression.</summary>
    public int[] Labels { get; }
    /// <summary>Real targets, row-major <see cref="Count"/> × <see cref="TargetCount"/> (regression); null for classes.</summary>
    public float[]? Values { get; }
    /// <summary>Features per example: the size of the network's input a⁰.</summary>
    public int FeatureCount { get; }
    /// <summary>Number of classes the labels range over (labels are 0 … ClassCount−1); 0 for a regression.</summary>
    public int ClassCount { get; }
    /// <summary>Real targets per example (regression); 0 for classes.</summary>
    public int TargetCount { get; }
    /// <summary>Examples in the dataset.</summary>
    public int Count { get; }
    /// <summary>Classification when the targets are classes, regression when they are real numbers.</summary>
    public LearningTask Task => Values is null ? LearningTask.Classification : LearningTask.Regression;

    /// <summary>Class k's name, or null when the classes are plain numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Example <paramref name="index"/>'s features, without a copy.</summary>
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
