using System.IO.Compression;
using System.Text;
using Backprop.Data;

namespace Backprop.Tests.Data;

/// <summary>Readers bound what a file may ask for before allocating it: CSV lines and columns, IDX sizes against memory.</summary>
public class BoundedReadingTests
{
    [Fact]
    public void A_csv_line_longer_than_the_limit_is_refused_before_it_is_held_whole()
    {
        using var folder = new TempDirectory();
        // 12 MB of "0," on one line: 6 million columns, past the 10 million character limit.
        var path = folder.File("one-line.csv");
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            for (int i = 0; i < 6_000_000; i++) writer.Write("0,");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"{path}: line 1 is longer than 10000000 characters, the limit; a CSV row is one example — is this a CSV file?", error.Message);
        // The line as far as the limit (20 MB in UTF-16, doubled while the builder grows), never the split cells.
        Assert.True(allocated < 120_000_000, $"allocated {allocated} bytes");
        Assert.Contains("longer than", Assert.Throws<BackpropException>(() => CsvReader.ReadInputs(path, 2)).Message);
    }

    [Fact]
    public void A_csv_row_with_more_columns_than_the_limit_is_refused_naming_the_file()
    {
        using var folder = new TempDirectory();
        var path = folder.WriteText("wide.csv", string.Join(",", Enumerable.Repeat("1", CsvReader.MaxColumns + 1)) + "\n");
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.StartsWith($"{path}: line 1 has {CsvReader.MaxColumns + 1} columns, more than the limit of {CsvReader.MaxColumns}", error.Message);
        var narrow = folder.WriteText("narrow.csv", "1,2,3,0\n4,5,6,1\n");
        Assert.Contains("more than the limit of 3", Assert.Throws<BackpropException>(() => CsvReader.Read(narrow, limits: new CsvLimits(100, 3))).Message);
        Assert.Contains("longer than 5 characters", Assert.Throws<BackpropException>(() => CsvReader.Read(narrow, limits: new CsvLimits(5, 100))).Message);
        Assert.Equal(2, CsvReader.Read(narrow, limits: new CsvLimits(7, 4)).Count);
    }

    [Fact]
    public void Line_ends_are_those_of_ReadLine()
    {
        using var folder = new TempDirectory();
        var path = folder.WriteText("ends.csv", "1,0\r\n2,1\r3,0\n\n4,1");
        var data = CsvReader.Read(path, limits: new CsvLimits(3, 2));
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal([0, 1, 0, 1], data.Labels);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void A_device_is_not_a_csv_file(string path)
    {
        Assert.Equal($"{path}: not a regular file (a device, pipe or socket); give the path of a regular file",
            Assert.Throws<BackpropException>(() => CsvReader.Read(path)).Message);
        Assert.Contains("not a regular file", Assert.Throws<BackpropException>(() => CsvReader.ReadInputs(path, 2)).Message);
    }

    [Fact]
    public void An_honest_gzip_idx_file_larger_than_memory_is_refused_naming_both_sizes()
    {
        using var folder = new TempDirectory();
        // 100,000 blank 32×32 images: 102,400,000 bytes in about 100 kB of gzip, within deflate's ratio; 409.6 MB as floats.
        var path = folder.File("train-images-idx3-ubyte.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            gzip.Write(Idx.Images(100_000, 32, 32, []));
            var zeros = new byte[1 << 20];
            for (long left = 102_400_000; left > 0; left -= zeros.Length) gzip.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        using var limit = MemoryBudget.LimitForTests(256_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<BackpropException>(() => IdxReader.ReadImages(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "allocated before refusing");
        Assert.Equal($"{path}: 100000 images of 32×32 as 4-byte floats needs about 409.6 MB (409,600,000 bytes) of memory, " +
                     "but this process can have only 256.0 MB (256,000,000 bytes); use a smaller set, or train where more memory is available", error.Message);
    }

    [Fact]
    public void A_csv_file_with_more_values_than_memory_is_refused_while_it_is_read()
    {
        using var folder = new TempDirectory();
        var path = folder.File("tall.csv");
        using (var writer = new StreamWriter(path))
            for (int i = 0; i < 1_100_000; i++) writer.Write("1,0\n");
        using var limit = MemoryBudget.LimitForTests(8_000_000);
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.StartsWith($"{path}: line ", error.Message);
        Assert.Contains("of memory, but this process can have only 8.0 MB (8,000,000 bytes)", error.Message);
    }
}
