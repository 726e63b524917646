using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Tests.Data;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "backprop-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteText(string name, string text)
    {
        string path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Builds IDX files byte by byte, independently of the reader.</summary>
static class Idx
{
    public static byte[] File(int magic, int[] dimensions, byte[] body)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        body.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    public static byte[] Images(int count, int rows, int columns, byte[] pixels) => File(0x00000803, [count, rows, columns], pixels);

    public static byte[] Labels(params byte[] labels) => File(0x00000801, [labels.Length], labels);

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal)) gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>Pixel bytes 0, 1, … wrapping at 256, with 255 placed at the end to cover the top of the range.</summary>
    public static byte[] Ramp(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(i * 37 % 256);
        bytes[^1] = 255;
        return bytes;
    }

    /// <summary>A folder holding a tiny MNIST-layout set: train 3 images of 2×3, t10k 2 images.</summary>
    public static void WriteSet(TempDirectory directory, string subfolder, bool gzip, byte[]? trainLabels = null, byte[]? testLabels = null)
    {
        trainLabels ??= [4, 0, 1];
        testLabels ??= [2, 0];
        void Put(string name, byte[] bytes) =>
            directory.Write(System.IO.Path.Combine(subfolder, gzip ? name + ".gz" : name), gzip ? Gzip(bytes) : bytes);
        Put("train-images-idx3-ubyte", Images(trainLabels.Length, 2, 3, Ramp(6 * trainLabels.Length)));
        Put("train-labels-idx1-ubyte", Labels(trainLabels));
        Put("t10k-images-idx3-ubyte", Images(testLabels.Length, 2, 3, Ramp(6 * testLabels.Length)));
        Put("t10k-labels-idx1-ubyte", Labels(testLabels));
    }
}

static class Expect
{
    /// <summary>Runs <paramref name="action"/>, requires a one-line BackpropException containing every fragment.</summary>
    public static BackpropException Failure(Action action, params string[] fragments)
    {
        var e = Assert.Throws<BackpropException>(action);
        Assert.DoesNotContain('\n', e.Message);
        foreach (string fragment in fragments)
            Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"expected \"{fragment}\" in the message: {e.Message}");
        return e;
    }
}
