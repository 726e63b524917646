using System.Numerics.Tensors;

namespace Backprop.Data;

/// <summary>
/// Per-feature standardization x ↦ (x − μ) / σ with μ and σ (population standard deviation) taken from the
/// training set, so that every feature enters the network centred and with unit spread. The same μ and σ are
/// applied to validation, test and prediction inputs.
/// </summary>
public sealed class Standardizer
{
    /// <summary>A standardisation x′ = (x − mean) / deviation per feature, with the given means and deviations (one per feature, deviations above 0).</summary>
    public Standardizer(float[] mean, float[] deviation)
    {
        if (mean.Length == 0 || mean.Length != deviation.Length)
            throw new BackpropException($"a standardizer needs one mean and one deviation per feature, got {mean.Length} means and {deviation.Length} deviations");
        for (int k = 0; k < deviation.Length; k++)
            if (!float.IsFinite(mean[k]) || !float.IsNormal(deviation[k]) || deviation[k] < 0)
                throw new BackpropException($"standardizer feature {k}: mean {mean[k]} and deviation {deviation[k]} must be finite with deviation > 0; the model file is corrupt");
        Mean = mean;
        Deviation = deviation;
    }

    /// <summary>μ_k, one per feature.</summary>
    public float[] Mean { get; }
    /// <summary>σ_k, one per feature, always &gt; 0.</summary>
    public float[] Deviation { get; }
    /// <summary>Features standardised: the length of the means.</summary>
    public int FeatureCount => Mean.Length;

    /// <summary>
    /// μ_k = (1/n) Σᵢ x_ik, σ_k = √((1/n) Σᵢ (x_ik − μ_k)²), summed in double (60000 terms of float would lose digits).
    /// </summary>
    public static Standardizer Fit(Dataset train) => Fit(train.Features, train.FeatureCount);

    /// <summary>The same for any row-major table of <paramref name="features"/> columns: a regression's targets.</summary>
    public static Standardizer Fit(float[] rows, int features)
    {
        int n = rows.Length / features;
        if (n == 0) throw new BackpropException("cannot standardize from an empty training set; give it some examples");
        var train = new Rows(rows, features);
        var sum = new double[features];
        var min = new float[features];
        var max = new float[features];
        train.Example(0).CopyTo(min);
        train.Example(0).CopyTo(max);
        for (int i = 0; i < n; i++)
        {
            var row = train.Example(i);
            for (int k = 0; k < features; k++) sum[k] += row[k];
            TensorPrimitives.Min(min, row, min);
            TensorPrimitives.Max(max, row, max);
        }
        var mean = new double[features];
        for (int k = 0; k < features; k++) mean[k] = sum[k] / n;

        var squares = new double[features];
        for (int i = 0; i < n; i++)
        {
            var row = train.Example(i);
            for (int k = 0; k < features; k++)
            {
                double d = row[k] - mean[k];
                squares[k] += d * d;
            }
        }

        var meanOut = new float[features];
        var deviationOut = new float[features];
        for (int k = 0; k < features; k++)
        {
            float deviation = (float)Math.Sqrt(squares[k] / n);
            // A constant feature (e.g. an MNIST corner pixel that is 0 in every image) carries no information and
            // σ = 0 would divide by zero. With μ = its value and σ = 1 it maps to exactly 0, so it adds nothing to any
            // neuron, and a different value seen later stays finite. Tested on min == max because rounding can leave
            // σ a hair above 0 for a column that is truly constant.
            if (min[k] == max[k] || !float.IsNormal(deviation))
            {
                meanOut[k] = min[k] == max[k] ? min[k] : (float)mean[k];
                deviationOut[k] = 1;
            }
            else
            {
                meanOut[k] = (float)mean[k];
                deviationOut[k] = deviation;
            }
        }
        return new Standardizer(meanOut, deviationOut);
    }

    readonly record struct Rows(float[] Values, int Width)
    {
        public ReadOnlySpan<float> Example(int i) => Values.AsSpan(i * Width, Width);
    }

    /// <summary>x_ik = z_ik σ_k + μ_k, in place: standardised values back in their own units.</summary>
    public void Unapply(Span<float> values)
    {
        for (int start = 0; start < values.Length; start += FeatureCount)
        {
            var row = values.Slice(start, FeatureCount);
            TensorPrimitives.Multiply(row, Deviation, row);
            TensorPrimitives.Add(row, Mean, row);
        }
    }

    /// <summary>In place: x_ik ← (x_ik − μ_k) / σ_k for row-major n × FeatureCount <paramref name="features"/>.</summary>
    public void Apply(Span<float> features)
    {
        if (features.Length % FeatureCount != 0)
            throw new BackpropException($"{features.Length} values are not whole rows of {FeatureCount} features; give inputs shaped like the training data");
        for (int start = 0; start < features.Length; start += FeatureCount)
        {
            var row = features.Slice(start, FeatureCount);
            TensorPrimitives.Subtract(row, Mean, row);
            TensorPrimitives.Divide(row, Deviation, row);
        }
    }

    /// <summary>A standardized copy of <paramref name="data"/>; the original is untouched.</summary>
    public Dataset Apply(Dataset data)
    {
        if (data.FeatureCount != FeatureCount)
            throw new BackpropException($"the data has {data.FeatureCount} features but the standardizer was fitted on {FeatureCount}; use data shaped like the training data");
        var features = (float[])data.Features.Clone();
        Apply(features);
        return data.WithFeatures(features, data.FeatureCount);
    }
}
