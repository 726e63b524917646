using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Backprop.Serialization;

namespace Backprop.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of valid files, the kinds that break readers: flipped bits, bytes and integers set to boundary
/// values (in both byte orders, so IDX's big-endian sizes and safetensors' little-endian length both get lied to),
/// inserted, deleted and duplicated ranges, truncation, splices from other seeds, and text tokens for the CSV and
/// JSON parts. A gzip seed is mutated either as compressed bytes (exercising the decompressor's errors) or by
/// decompressing, mutating the content and compressing again (exercising what lies behind a valid gzip layer).
/// A safetensors seed is often mutated as header text and data separately, then given the right length prefix,
/// so that mutations reach the JSON checks instead of all dying at the prefix.
/// A checkpoint seed is often forged as an attacker would: a metadata value or a tensor value changed and the SHA-256
/// checksum computed again, so that mutations reach the checks behind the checksum instead of all dying at it.
/// The same seed gives the same sequence of inputs, so a failure at input k is reproduced by running to k.
/// </summary>
public sealed class Mutator(ulong seed, string format, IReadOnlyList<byte[]> seeds)
{
    readonly Rng _random = new(seed);

    static readonly int[] InterestingInt32 =
        [0, 1, 2, 3, 7, 8, 28, 255, 256, 0x7fff, 0xffff, 0x10000, 1 << 20, 1 << 24, 1 << 30, int.MaxValue, int.MinValue, -1, -2, 0x00000801, 0x00000803];

    static readonly ulong[] InterestingUInt64 =
        [0, 1, 2, 7, 8, 9, 100_000_000, 100_000_001, 1UL << 31, 1UL << 32, 1UL << 40, 1UL << 62, long.MaxValue, ulong.MaxValue];

    // Tokens that matter to the CSV and JSON grammars, and numbers at the edges of int, long, float and double.
    static readonly string[] Tokens =
    [
        ",", ",,", "\n", "\r\n", "\r", " ", "\t", "\"", "\\", "{", "}", "[", "]", ":", "-", "+", ".", "e", "E", "0", "1", "-1",
        "1e38", "3.5e38", "1e39", "-1e39", "1e308", "1e309", "NaN", "Infinity", "-Infinity", "∞", "0x10", "1_000",
        "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "18446744073709551616",
        "1e-400", "65535", "65536", "255.5", "-0", "1.", ".5", "null", "true", "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"",
        "\"I8\"", "\"shape\"", "\"dtype\"", "\"data_offsets\"", "\"__metadata__\"", "[]", "{}", "[0]", "[0,0]", "\\u0000",
        "\\ud800", "\u001b[31m", "\0", "\u00ff", "\ufeff", "é", "𝒳",
    ];

    public int Next(int bound) => _random.NextInt(bound);

    bool Chance(int oneIn) => _random.NextInt(oneIn) == 0;

    static readonly float[] InterestingFloats = [0, -0f, 1, -1, 0.5f, 2, 3, 6, 7, 1 << 24, float.NaN, float.PositiveInfinity, float.MaxValue, float.Epsilon];

