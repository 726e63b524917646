using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Backprop.Serialization;

/// <summary>
/// Writes the Protocol Buffers wire format: just the four encodings an ONNX file needs, so the library carries no
/// protobuf dependency.
/// </summary>
/// <remarks>
/// A message is a sequence of fields, each a tag then a value. The tag is the varint (field number « 3) | wire type;
/// the wire types used are 0 (varint: int64, int32, enums), 5 (fixed 32 bits: float, little-endian) and
/// 2 (length-delimited: a varint byte count, then UTF-8 strings, raw bytes or a nested message). A varint holds 7 bits
/// per byte, least significant group first, the top bit set on every byte but the last. Negative int64 values are
/// written as their 64-bit two's complement, always ten bytes (protobuf's rule for int64, unlike sint64's zig-zag).
/// A nested message is written into its own writer first, because its length must precede it.
/// </remarks>
internal sealed class ProtobufWriter
{
    /// <summary>The largest message protobuf readers accept (their sizes are signed 32-bit).</summary>
    public const int MaxMessageBytes = int.MaxValue;

    const int Varint = 0, LengthDelimited = 2, Fixed32 = 5;

    readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>An int64, int32 or enum field (wire type 0).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, Varint);
        WriteVarint(unchecked((ulong)value));
    }

    /// <summary>A float field (wire type 5): the IEEE 754 bits, little-endian.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>A string field (wire type 2), UTF-8 without a byte-order mark.</summary>
    public void WriteString(int field, string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        WriteTag(field, LengthDelimited);
        WriteVarint((ulong)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }

    /// <summary>A bytes field (wire type 2).</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>A bytes field holding <paramref name="values"/> as little-endian IEEE 754 floats (ONNX's raw_data).</summary>
    public void WriteFloatsAsBytes(int field, ReadOnlySpan<float> values)
    {
        int count = checked(4 * values.Length);
        WriteTag(field, LengthDelimited);
        WriteVarint((ulong)count);
        var span = _buffer.GetSpan(count);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], values[i]);
        _buffer.Advance(count);
    }

    /// <summary>A nested message field (wire type 2): <paramref name="message"/>'s bytes, prefixed by their count.</summary>
    public void WriteMessage(int field, ProtobufWriter message) => WriteBytes(field, message.WrittenSpan);

    /// <summary>A nested message field built by <paramref name="build"/>.</summary>
    public void WriteMessage(int field, Action<ProtobufWriter> build)
    {
        var message = new ProtobufWriter();
        build(message);
        WriteMessage(field, message);
    }

    void WriteTag(int field, int wireType)
    {
        if (field < 1 || field > (1 << 29) - 1) throw new ArgumentOutOfRangeException(nameof(field), field, "protobuf field numbers are 1 to 2^29 - 1");
        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }

    /// <summary>7 bits per byte, least significant first; at most 10 bytes for 64 bits.</summary>
    internal void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
