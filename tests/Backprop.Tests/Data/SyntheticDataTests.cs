using Backprop.Data;

namespace Backprop.Tests.Data;

public class SyntheticDataTests
{
    public static TheoryData<string> Names() => [.. SyntheticData.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void SameSeedGivesTheSameSetAndAnotherSeedAnotherSet(string name)
    {
        var first = SyntheticData.Generate(name, 200, 42);
        var again = SyntheticData.Generate(name, 200, 42);
        var other = SyntheticData.Generate(name, 200, 43);
        var test = SyntheticData.Generate(name, 200, SyntheticData.TestSeed(42));

        Assert.Equal(first.Features, again.Features);
        Assert.Equal(first.Labels, again.Labels);
        Assert.NotEqual(first.Features, other.Features);
        Assert.NotEqual(first.Features, test.Features);
    }

    [Theory]
    [InlineData("xor", 2)]
    [InlineData("spiral", 2)]
    [InlineData("circles", 2)]
    [InlineData("moons", 2)]
    [InlineData("blobs", 3)]
    public void ClassesAreBalancedAndAllFinite(string name, int classCount)
    {
        var data = SyntheticData.Generate(name, 1000, 7);

        Assert.Equal((1000, 2, classCount), (data.Count, data.FeatureCount, data.ClassCount));
        var perClass = new int[classCount];
        foreach (int label in data.Labels) perClass[label]++;
        for (int c = 0; c < classCount; c++)
            Assert.True(Math.Abs(perClass[c] - 1000.0 / classCount) < 1, $"class {c}: {perClass[c]} of 1000 examples");
        Assert.All(data.Features, x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void TestSeedDiffersFromTheSeedAndItsNeighbours()
    {
        for (ulong seed = 0; seed < 100; seed++)
        {
            ulong test = SyntheticData.TestSeed(seed);
            Assert.True(test > 1000, $"seed {seed}: test seed {test} collides with small training seeds");
        }
    }

    [Fact]
    public void XorPointsFillTheSquareWithClassFromTheQuadrant()
    {
        var data = SyntheticData.Generate("xor", 1000, 3);
        var quadrants = new int[4];
        for (int i = 0; i < data.Count; i++)
        {
            float x1 = data.Features[2 * i], x2 = data.Features[2 * i + 1];
            Assert.InRange(x1, -1f, 1f);
            Assert.InRange(x2, -1f, 1f);
            int expected = (x1 > 0) ^ (x2 > 0) ? 1 : 0;
            Assert.True(expected == data.Labels[i], $"example {i} at ({x1}, {x2}): expected class {expected}, actual {data.Labels[i]}");
            quadrants[(x1 > 0 ? 1 : 0) + (x2 > 0 ? 2 : 0)]++;
        }
        // Each quadrant holds about a quarter: 250 ± 4.5 standard deviations of a binomial(500, 1/2).
        Assert.All(quadrants, q => Assert.InRange(q, 200, 300));
    }

    [Fact]
    public void NoiselessSpiralArmsHaveAngleGrowingWithRadius()
    {
        var data = SyntheticData.Generate("spiral", 1000, 5, noise: 0);
        for (int i = 0; i < data.Count; i++)
        {
            double x = data.Features[2 * i], y = data.Features[2 * i + 1];
            double r = Math.Sqrt(x * x + y * y);
            Assert.InRange(r, 0, 1 + 1e-6);
            double expected = 2 * Math.PI * SyntheticData.SpiralTurns * r + data.Labels[i] * Math.PI;
            double difference = Math.IEEERemainder(Math.Atan2(y, x) - expected, 2 * Math.PI);
            // Angle error from float coordinates: ~1e-7/r radians, plus 2π·1.5·(error of r).
            Assert.True(Math.Abs(difference) < 1e-5 / Math.Max(r, 1e-2), $"example {i} at radius {r}: angle off its arm by {difference}");
        }
    }

    [Fact]
    public void NoisySpiralPointsLieNearTheirOwnArm()
    {
        var data = SyntheticData.Generate("spiral", 1000, 5);
        double ownTotal = 0;
        int nearerOther = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double x = data.Features[2 * i], y = data.Features[2 * i + 1];
            Assert.True(Math.Sqrt(x * x + y * y) < 1 + 6 * SyntheticData.SpiralNoise, $"example {i} at ({x}, {y}) lies beyond the arms");
            double own = DistanceToArm(x, y, data.Labels[i]), other = DistanceToArm(x, y, 1 - data.Labels[i]);
            ownTotal += own;
            if (other < own) nearerOther++;
        }
        // Noise σ = 0.03 per coordinate puts a point about σ·√(2/π) ≈ 0.024 from its arm on average; the
        // neighbouring turn of the other arm is 1/3 away, so only points near the centre, where the arms meet, can cross.
        Assert.True(ownTotal / data.Count < 0.035, $"mean distance to own arm {ownTotal / data.Count}, expected about 0.024");
        Assert.True(nearerOther < 20, $"{nearerOther} of 1000 points are nearer the other arm");
    }

    /// <summary>Distance from (x, y) to arm c, r = t, θ = 2π·turns·t + cπ, by sampling t finely.</summary>
    static double DistanceToArm(double x, double y, int c)
    {
        double best = double.MaxValue;
        for (int s = 0; s <= 4000; s++)
        {
            double t = s / 4000.0, angle = 2 * Math.PI * SyntheticData.SpiralTurns * t + c * Math.PI;
            double dx = x - t * Math.Cos(angle), dy = y - t * Math.Sin(angle);
            best = Math.Min(best, dx * dx + dy * dy);
        }
        return Math.Sqrt(best);
    }

    [Fact]
    public void NoiselessCirclesHaveRadiusOneAndHalf()
    {
        var data = SyntheticData.Generate("circles", 1000, 9, noise: 0);
        for (int i = 0; i < data.Count; i++)
        {
            double x = data.Features[2 * i], y = data.Features[2 * i + 1];
            double expected = data.Labels[i] == 0 ? 1 : SyntheticData.InnerRadius;
            Assert.True(Math.Abs(Math.Sqrt(x * x + y * y) - expected) < 1e-6, $"example {i}: expected radius {expected}, actual {Math.Sqrt(x * x + y * y)}");
        }
    }

    [Fact]
    public void NoisyCirclesKeepTheirMeanRadius()
    {
        var data = SyntheticData.Generate("circles", 1000, 9);
        var sum = new double[2];
        for (int i = 0; i < data.Count; i++)
            sum[data.Labels[i]] += Math.Sqrt(data.Features[2 * i] * data.Features[2 * i] + data.Features[2 * i + 1] * data.Features[2 * i + 1]);
        // 500 radii each with σ ≈ 0.05: the mean is within 0.01 by a wide margin.
        Assert.True(Math.Abs(sum[0] / 500 - 1) < 0.01, $"outer mean radius {sum[0] / 500}");
        Assert.True(Math.Abs(sum[1] / 500 - SyntheticData.InnerRadius) < 0.01, $"inner mean radius {sum[1] / 500}");
    }

    [Fact]
    public void NoiselessMoonsLieOnTheirHalfCircles()
    {
        var data = SyntheticData.Generate("moons", 1000, 11, noise: 0);
        for (int i = 0; i < data.Count; i++)
        {
            double x = data.Features[2 * i], y = data.Features[2 * i + 1];
            var (cx, cy, upper) = data.Labels[i] == 0 ? (0.0, 0.0, true) : (1.0, 0.5, false);
            double r = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
            Assert.True(Math.Abs(r - 1) < 1e-6, $"example {i} (class {data.Labels[i]}): distance {r} from ({cx}, {cy})");
            Assert.True(upper ? y >= cy - 1e-6 : y <= cy + 1e-6, $"example {i} (class {data.Labels[i]}) at y = {y} is on the wrong half");
        }
    }

    [Fact]
    public void BlobsCentreOnTheirCentresWithTheirSpread()
    {
        var data = SyntheticData.Generate("blobs", 999, 13);
        for (int c = 0; c < 3; c++)
        {
            var (cx, cy) = SyntheticData.BlobCenter(c);
            double sx = 0, sy = 0, ss = 0;
            int n = 0;
            for (int i = 0; i < data.Count; i++)
            {
                if (data.Labels[i] != c) continue;
                double dx = data.Features[2 * i] - cx, dy = data.Features[2 * i + 1] - cy;
                sx += dx; sy += dy; ss += dx * dx + dy * dy;
                n++;
            }
            // 333 points of σ = 0.5: the mean's standard error is 0.027, so 0.15 is over 5 of them.
            Assert.True(Math.Abs(sx / n) < 0.15 && Math.Abs(sy / n) < 0.15, $"class {c}: mean offset ({sx / n}, {sy / n}) from centre ({cx}, {cy})");
            double deviation = Math.Sqrt(ss / (2 * n));
            Assert.True(Math.Abs(deviation - SyntheticData.BlobDeviation) < 0.05, $"class {c}: spread {deviation}, expected {SyntheticData.BlobDeviation}");
        }
        var (x0, y0) = SyntheticData.BlobCenter(0);
        Assert.True(Math.Abs(x0) < 1e-12 && y0 == 2, $"centre of class 0: expected (0, 2), actual ({x0}, {y0})");
    }

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        Expect.Failure(() => SyntheticData.Generate("swirl", 10, 1), "\"swirl\"", "xor, spiral, circles, moons, blobs");
        Expect.Failure(() => SyntheticData.Generate("xor", 0, 1), "at least one example");
    }
}

public class SyntheticRegressionDataTests
{
    [Theory]
    [InlineData("plane")]
    [InlineData("gaussians")]
    public void Each_target_is_the_formula_at_its_point_and_the_points_fill_the_square(string name)
    {
        var data = SyntheticData.Generate(name, 2000, 5);
        Assert.Equal((LearningTask.Regression, 2000, 2, 1), (data.Task, data.Count, data.FeatureCount, data.TargetCount));
        Assert.Equal(0, SyntheticData.DefaultNoise(name));
        for (int i = 0; i < data.Count; i++)
        {
            float x1 = data.Features[2 * i], x2 = data.Features[2 * i + 1];
            Assert.True(Math.Abs(x1) <= 2 && Math.Abs(x2) <= 2, $"example {i} at ({x1}, {x2}) is outside [−2, 2]²");
            Assert.Equal((float)SyntheticData.RegressionTarget(name, x1, x2), data.Values![i], 1e-5f);
        }
        // Uniform in the square: about a quarter of the points in each quadrant.
        int firstQuadrant = Enumerable.Range(0, data.Count).Count(i => data.Features[2 * i] > 0 && data.Features[2 * i + 1] > 0);
        Assert.InRange(firstQuadrant, 450, 550);
        Assert.Equal(data.Values, SyntheticData.Generate(name, 2000, 5).Values);
        Assert.NotEqual(data.Values, SyntheticData.Generate(name, 2000, 6).Values);
    }

