using Backprop.Serialization;
using System.Runtime.CompilerServices;
using System.IO.Compression;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Backprop.Data;

/// <summary>Images read from an IDX file: <see cref="Pixels"/> is row-major Count × (Rows·Columns), each in [0, 1].</summary>
public sealed record IdxImages(float[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST, raw or gzipped. Layout (big-endian): a magic number
/// <c>00 00 08 D</c> (unsigned bytes, D dimensions), D sizes of 4 bytes, then the bytes themselves.
/// Images are <c>00 00 08 03</c> with sizes count, rows, columns; labels are <c>00 00 08 01</c> with the count.
/// Every size is checked against what the file can hold before anything is allocated.
/// </summary>
public static class IdxReader
{
    /// <summary>The magic number of an IDX file of unsigned-byte images: 0x00000803 (three dimensions).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>The magic number of an IDX file of unsigned-byte labels: 0x00000801 (one dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    // Deflate's best case is about 1032:1 (a run of one byte), so a gzip file of n bytes cannot decompress to
    // more than 1032·n: a header promising more is lying, and we refuse it before allocating.
    const long MaxDeflateRatio = 1032;

    const string Redownload = "download it again";

    const int ChunkLength = 1 << 16;

    /// <summary>
    /// The IDX file for <paramref name="baseName"/> (e.g. <c>train-images-idx3-ubyte</c>) in <paramref name="directory"/>:
    /// the raw file, the <c>.gz</c> one, or the same with a dot before <c>idx</c> as some mirrors name them; null if none.
    /// </summary>
    public static string? Find(string directory, string baseName)
    {
        int dash = baseName.LastIndexOf("-idx", StringComparison.Ordinal);
        string dotted = dash < 0 ? baseName : string.Concat(baseName.AsSpan(0, dash), ".", baseName.AsSpan(dash + 1));
        foreach (string name in (string[])[baseName, baseName + ".gz", dotted, dotted + ".gz"])
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Like <see cref="Find"/>, but a missing file is a <see cref="BackpropException"/>.</summary>
    public static string FindRequired(string directory, string baseName)
    {
        if (!Directory.Exists(directory))
            throw new BackpropException($"{directory}: no such folder; give the folder that holds the IDX files");
        return Find(directory, baseName)
            ?? throw new BackpropException(
                $"{directory}: holds neither {baseName} nor {baseName}.gz; the folder needs train-images-idx3-ubyte, " +
                "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz)");
    }

    /// <summary>Images and their labels as one dataset; ClassCount = largest label + 1 (at least 2).</summary>
    public static Dataset Read(string imagesPath, string labelsPath)
    {
        // Labels first: a few kB, so a broken labels file is reported before the images are decompressed.
        var labels = ReadLabels(labelsPath);
        var images = ReadImages(imagesPath);
        if (images.Count != labels.Length)
            throw new BackpropException(
                $"{imagesPath}: holds {images.Count} images but {labelsPath} holds {labels.Length} labels; " +
                "use the images and labels files of the same set (train-* with train-*, t10k-* with t10k-*)");
        return new Dataset(images.Pixels, labels, images.Rows * images.Columns, ClassCount(labels));
    }

    /// <summary>Largest label + 1, at least 2: a classifier needs two outputs to choose between.</summary>
    public static int ClassCount(ReadOnlySpan<int> labels)
    {
        int max = 1;
        foreach (int label in labels) max = Math.Max(max, label);
        return max + 1;
    }

    /// <summary>An images file (magic 0x00000803), pixels scaled as byte/255.</summary>
    public static IdxImages ReadImages(string path)
    {
        var (dimensions, pixels) = ReadFile<float>(path, ImagesMagic, "images");
        return new IdxImages(pixels, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>A labels file (magic 0x00000801); each label is a byte, so 0 … 255.</summary>
    public static int[] ReadLabels(string path) => ReadFile<int>(path, LabelsMagic, "labels").Values;

    static (int[] Dimensions, T[] Values) ReadFile<T>(string path, int magic, string kind) where T : struct, INumberBase<T>
    {
        InputFile.RequireRegular(path);
        FileStream file;
        try
        {
            // A large buffer: GZipStream pulls from the file in small pieces.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackpropException($"{path}: no such file; check the path");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"{path}: cannot open ({e.Message}); check the path and its permissions");
        }
        using (file)
        {
            try
            {
                return ReadStream<T>(path, file, magic, kind);
            }
            catch (InvalidDataException)
            {
                // .NET words every zlib failure, a CRC-32 mismatch too, as "unsupported compression method": not said.
                throw new BackpropException($"{path}: corrupt gzip data (the compressed stream or its CRC-32 check does not hold); {Redownload}");
            }
            catch (IOException e)
            {
                throw new BackpropException($"{path}: cannot read ({e.Message}); {Redownload}");
            }
        }
    }

    static (int[] Dimensions, T[] Values) ReadStream<T>(string path, FileStream file, int magic, string kind) where T : struct, INumberBase<T>
    {
        long fileLength = file.Length;
        if (fileLength == 0) throw new BackpropException($"{path}: the file is empty; {Redownload}");

        Span<byte> start = stackalloc byte[2];
        int peeked = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        bool gzip = peeked == 2 && start[0] == 0x1f && start[1] == 0x8b;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;

        int dimensionCount = magic & 0xff;
        int headerLength = 4 + 4 * dimensionCount;
        var header = new byte[headerLength];
        int got = stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
        if (got >= 4) CheckMagic(path, ReadBigEndian(header, 0), magic, kind, gzip);
        if (got < headerLength)
            throw new BackpropException($"{path}: truncated header: the file ends after {got} of the {headerLength} bytes of an IDX {kind} header; {Redownload}");

        var dimensions = new int[dimensionCount];
        Int128 expected = 1;
        for (int d = 0; d < dimensionCount; d++)
        {
            dimensions[d] = ReadBigEndian(header, 4 + 4 * d);
            if (dimensions[d] <= 0)
                throw new BackpropException($"{path}: header gives {DimensionName(dimensionCount, d)} = {dimensions[d]}, which must be positive; {Redownload}");
            expected *= dimensions[d];
        }

        string promise = $"header promises {Describe(dimensions)} ({expected} bytes)";
        if (expected > Array.MaxLength)
            throw new BackpropException($"{path}: {promise}, more than one array can hold; the header is corrupt or the set is too large to load");
        if (gzip && expected > MaxDeflateRatio * fileLength)
            throw new BackpropException($"{path}: truncated: {promise} but a gzip file of {fileLength} bytes cannot decompress to that much; {Redownload}");
        if (!gzip && fileLength - headerLength != expected)
        {
            string what = fileLength - headerLength < expected ? "truncated" : "too long";
            throw new BackpropException(
                $"{path}: {what}: {promise} but the file holds {fileLength - headerLength} bytes after its {headerLength}-byte header; {Redownload}");
        }

        // Honest files can still ask for more than the process has: 2 MB of gzip may hold 2 GB of blank pixels, 8 GB as floats.
        MemoryBudget.Require((double)expected * Unsafe.SizeOf<T>(), path, $"{Describe(dimensions)} as {(typeof(T) == typeof(float) ? "4-byte floats" : "4-byte integers")}",
            "use a smaller set, or train where more memory is available");
        // Converted a chunk at a time, while the chunk is still in cache, instead of holding all the bytes too.
        var values = new T[(int)expected];
        var chunk = new byte[Math.Min(values.Length, ChunkLength)];
        for (int offset = 0; offset < values.Length; offset += chunk.Length)
        {
            int want = Math.Min(chunk.Length, values.Length - offset);
            int read = stream.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (read < want)
                throw new BackpropException(
                    $"{path}: truncated: {promise} but the file {(gzip ? "decompresses to" : "holds")} {offset + read} bytes after its {headerLength}-byte header; {Redownload}");
            var target = values.AsSpan(offset, want);
            // Every byte is exact in float and int, so "truncating" never truncates; unlike ConvertChecked it is vectorized.
            TensorPrimitives.ConvertTruncating<byte, T>(chunk.AsSpan(0, want), target);
            if (typeof(T) == typeof(float))
            {
                // Divide rather than multiply by 1/255: x·(1/255f) is one ulp away from x/255f for some bytes.
                var pixels = MemoryMarshal.Cast<T, float>(target);
                TensorPrimitives.Divide(pixels, 255f, pixels);
            }
        }
        if (gzip && stream.ReadByte() >= 0)
            throw new BackpropException($"{path}: too long: {promise} but the file decompresses to more; {Redownload}");
        return (dimensions, values);
    }

    static void CheckMagic(string path, int actual, int magic, string kind, bool gzip)
    {
        if (actual == magic) return;
        string found = $"magic number 0x{actual:x8} where IDX {kind} have 0x{magic:x8}";
        string other = kind == "images" ? "labels" : "images";
        int otherMagic = kind == "images" ? LabelsMagic : ImagesMagic;
        if (actual == otherMagic)
            throw new BackpropException($"{path}: {found}: this is the {other} file; pass the {kind} file here");
        if ((actual & ~0xff) == 0x00000800)
            throw new BackpropException($"{path}: {found}: unsigned bytes with {actual & 0xff} dimensions is not an MNIST-layout {kind} file; use the MNIST-format file");
        if ((actual & unchecked((int)0xffff0000)) == 0)
            throw new BackpropException($"{path}: {found}: data type 0x{(actual >> 8) & 0xff:x2} is not supported, only unsigned bytes (0x08); use the MNIST-format file");
        string how = gzip ? "after gzip decompression" : path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "named .gz but not gzip-compressed" : "not gzip-compressed";
        throw new BackpropException($"{path}: not an IDX file ({found}; {how}); {Redownload}");
    }

    static string Describe(int[] dimensions) => dimensions.Length == 3
        ? $"{dimensions[0]} images of {dimensions[1]}×{dimensions[2]}"
        : $"{dimensions[0]} labels";

    static string DimensionName(int dimensionCount, int dimension) =>
        dimensionCount == 3 ? ((string[])["image count", "rows", "columns"])[dimension] : "label count";

    static int ReadBigEndian(byte[] bytes, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
}