    /// <summary>A checkpoint with one metadata value or one tensor value changed, and its checksum made right again.</summary>
    byte[]? Forge(byte[] input)
    {
        SafeTensorsFile file;
        try { file = SafeTensorsFile.Read(input, "seed"); }
        catch (BackpropException) { return null; }
        var metadata = file.Metadata.Where(p => p.Key != "checksum").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var tensors = file.Tensors.ToList();
        if (metadata.Count > 0 && (tensors.Count == 0 || !Chance(3)))
        {
            var key = metadata.Keys.Order(StringComparer.Ordinal).ElementAt(Next(metadata.Count));
            metadata[key] = Next(3) switch
            {
                0 => Tokens[Next(Tokens.Length)],
                1 => InterestingInt32[Next(InterestingInt32.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => Encoding.UTF8.GetString(Stack(Encoding.UTF8.GetBytes(metadata[key]))),
            };
            if (Chance(8)) metadata.Remove(key);
        }
        else if (tensors.Count > 0)
        {
            int t = Next(tensors.Count);
            var values = (float[])tensors[t].Data.Clone();
            if (values.Length > 0) values[Next(values.Length)] = InterestingFloats[Next(InterestingFloats.Length)];
            tensors[t] = tensors[t] with { Data = values };
        }
        try
        {
            metadata["checksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(tensors, metadata)));
            return SafeTensorsFile.ToBytes(tensors, metadata);
        }
        catch (BackpropException) { return null; }
    }

    /// <summary>A new input: a seed with one to a few stacked mutations.</summary>
    public byte[] Mutate()
    {
        var input = seeds[Next(seeds.Count)];
        if (FuzzTargets.IsGzip(input) && !Chance(3))
        {
            // Mutate behind the gzip layer: the content, then compress it again (sometimes with a second member or tail).
            var content = TryGunzip(input);
            if (content != null)
            {
                var mutated = Stack(content);
                var compressed = Gzip(mutated, Chance(2) ? CompressionLevel.Fastest : CompressionLevel.SmallestSize);
                if (Chance(8)) compressed = [.. compressed, .. Gzip(Stack(content), CompressionLevel.Fastest)];
                if (Chance(8)) compressed = [.. compressed, .. RandomBytes(1 + Next(8))];
                return compressed;
            }
        }
        if (format == "checkpoint" && !Chance(3) && Forge(input) is { } forged) return forged;
        if (format is "safetensors" or "checkpoint" && input.Length >= 8 && !Chance(3))
        {
            ulong claimed = BinaryPrimitives.ReadUInt64LittleEndian(input);
            if (claimed <= (ulong)(input.Length - 8))
            {
                var header = Stack(input[8..(8 + (int)claimed)]);
                var data = input[(8 + (int)claimed)..];
                if (Chance(4)) data = Stack(data);
                var bytes = new byte[8 + header.Length + data.Length];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
                header.CopyTo(bytes, 8);
                data.CopyTo(bytes, 8 + header.Length);
                return bytes;
            }
        }
        return Stack(input);
    }

    byte[] Stack(byte[] input)
    {
        var bytes = new List<byte>(input);
        int count = 1 + Next(4);
        for (int i = 0; i < count; i++) MutateOnce(bytes);
        return [.. bytes];
    }

    void MutateOnce(List<byte> bytes)
    {
        // Headers hold the sizes: aim half the positional mutations at the first 32 bytes.
        int Position(int extra = 0)
        {
            int limit = bytes.Count + extra;
            if (limit <= 0) return 0;
            return Chance(2) ? Next(Math.Min(limit, 32)) : Next(limit);
        }

        switch (Next(12))
        {
            case 0 when bytes.Count > 0:
                int bit = Position();
                bytes[bit] ^= (byte)(1 << Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes[Position()] = Chance(2) ? (byte)Next(256) : (byte)((int[])[0, 1, 0x7f, 0x80, 0xff, '0', '9', ',', '\n', '"'])[Next(10)];
                break;
            case 2 when bytes.Count >= 4:
            {
                int at = Math.Min(Position(), bytes.Count - 4);
                if (Chance(2)) at &= ~3; // IDX sizes sit at multiples of 4
                Span<byte> value = stackalloc byte[4];
                int number = Chance(4) ? ReadInt32(bytes, at) + (Chance(2) ? 1 : -1) : InterestingInt32[Next(InterestingInt32.Length)];
                if (Chance(2)) BinaryPrimitives.WriteInt32BigEndian(value, number); else BinaryPrimitives.WriteInt32LittleEndian(value, number);
                for (int k = 0; k < 4; k++) bytes[at + k] = value[k];
                break;
            }
            case 3 when bytes.Count >= 8:
            {
                // The safetensors length prefix: lie about it, or make it off by a little.
                ulong claimed = Chance(3) ? (ulong)(bytes.Count - 8 + Next(17) - 8) : InterestingUInt64[Next(InterestingUInt64.Length)];
                Span<byte> value = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(value, claimed);
                for (int k = 0; k < 8; k++) bytes[k] = value[k];
                break;
            }
            case 4:
                bytes.InsertRange(Position(1), RandomBytes(1 + Next(16)));
                break;
            case 5 when bytes.Count > 0:
            {
                int at = Position();
                bytes.RemoveRange(at, 1 + Next(Math.Min(bytes.Count - at, 64)));
                break;
            }
            case 6:
                int keep = Next(bytes.Count + 1);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 7 when bytes.Count > 0:
            {
                // Duplicate a range of the input in place: repeated rows, repeated JSON entries.
                int from = Next(bytes.Count);
                int length = 1 + Next(Math.Min(bytes.Count - from, 128));
                bytes.InsertRange(Position(1), bytes.GetRange(from, length));
                break;
            }
            case 8:
            {
                // Splice a piece of another seed.
                var other = seeds[Next(seeds.Count)];
                if (other.Length == 0) break;
                int from = Next(other.Length);
                int length = 1 + Next(Math.Min(other.Length - from, 256));
                bytes.InsertRange(Next(bytes.Count + 1), other.AsSpan(from, length).ToArray());
                break;
            }
            case 9 or 10:
                bytes.InsertRange(Next(bytes.Count + 1), Encoding.UTF8.GetBytes(Tokens[Next(Tokens.Length)]));
                break;
            default:
                ReplaceNumber(bytes);
                break;
        }
    }

    /// <summary>Replaces a run of ASCII digits (a CSV cell, a shape, an offset) with an edge-case number.</summary>
    void ReplaceNumber(List<byte> bytes)
    {
        if (bytes.Count == 0) return;
        int start = Next(bytes.Count);
        while (start < bytes.Count && !char.IsAsciiDigit((char)bytes[start])) start++;
        if (start == bytes.Count) return;
        int end = start;
        while (end < bytes.Count && char.IsAsciiDigit((char)bytes[end])) end++;
        string[] numbers = ["0", "1", "-1", "2147483647", "2147483648", "4294967295", "1048576", "1099511627776",
            "9223372036854775807", "99999999999999999999", "1e3", "1.5", "-0", "3", "8", "9"];
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.ASCII.GetBytes(numbers[Next(numbers.Length)]));
    }

    byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++) bytes[i] = (byte)Next(256);
        return bytes;
    }

    static int ReadInt32(List<byte> bytes, int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];

    public static byte[] Gzip(byte[] content, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level)) gzip.Write(content);
        return output.ToArray();
    }

    /// <summary>The content of a gzip seed (seeds are small), or null if it does not decompress.</summary>
    static byte[]? TryGunzip(byte[] compressed)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
