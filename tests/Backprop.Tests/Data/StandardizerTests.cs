using Backprop.Data;

namespace Backprop.Tests.Data;

public class StandardizerTests
{
    // Four examples, three features: a ramp, an uneven column and a constant one.
    static Dataset Sample() => new([
        1, 10, 0.1f,
        2, 10, 0.1f,
        3, 20, 0.1f,
        4, 40, 0.1f,
    ], [0, 1, 0, 1], 3, 2);

    [Fact]
    public void FitGivesPopulationMeanAndDeviation()
    {
        var standardizer = Standardizer.Fit(Sample());

        // Column 0: μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25. Column 1: μ = 20, σ² = (100+100+0+400)/4 = 150.
        Assert.Equal([2.5f, 20f, 0.1f], standardizer.Mean);
        Assert.Equal((float)Math.Sqrt(1.25), standardizer.Deviation[0]);
        Assert.Equal((float)Math.Sqrt(150), standardizer.Deviation[1]);
        Assert.Equal(1f, standardizer.Deviation[2]);
    }

    [Fact]
    public void StandardizedTrainingDataHasMeanZeroAndDeviationOne()
    {
        var data = Sample();
        var standardized = Standardizer.Fit(data).Apply(data);

        for (int k = 0; k < 2; k++)
        {
            double mean = 0, squares = 0;
            for (int i = 0; i < 4; i++) mean += standardized.Features[3 * i + k] / 4.0;
            for (int i = 0; i < 4; i++) squares += Math.Pow(standardized.Features[3 * i + k] - mean, 2) / 4;
            Assert.True(Math.Abs(mean) < 1e-6, $"feature {k}: mean {mean}, expected 0 ± 1e-6");
            Assert.True(Math.Abs(Math.Sqrt(squares) - 1) < 1e-6, $"feature {k}: deviation {Math.Sqrt(squares)}, expected 1 ± 1e-6");
        }
        for (int i = 0; i < 4; i++)
            Assert.True(standardized.Features[3 * i + 2] == 0, $"example {i}: constant feature became {standardized.Features[3 * i + 2]}, expected exactly 0");
        Assert.Equal((1 - 2.5f) / (float)Math.Sqrt(1.25), standardized.Features[0]);
        Assert.Equal(data.Labels, standardized.Labels);
        Assert.Equal(1f, data.Features[0]); // the original is untouched
    }

    [Fact]
    public void ApplyToSpanWorksOnManyRowsAndRefusesPartialRows()
    {
        var standardizer = new Standardizer([1, 2], [2, 4]);
        float[] rows = [3, 2, 1, 10, -1, -2];

        standardizer.Apply(rows);

        Assert.Equal([1f, 0f, 0f, 2f, -1f, -1f], rows);
        Expect.Failure(() => standardizer.Apply(new float[3]), "3 values are not whole rows of 2 features");
        Expect.Failure(() => standardizer.Apply(new Dataset(new float[3], [0], 3, 2)), "3 features", "fitted on 2");
    }

    [Fact]
    public void ConstantColumnOverManyRowsMapsExactlyToZero()
    {
        // 0.1f summed 1001 times in double is not exactly 100.1: the mean must still come out as 0.1f.
        int n = 1001;
        var features = new float[2 * n];
        for (int i = 0; i < n; i++) { features[2 * i] = 0.1f; features[2 * i + 1] = i; }
        var standardizer = Standardizer.Fit(new Dataset(features, new int[n], 2, 2));

        Assert.Equal(0.1f, standardizer.Mean[0]);
        Assert.Equal(1f, standardizer.Deviation[0]);
        var row = new float[] { 0.1f, 500 };
        standardizer.Apply(row);
        Assert.Equal([0f, 0f], row);
    }

    [Fact]
    public void ConstructorRefusesBadParameters()
    {
        Expect.Failure(() => new Standardizer([0, 0], [1]), "2 means and 1 deviations");
        Expect.Failure(() => new Standardizer([0], [0]), "deviation 0");
        Expect.Failure(() => new Standardizer([float.NaN], [1]), "mean NaN");
        Expect.Failure(() => new Standardizer([0], [-1]), "deviation -1");
    }
}
