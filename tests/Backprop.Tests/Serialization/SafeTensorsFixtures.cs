using System.Buffers.Binary;
using System.Text;
using Backprop.Serialization;

namespace Backprop.Tests.Serialization;

/// <summary>Builds safetensors bytes by hand, independently of the code under test.</summary>
internal static class SafeTensorsFixtures
{
    /// <summary>8-byte little-endian length of <paramref name="header"/>'s UTF-8, the header, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    public static byte[] Build(byte[] header, byte[] data) => WithPrefix((ulong)header.Length, header, data);

    /// <summary>Any claimed header length, followed by whatever bytes.</summary>
    public static byte[] WithPrefix(ulong claimedHeaderLength, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedHeaderLength);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static byte[] F64(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    /// <summary>Raw 16-bit patterns (F16 or BF16), little-endian.</summary>
    public static byte[] Bits16(params ushort[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        return bytes;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Asserts two float arrays are equal bit for bit (so NaN payloads and −0 count), printing the first difference.</summary>
    public static void BitExact(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, actual {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(e == a, $"{what}[{i}]: expected {expected[i]:R} (0x{e:X8}), actual {actual[i]:R} (0x{a:X8})");
        }
    }

    public static void SameTensor(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Shape, actual.Shape);
        BitExact(expected.Data, actual.Data, expected.Name);
    }
}
