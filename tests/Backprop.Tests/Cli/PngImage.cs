using System.Buffers.Binary;
using System.IO.Compression;

namespace Backprop.Tests.Cli;

/// <summary>
/// A minimal PNG reader for checking the pictures the CLI writes: 8-bit RGB or RGBA, not interlaced — what Skia
/// encodes. Independent of the plotting library, so a test reads the file as any viewer would.
/// </summary>
public sealed class PngImage
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    readonly byte[] rgba;

    PngImage(int width, int height, byte[] rgba)
    {
        Width = width;
        Height = height;
        this.rgba = rgba;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The colour at column x, row y (0, 0 is the top left), as 0xRRGGBB; alpha is ignored.</summary>
    public int Rgb(int x, int y)
    {
        int i = (y * Width + x) * 4;
        return rgba[i] << 16 | rgba[i + 1] << 8 | rgba[i + 2];
    }

    public static bool HasSignature(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.Length > Signature.Length && bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature);
    }

    public static PngImage Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature), $"{path} does not start with the PNG signature");
        int width = 0, height = 0, colourType = 0;
        using var compressed = new MemoryStream();
        for (int at = Signature.Length; at + 8 <= bytes.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, (int)data[8]);
                colourType = data[9];
                Assert.True(colourType is 2 or 6, $"{path}: colour type {colourType}; this reader knows RGB (2) and RGBA (6)");
                Assert.Equal(0, (int)data[12]);
            }
            else if (type == "IDAT") compressed.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        int channels = colourType == 6 ? 4 : 3;
        int stride = width * channels;
        var raw = new byte[height * (stride + 1)];
        compressed.Position = 0;
        using (var inflate = new ZLibStream(compressed, CompressionMode.Decompress)) inflate.ReadExactly(raw);

        // Undo the per-row filters (PNG specification, section 9).
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            var above = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (int i = 0; i < stride; i++)
            {
                int left = i >= channels ? output[i - channels] : 0;
                int up = above[i];
                int upLeft = i >= channels ? above[i - channels] : 0;
                int predicted = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"{path}: row {y} has filter {filter}"),
                };
                output[i] = (byte)(line[i] + predicted);
            }
        }
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            rgba[p * 4] = pixels[p * channels];
            rgba[p * 4 + 1] = pixels[p * channels + 1];
            rgba[p * 4 + 2] = pixels[p * channels + 2];
            rgba[p * 4 + 3] = channels == 4 ? pixels[p * channels + 3] : (byte)255;
        }
        return new PngImage(width, height, rgba);
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>How many different colours the rectangle holds.</summary>
    public int DistinctColours(int left, int top, int right, int bottom)
    {
        var colours = new HashSet<int>();
        for (int y = top; y < bottom; y++)
            for (int x = left; x < right; x++)
                colours.Add(Rgb(x, y));
        return colours.Count;
    }
}
