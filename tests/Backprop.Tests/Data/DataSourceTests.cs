using Backprop.Data;

namespace Backprop.Tests.Data;

public class DataSourceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxFolderGivesTrainTestAndInputs(bool gzip)
    {
        using var dir = new TempDirectory();
        Idx.WriteSet(dir, "set", gzip);
        string spec = "idx:" + dir.File("set");

        var train = DataSource.Train(spec, new DataOptions());
        var test = DataSource.Test(spec, new DataOptions());
        float[] inputs = DataSource.Inputs(spec, 6, new DataOptions());

        Assert.Equal([4, 0, 1], train.Labels);
        Assert.Equal(6, train.FeatureCount);
        Assert.Equal(5, train.ClassCount);
        Assert.NotNull(test);
        Assert.Equal([2, 0], test.Labels);
        // The test labels reach only 2, but the network is sized by the training set's 5 classes.
        Assert.Equal(5, test.ClassCount);
        byte[] ramp = Idx.Ramp(12);
        Assert.Equal(12, inputs.Length);
        for (int i = 0; i < 12; i++) Assert.True(ramp[i] / 255f == inputs[i], $"input {i}: expected {ramp[i] / 255f}, actual {inputs[i]}");
        Assert.Equal(test.Features, inputs);
    }

    [Fact]
    public void IdxFolderWithoutT10kFilesHasNoTestPart()
    {
        using var dir = new TempDirectory();
        Idx.WriteSet(dir, "", gzip: false);
        File.Delete(dir.File("t10k-images-idx3-ubyte"));
        File.Delete(dir.File("t10k-labels-idx1-ubyte"));

        Assert.Null(DataSource.Test("idx:" + dir.Path, new DataOptions()));
        Expect.Failure(() => DataSource.Inputs("idx:" + dir.Path, 6, new DataOptions()), dir.Path, "t10k-images-idx3-ubyte");
    }

    [Fact]
    public void IdxFolderWithHalfATestPartIsRefused()
    {
        using var dir = new TempDirectory();
        Idx.WriteSet(dir, "", gzip: false);
        File.Delete(dir.File("t10k-labels-idx1-ubyte"));

        Expect.Failure(() => DataSource.Test("idx:" + dir.Path, new DataOptions()), dir.Path, "t10k-labels-idx1-ubyte");
    }

    [Fact]
    public void InputsOfTheWrongWidthAreRefused()
    {
        using var dir = new TempDirectory();
        Idx.WriteSet(dir, "", gzip: false);

        Expect.Failure(() => DataSource.Inputs("idx:" + dir.Path, 784, new DataOptions()), "images of 2×3 = 6 features but the model takes 784");
        Expect.Failure(() => DataSource.Inputs("xor", 3, new DataOptions()), "xor: has 2 features but the model takes 3");
    }

    [Fact]
    public void MissingIdxFolderIsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        Expect.Failure(() => DataSource.Train("idx:" + dir.File("nope"), new DataOptions()), dir.File("nope"), "no such folder");
    }

    [Fact]
    public void CsvHasTrainAndInputsButNoTestPart()
    {
        using var dir = new TempDirectory();
        string path = dir.WriteText("d.csv", "a,b,c\n1,2,0\n3,4,1\n");
        string spec = "csv:" + path;

        var train = DataSource.Train(spec, new DataOptions(LabelColumn: 0));

        Assert.Equal([2f, 0f, 4f, 1f], train.Features);
        Assert.Equal([1, 3], train.Labels);
        Assert.Null(DataSource.Test(spec, new DataOptions()));
        Assert.Equal([1f, 2f, 3f, 4f], DataSource.Inputs(spec, 2, new DataOptions()));
    }

    [Fact]
    public void SyntheticSpecGivesIndependentTrainAndTestParts()
    {
        var options = new DataOptions(Seed: 5);
        var train = DataSource.Train("Moons", options);
        var test = DataSource.Test("moons", options);

        Assert.Equal(DataSource.SyntheticCount, train.Count);
        Assert.NotNull(test);
        Assert.Equal(DataSource.SyntheticCount, test.Count);
        Assert.Equal(SyntheticData.Generate("moons", 1000, 5).Features, train.Features);
        Assert.Equal(SyntheticData.Generate("moons", 1000, SyntheticData.TestSeed(5)).Features, test.Features);
        Assert.NotEqual(train.Features, test.Features);
        Assert.Equal(test.Features, DataSource.Inputs("moons", 2, options));
        Assert.NotEqual(train.Features, DataSource.Train("moons", new DataOptions(Seed: 6)).Features);
    }

    [Theory]
    [InlineData("iris")]
    [InlineData("")]
    [InlineData("xml:foo")]
    public void UnknownSpecListsTheValidForms(string spec)
    {
        Expect.Failure(() => DataSource.Train(spec, new DataOptions()),
            "idx:DIR, csv:FILE, mnist, fashion-mnist, digits, xor, spiral, circles, moons, blobs");
    }

    [Fact]
    public void BarePathGetsAHint()
    {
        using var dir = new TempDirectory();
        string file = dir.WriteText("plain.txt", "1,0\n");
        Expect.Failure(() => DataSource.Train(file, new DataOptions()), $"did you mean csv:{file}?");
        Expect.Failure(() => DataSource.Train(dir.Path, new DataOptions()), $"did you mean idx:{dir.Path}?");
        Expect.Failure(() => DataSource.Train("idx:", new DataOptions()), "idx:DIR");
    }

    static void Holds(TempDirectory dir, string folder) => dir.Write(Path.Combine(folder, "train-images-idx3-ubyte.gz"), [0]);

    [Fact]
    public void NamedSetIsLookedUpInOrder()
    {
        using var dir = new TempDirectory();
        string data = dir.File("data"), environment = dir.File("env"), home = dir.File("home"), system = dir.File("system");
        Func<string, string?> env = name => name == "BACKPROP_DATA" ? environment : null;
        string Locate() => DataSource.LocateNamed("mnist", data, env, home, system);

        Holds(dir, "system/mnist");
        Assert.Equal(Path.Combine(system, "mnist"), Locate());
        Holds(dir, "home/.backprop/datasets/mnist");
        Assert.Equal(Path.Combine(home, ".backprop", "datasets", "mnist"), Locate());
        Holds(dir, "env/mnist");
        Assert.Equal(Path.Combine(environment, "mnist"), Locate());
        Holds(dir, "data");
        Assert.Equal(data, Locate());
        Holds(dir, "data/mnist");
        Assert.Equal(Path.Combine(data, "mnist"), Locate());
    }

    [Fact]
    public void UnsetEnvironmentAndHomeAreSkipped()
    {
        using var dir = new TempDirectory();
        Holds(dir, "system/fashion-mnist");

        Assert.Equal(dir.File("system/fashion-mnist"), DataSource.LocateNamed("fashion-mnist", null, _ => null, null, dir.File("system")));
    }

    [Fact]
    public void MissingNamedSetSaysWhereItLookedAndHowToGetIt()
    {
        using var dir = new TempDirectory();
        Holds(dir, "system/mnist");

        var e = Expect.Failure(() => DataSource.LocateNamed("fashion-mnist", dir.File("data"), _ => null, dir.File("home"), dir.File("system")),
            "fashion-mnist not found in ",
            dir.File("data/fashion-mnist") + ", " + dir.File("data") + ", $BACKPROP_DATA/fashion-mnist ($BACKPROP_DATA is not set), "
                + dir.File("home/.backprop/datasets/fashion-mnist") + ", " + dir.File("system/fashion-mnist") + ";",
            "apt-get install dataset-fashion-mnist", "backprop download fashion-mnist", "--data idx:DIR");

        Expect.Failure(() => DataSource.LocateNamed("mnist", null, _ => dir.File("env"), null, dir.File("elsewhere")),
            dir.File("env/mnist"), "backprop download mnist");
    }

    [Fact]
    public void NamedSetIsReadFromTheDataDirectory()
    {
        using var dir = new TempDirectory();
        Idx.WriteSet(dir, "fashion-mnist", gzip: true, trainLabels: [9, 1, 1]);

        var train = DataSource.Train("fashion-mnist", new DataOptions(DataDirectory: dir.Path));
        var test = DataSource.Test("FASHION-MNIST", new DataOptions(DataDirectory: dir.File("fashion-mnist")));

        Assert.Equal([9, 1, 1], train.Labels);
        Assert.Equal(10, train.ClassCount);
        Assert.NotNull(test);
        Assert.Equal([2, 0], test.Labels);
        Assert.Equal(10, test.ClassCount);
    }

    const string FashionMnist = "/usr/share/datasets/fashion-mnist";

    [Fact]
    public void RealFashionMnistTrainingSetLoads()
    {
        // Needs the Debian package dataset-fashion-mnist; the expected values come from reading the same files with numpy.
        Assert.True(Directory.Exists(FashionMnist), $"{FashionMnist} is missing: apt-get install dataset-fashion-mnist");
        var train = DataSource.Train("fashion-mnist", new DataOptions(DataDirectory: "/usr/share/datasets"));

        Assert.Equal((60000, 784, 10), (train.Count, train.FeatureCount, train.ClassCount));
        var perClass = new int[10];
        foreach (int label in train.Labels) perClass[label]++;
        Assert.Equal(Enumerable.Repeat(6000, 10), perClass);
        Assert.Equal(9, train.Labels[0]); // ankle boot
        Assert.Equal(5, train.Labels[^1]);
        AssertImage(train, 0, byteSum: 76247, pixel: 14 * 28 + 14, pixelByte: 217);
        AssertImage(train, 59999, byteSum: 16684, pixel: 0, pixelByte: 0);
    }

    [Fact]
    public void RealFashionMnistTestSetLoads()
    {
        Assert.True(Directory.Exists(FashionMnist), $"{FashionMnist} is missing: apt-get install dataset-fashion-mnist");
        var test = DataSource.Test("fashion-mnist", new DataOptions(DataDirectory: "/usr/share/datasets"));

        Assert.NotNull(test);
        Assert.Equal((10000, 784, 10), (test.Count, test.FeatureCount, test.ClassCount));
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], test.Labels[..10]);
        AssertImage(test, 0, byteSum: 33456, pixel: 0, pixelByte: 0);
    }

    static void AssertImage(Dataset data, int index, long byteSum, int pixel, int pixelByte)
    {
        var image = data.Example(index);
        long sum = 0;
        foreach (float p in image) sum += (long)Math.Round(p * 255);
        Assert.True(sum == byteSum, $"image {index}: expected byte sum {byteSum}, actual {sum}");
        Assert.True(image[pixel] == pixelByte / 255f, $"image {index}, pixel {pixel}: expected {pixelByte}/255, actual {image[pixel]}");
    }
}
