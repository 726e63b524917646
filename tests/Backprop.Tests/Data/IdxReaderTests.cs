using Backprop.Data;

namespace Backprop.Tests.Data;

public class IdxReaderTests
{
    static readonly byte[] Pixels = [0, 1, 2, 127, 128, 254, 255, 17, 200, 3, 99, 51];

    static void AssertPixels(byte[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] / 255f == actual[i], $"pixel {i}: expected {expected[i]}/255 = {expected[i] / 255f}, actual {actual[i]}");
    }

    [Theory]
    [InlineData("images", false)]
    [InlineData("images.gz", true)]
    [InlineData("images-gzipped-without-suffix", true)]
    [InlineData("images-raw-with-suffix.gz", false)]
    public void ImagesReadBackAsBytesOver255(string name, bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] file = Idx.Images(2, 2, 3, Pixels);
        string path = dir.Write(name, gzip ? Idx.Gzip(file) : file);

        var images = IdxReader.ReadImages(path);

        Assert.Equal((2, 2, 3), (images.Count, images.Rows, images.Columns));
        AssertPixels(Pixels, images.Pixels);
        Assert.Equal(0f, images.Pixels[0]);
        Assert.Equal(1f, images.Pixels[6]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LabelsReadBackExactly(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] file = Idx.Labels(7, 0, 255, 3);
        string path = dir.Write("labels", gzip ? Idx.Gzip(file) : file);

        Assert.Equal([7, 0, 255, 3], IdxReader.ReadLabels(path));
    }

    [Fact]
    public void ReadPairsImagesWithLabelsAndCountsClasses()
    {
        using var dir = new TempDirectory();
        string images = dir.Write("i.gz", Idx.Gzip(Idx.Images(2, 2, 3, Pixels)));
        string labels = dir.Write("l", Idx.Labels(5, 2));

        var data = IdxReader.Read(images, labels);

        Assert.Equal(2, data.Count);
        Assert.Equal(6, data.FeatureCount);
        Assert.Equal(6, data.ClassCount);
        Assert.Equal([5, 2], data.Labels);
        AssertPixels(Pixels, data.Features);
    }

    [Fact]
    public void ClassCountIsLargestLabelPlusOneAndAtLeastTwo()
    {
        Assert.Equal(10, IdxReader.ClassCount([9, 0, 3]));
        Assert.Equal(2, IdxReader.ClassCount([0, 0]));
        Assert.Equal(2, IdxReader.ClassCount([1]));
    }

    [Fact]
    public void LargeGzipSetLoadsWhole()
    {
        // 300 images of 28×28 through the gzip path: more than one internal buffer of the stream.
        using var dir = new TempDirectory();
        byte[] pixels = Idx.Ramp(300 * 784);
        string path = dir.Write("big.gz", Idx.Gzip(Idx.Images(300, 28, 28, pixels)));

        var images = IdxReader.ReadImages(path);

        Assert.Equal(300, images.Count);
        AssertPixels(pixels, images.Pixels);
    }

    [Fact]
    public void FindAcceptsRawGzipAndDottedNamesPreferringRaw()
    {
        using var dir = new TempDirectory();
        Assert.Null(IdxReader.Find(dir.Path, "train-images-idx3-ubyte"));

        dir.Write("train-images.idx3-ubyte.gz", [1]);
        Assert.Equal(dir.File("train-images.idx3-ubyte.gz"), IdxReader.Find(dir.Path, "train-images-idx3-ubyte"));
        dir.Write("train-images-idx3-ubyte.gz", [1]);
        Assert.Equal(dir.File("train-images-idx3-ubyte.gz"), IdxReader.Find(dir.Path, "train-images-idx3-ubyte"));
        dir.Write("train-images-idx3-ubyte", [1]);
        Assert.Equal(dir.File("train-images-idx3-ubyte"), IdxReader.Find(dir.Path, "train-images-idx3-ubyte"));
    }

    [Fact]
    public void FindRequiredNamesTheFolderAndTheMissingFile()
    {
        using var dir = new TempDirectory();
        Expect.Failure(() => IdxReader.FindRequired(dir.Path, "t10k-labels-idx1-ubyte"), dir.Path, "t10k-labels-idx1-ubyte.gz");
        Expect.Failure(() => IdxReader.FindRequired(dir.File("absent"), "t10k-labels-idx1-ubyte"), dir.File("absent"), "no such folder");
    }

    [Fact]
    public void A_gzip_file_whose_crc_fails_says_so_not_unsupported_compression_method()
    {
        using var dir = new TempDirectory();
        var gzip = Idx.Gzip(Idx.Images(2, 2, 3, Pixels));
        gzip[^8] ^= 0xff; // the CRC-32 of the trailer; the deflate stream itself is intact
        string path = dir.Write("crc.gz", gzip);

        var error = Expect.Failure(() => IdxReader.ReadImages(path), path, "corrupt gzip data (the compressed stream or its CRC-32 check does not hold)");
        Assert.DoesNotContain("unsupported compression method", error.Message);
    }

    public static TheoryData<string, byte[], string> MalformedImages()
    {
        byte[] good = Idx.Images(2, 2, 3, Pixels);
        byte[] goodGzip = Idx.Gzip(good);
        byte[] corruptGzip = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 0xba, 0xad, 0xf0, 0x0d, 1, 2, 3, 4];
        return new()
        {
            { "empty", [], "empty" },
            { "labels magic", Idx.Labels(1, 2), "this is the labels file" },
            { "foreign magic", [.. "PK\u0003\u0004 not an idx file at all"u8], "not an IDX file (magic number 0x504b0304 where IDX images have 0x00000803; not gzip-compressed)" },
            { "int type", Idx.File(0x00000c03, [1, 1, 1], [0, 0, 0, 0]), "data type 0x0c" },
            { "two dimensions", Idx.File(0x00000802, [1, 1], [0]), "2 dimensions" },
            { "truncated magic", [0, 0, 8], "truncated header: the file ends after 3 of the 16 bytes" },
            { "truncated header", good[..10], "truncated header" },
            { "truncated data", good[..^1], "truncated: header promises 2 images of 2×3 (12 bytes) but the file holds 11 bytes" },
            { "too long", [.. good, 9], "too long" },
            { "lying count", Idx.Images(100_000, 28, 28, new byte[84]), "truncated: header promises 100000 images of 28×28" },
            { "count beyond any array", Idx.Images(int.MaxValue, 28, 28, new byte[84]), "more than one array can hold" },
            { "zero rows", Idx.Images(2, 0, 3, []), "rows = 0" },
            { "negative count", Idx.Images(-5, 2, 3, []), "image count = -5" },
            { "gzip lying count", Idx.Gzip(Idx.Images(1000, 28, 28, new byte[10])), "cannot decompress to that much" },
            { "gzip truncated", goodGzip[..(goodGzip.Length / 2)], "" },
            { "gzip truncated inside header", goodGzip[..12], "" },
            { "gzip with trailing data", Idx.Gzip([.. good, 1, 2]), "too long" },
            { "corrupt gzip", corruptGzip, "corrupt gzip" },
            { "gzip of text", Idx.Gzip([.. "hello, world, this is text"u8]), "not an IDX file (magic number 0x68656c6c where IDX images have 0x00000803; after gzip decompression)" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void MalformedImagesFileIsRefusedNamingTheFile(string name, byte[] bytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write(name.Replace(' ', '-') + ".idx", bytes);

        Expect.Failure(() => IdxReader.ReadImages(path), path, expected);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7 }, "this is the images file")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2 }, "truncated: header promises 3 labels (3 bytes) but the file holds 2 bytes")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0 }, "truncated header")]
    public void MalformedLabelsFileIsRefusedNamingTheFile(byte[] bytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("train-labels-idx1-ubyte", bytes);

        Expect.Failure(() => IdxReader.ReadLabels(path), path, expected);
    }

    [Fact]
    public void MismatchedImageAndLabelCountsNameBothFiles()
    {
        using var dir = new TempDirectory();
        string images = dir.Write("train-images-idx3-ubyte", Idx.Images(2, 2, 3, Pixels));
        string labels = dir.Write("t10k-labels-idx1-ubyte", Idx.Labels(1, 2, 3));

        Expect.Failure(() => IdxReader.Read(images, labels), images, labels, "holds 2 images", "holds 3 labels");
    }

    [Fact]
    public void MissingFileIsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        Expect.Failure(() => IdxReader.ReadImages(dir.File("nothing.gz")), dir.File("nothing.gz"), "no such file");
    }
}