    [Fact]
    public void The_targets_are_a_plane_and_four_gaussian_bumps()
    {
        Assert.Equal(1.0, SyntheticData.RegressionTarget("plane", 1, 1), 12);
        Assert.Equal(-0.75, SyntheticData.RegressionTarget("plane", -2, 0.5), 12);
        // At a bump's centre: its own height 1, the far bump of the same sign e^(−8/0.5), the two of the other sign e^(−4/0.5) each.
        Assert.Equal(1 + Math.Exp(-16) - 2 * Math.Exp(-8), SyntheticData.RegressionTarget("gaussians", 1, 1), 12);
        Assert.Equal(-(1 + Math.Exp(-16) - 2 * Math.Exp(-8)), SyntheticData.RegressionTarget("gaussians", 1, -1), 12);
        Assert.Equal(0.0, SyntheticData.RegressionTarget("gaussians", 0, 0), 12);
        Expect.Failure(() => SyntheticData.RegressionTarget("spiral", 0, 0), "unknown synthetic regression set \"spiral\"; choose one of plane, gaussians");
    }

    [Fact]
    public void Noise_goes_on_the_target_with_the_deviation_asked_for()
    {
        var data = SyntheticData.Generate("plane", 4000, 9, noise: 0.3);
        var residuals = Enumerable.Range(0, data.Count)
            .Select(i => data.Values![i] - SyntheticData.RegressionTarget("plane", data.Features[2 * i], data.Features[2 * i + 1])).ToArray();
        double mean = residuals.Average();
        double deviation = Math.Sqrt(residuals.Select(r => (r - mean) * (r - mean)).Average());
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(deviation, 0.28, 0.32);
    }

    [Fact]
    public void A_regression_set_read_as_classes_and_a_class_set_read_as_a_regression_are_refused()
    {
        Expect.Failure(() => DataSource.Train("plane", new DataOptions()), "plane holds real targets, not classes; read it with DataOptions.Task = LearningTask.Regression");
        Expect.Failure(() => DataSource.Test("moons", new DataOptions(Task: LearningTask.Regression)), "moons holds classes, not real targets");
        var train = DataSource.Train("gaussians", new DataOptions(Seed: 4, Examples: 300, TestFraction: 0.2, Task: LearningTask.Regression));
        var test = DataSource.Test("gaussians", new DataOptions(Seed: 4, Examples: 300, TestFraction: 0.2, Task: LearningTask.Regression))!;
        Assert.Equal((240, 60), (train.Count, test.Count));
        Assert.Equal(SyntheticData.Generate("gaussians", 60, SyntheticData.TestSeed(4)).Values, test.Values);
    }
}
