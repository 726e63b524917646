using Backprop.Data;

namespace Backprop.Tests.Data;

public class FeatureMapTests
{
    [Fact]
    public void Every_feature_of_a_point_is_what_its_name_says_in_the_canonical_order()
    {
        var map = FeatureMap.Parse("sin(x2), x1*x2, x2^2, x1², x2, x1, sinx1");
        Assert.Equal(FeatureMap.Names, map.Selected);
        var features = new float[7];
        map.Apply(0.5f, -2f, features);
        Assert.Equal([0.5f, -2f, 0.25f, 4f, -1f, (float)Math.Sin(0.5f), (float)Math.Sin(-2f)], features);
    }

    [Fact]
    public void A_dataset_of_points_becomes_a_dataset_of_features_with_the_same_labels()
    {
        var data = new Dataset([1, 2, 3, 4], [0, 1], 2, 2);
        var mapped = FeatureMap.Parse("x1,x2^2").Apply(data);
        Assert.Equal([1f, 4f, 3f, 16f], mapped.Features);
        Assert.Equal(data.Labels, mapped.Labels);
        Assert.Same(data, FeatureMap.Plain.Apply(data));
    }

    [Theory]
    [InlineData("x1,x3", "unknown feature 'x3'; the features of a point (x1, x2) are x1, x2, x1^2, x2^2, x1x2, sinx1, sinx2")]
    [InlineData("x1,x1", "feature x1 is listed twice")]
    public void Bad_lists_are_refused_naming_the_fix(string text, string message) => Expect.Failure(() => FeatureMap.Parse(text), message);

    [Fact]
    public void Features_of_a_point_need_data_of_two_features()
    {
        Expect.Failure(() => FeatureMap.Parse("x1,x1^2").Apply(new Dataset(new float[6], [0, 1], 3, 2)), "the data has 3 features");
    }
}
