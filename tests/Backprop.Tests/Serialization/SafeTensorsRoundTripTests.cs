using Backprop.Serialization;
using static Backprop.Tests.Serialization.SafeTensorsFixtures;

namespace Backprop.Tests.Serialization;

/// <summary>What we write reads back bit-exact; writing is deterministic, validated and atomic.</summary>
public class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static readonly Dictionary<string, string> NoMetadata = new();

    private static List<Tensor> SeveralTensors()
    {
        var rng = new Rng(20240611);
        // Long enough to cross the 1 MiB (262,144-float) streaming chunk, and odd so the last chunk is partial.
        var big = new float[300_001];
        for (int i = 0; i < big.Length; i++) big[i] = (float)rng.NextGaussian();
        return
        [
            new Tensor("layers.0.weight", [3, 2], [0.5f, -1.25f, 3e-8f, 1e30f, -0f, 7f]),
            new Tensor("layers.0.bias", [3], [float.NaN, float.PositiveInfinity, float.NegativeInfinity]),
            new Tensor("scalar", [], [float.Epsilon]),
            new Tensor("empty", [0, 4], []),
            new Tensor("payload", [2], [BitConverter.Int32BitsToSingle(0x7FC01234), BitConverter.Int32BitsToSingle(unchecked((int)0xFFA00001))]),
            new Tensor("слой.вес", [1, 1, 1], [42f]),
            new Tensor("big", [big.Length], big),
        ];
    }

    private static readonly Dictionary<string, string> SomeMetadata = new()
    {
        ["format"] = "pt",
        ["note"] = "quotes \" and \\ and\nnewlines, ünïcödé",
        ["epochs"] = "30",
    };

    private static void AssertSame(List<Tensor> expected, SafeTensorsFile actual)
    {
        Assert.Equal(expected.Count, actual.Tensors.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            SameTensor(expected[i], actual.Tensors[i]);
            SameTensor(expected[i], actual.Find(expected[i].Name)!);
        }
    }

    [Fact]
    public void Several_tensors_round_trip_bit_exactly_through_bytes()
    {
        var tensors = SeveralTensors();

        var file = SafeTensorsFile.Read(SafeTensorsFile.ToBytes(tensors, SomeMetadata), "memory");

        AssertSame(tensors, file);
        Assert.Equal(SomeMetadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void Several_tensors_round_trip_bit_exactly_through_a_file()
    {
        var tensors = SeveralTensors();
        string path = Path.Combine(_directory.Path, "model.safetensors");

        SafeTensorsFile.Write(path, tensors, SomeMetadata);
        var file = SafeTensorsFile.Read(path);

        AssertSame(tensors, file);
        Assert.Equal(SomeMetadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
        Assert.Equal(SafeTensorsFile.ToBytes(tensors, SomeMetadata), File.ReadAllBytes(path));
    }

    [Fact]
    public void The_same_tensors_and_metadata_give_the_same_bytes_whatever_the_metadata_order()
    {
        var forward = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" };
        var backward = new Dictionary<string, string> { ["c"] = "3", ["b"] = "2", ["a"] = "1" };

        var first = SafeTensorsFile.ToBytes(SeveralTensors(), forward);
        var second = SafeTensorsFile.ToBytes(SeveralTensors(), backward);

        Assert.Equal(first, second);
        Assert.Equal(0, (first.Length - SeveralTensors().Sum(t => 4L * t.Data.Length)) % 8); // header padded to ×8
    }

    [Fact]
    public void Tensors_are_written_in_the_given_order()
    {
        var tensors = new[] { new Tensor("z", [1], [1]), new Tensor("a", [1], [2]) };

        var file = SafeTensorsFile.Read(SafeTensorsFile.ToBytes(tensors, NoMetadata), "memory");

        Assert.Equal(new[] { "z", "a" }, file.Tensors.Select(t => t.Name));
        Assert.Empty(file.Metadata);
    }

    [Theory]
    [InlineData("w", new[] { 2, 3 }, 5, "tensor 'w' has shape [2,3] = 6 elements but 5 values")]
    [InlineData("w", new[] { 2, -3 }, 0, "tensor 'w' has negative dimension -3")]
    [InlineData("w", new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 1, "tensor 'w' has rank 9, above the limit of 8")]
    [InlineData("w", new[] { 2147483647, 2147483647, 2147483647, 0 }, 0, "whose element count overflows 64 bits")]
    [InlineData("__metadata__", new[] { 1 }, 1, "cannot name a tensor \"__metadata__\"")]
    public void Tensors_that_cannot_be_written_are_refused(string name, int[] shape, int length, string phrase)
    {
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.ToBytes([new Tensor(name, shape, new float[length])], NoMetadata));
        Assert.Contains(phrase, error.Message);
    }

    [Fact]
    public void A_name_with_an_unpaired_surrogate_is_refused_on_writing()
    {
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.ToBytes([new Tensor("bad\ud800name", [1], [1])], NoMetadata));
        Assert.Contains("contains an unpaired UTF-16 surrogate", error.Message);
    }

    [Fact]
    public void Duplicate_tensor_names_are_refused_on_writing()
    {
        var tensors = new[] { new Tensor("w", [1], [1]), new Tensor("w", [1], [2]) };
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.ToBytes(tensors, NoMetadata));
        Assert.Contains("two tensors are named 'w'", error.Message);
    }

    [Fact]
    public void A_failure_while_enumerating_the_tensors_leaves_the_old_file_untouched_and_no_temporary_file()
    {
        string path = Path.Combine(_directory.Path, "model.safetensors");
        SafeTensorsFile.Write(path, [new Tensor("old", [2], [1, 2])], NoMetadata);
        var before = File.ReadAllBytes(path);

        static IEnumerable<Tensor> FailingMidway()
        {
            yield return new Tensor("new", [1], [3]);
            throw new InvalidOperationException("the model changed while saving");
        }
        var error = Assert.Throws<InvalidOperationException>(() => SafeTensorsFile.Write(path, FailingMidway(), NoMetadata));

        Assert.Equal("the model changed while saving", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failure_after_the_temporary_file_exists_removes_it_and_leaves_the_target_untouched()
    {
        // The rename fails because a directory occupies the target path; the temporary file is fully written by then.
        string path = Path.Combine(_directory.Path, "occupied");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "inside.txt"), "keep me");

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Write(path, [new Tensor("w", [1], [1])], NoMetadata));

        Assert.StartsWith($"{path}: could not write the file (", error.Message);
        Assert.Equal(new[] { "occupied" }, Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(path, "inside.txt")));
    }

    [Fact]
    public void Writing_into_a_missing_directory_is_refused_with_the_path()
    {
        string path = Path.Combine(_directory.Path, "no-such-directory", "model.safetensors");

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Write(path, [new Tensor("w", [1], [1])], NoMetadata));

        Assert.StartsWith($"{path}: could not write the file (", error.Message);
        Assert.EndsWith("check that the directory exists, is writable and has free space", error.Message);
    }

    [Fact]
    public void A_successful_overwrite_replaces_the_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_directory.Path, "model.safetensors");
        SafeTensorsFile.Write(path, [new Tensor("old", [2], [1, 2])], NoMetadata);

        SafeTensorsFile.Write(path, [new Tensor("new", [1], [3])], new Dictionary<string, string> { ["v"] = "2" });

        var file = SafeTensorsFile.Read(path);
        SameTensor(new Tensor("new", [1], [3]), Assert.Single(file.Tensors));
        Assert.Equal("2", file.Metadata["v"]);
        Assert.Equal(new[] { "model.safetensors" }, Directory.GetFileSystemEntries(_directory.Path).Select(Path.GetFileName));
    }
}

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("backprop-safetensors-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp directory must not fail a test
    }
}
