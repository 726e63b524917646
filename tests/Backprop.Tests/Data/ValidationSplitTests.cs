using Backprop.Data;

namespace Backprop.Tests.Data;

public class ValidationSplitTests
{
    /// <summary>Example i has the single feature i, so each part shows which examples it got.</summary>
    static Dataset Numbered(int n)
    {
        var features = new float[n];
        var labels = new int[n];
        for (int i = 0; i < n; i++) { features[i] = i; labels[i] = i % 2; }
        return new Dataset(features, labels, 1, 2);
    }

    [Fact]
    public void SplitIsADisjointCoverInOriginalOrder()
    {
        var (train, validation) = ValidationSplit.Split(Numbered(100), 0.25, 3);

        Assert.Equal(75, train.Count);
        Assert.Equal(25, validation.Count);
        var all = train.Features.Concat(validation.Features).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), all);
        Assert.Equal(train.Features.Order(), train.Features);
        Assert.Equal(validation.Features.Order(), validation.Features);
        for (int i = 0; i < validation.Count; i++)
            Assert.True(validation.Labels[i] == (int)validation.Features[i] % 2, $"validation example {i} lost its label");
        // A random choice, not the first or last quarter.
        Assert.NotEqual(Enumerable.Range(0, 25).Select(i => (float)i), validation.Features);
        Assert.NotEqual(Enumerable.Range(75, 25).Select(i => (float)i), validation.Features);
    }

    [Fact]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var data = Numbered(100);
        Assert.Equal(ValidationSplit.Split(data, 0.1, 8).Validation.Features, ValidationSplit.Split(data, 0.1, 8).Validation.Features);
        Assert.NotEqual(ValidationSplit.Split(data, 0.1, 8).Validation.Features, ValidationSplit.Split(data, 0.1, 9).Validation.Features);
    }

    [Fact]
    public void SmallestAndLargestWorkingFractionsLeaveOneOnASide()
    {
        Assert.Equal(1, ValidationSplit.Split(Numbered(10), 0.1, 1).Validation.Count);
        Assert.Equal(1, ValidationSplit.Split(Numbered(10), 0.9, 1).Train.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.2)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FractionOutsideZeroOneIsRefused(double fraction)
    {
        Expect.Failure(() => ValidationSplit.Split(Numbered(10), fraction, 1), "ValidationSplit.Split fraction must be between 0 and 1");
    }

    [Fact]
    public void FractionLeavingASideEmptyIsRefused()
    {
        Expect.Failure(() => ValidationSplit.Split(Numbered(10), 0.01, 1), "ValidationSplit.Split fraction must be between 0 and 1", "gives 0 for validation and 10 for training");
        Expect.Failure(() => ValidationSplit.Split(Numbered(10), 0.97, 1), "gives 10 for validation and 0 for training");
        Expect.Failure(() => ValidationSplit.Split(Numbered(1), 0.5, 1), "at least 2 examples");
    }
}
