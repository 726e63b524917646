using System.Buffers.Binary;
using System.Text;

namespace Backprop.Tests.Serialization;

/// <summary>One decoded protobuf field: a varint or fixed value in <see cref="Number"/>, or length-delimited <see cref="Bytes"/>.</summary>
public sealed record ProtobufField(int Number, int WireType, ulong Value, byte[] Bytes);

/// <summary>
/// A protobuf decoder for the tests, written apart from the library's writer (and from the wire-format spec, not
/// from that writer) so that each checks the other. It refuses anything malformed instead of guessing.
/// </summary>
public sealed class ProtobufMessage
{
    public IReadOnlyList<ProtobufField> Fields { get; }

    ProtobufMessage(List<ProtobufField> fields) => Fields = fields;

    public static ProtobufMessage Parse(ReadOnlySpan<byte> bytes)
    {
        var fields = new List<ProtobufField>();
        int position = 0;
        while (position < bytes.Length)
        {
            ulong tag = ReadVarint(bytes, ref position);
            int number = checked((int)(tag >> 3)), wireType = (int)(tag & 7);
            if (number == 0) throw new FormatException($"field number 0 at byte {position}");
            switch (wireType)
            {
                case 0:
                    fields.Add(new(number, wireType, ReadVarint(bytes, ref position), []));
                    break;
                case 1:
                    fields.Add(new(number, wireType, BinaryPrimitives.ReadUInt64LittleEndian(Take(bytes, ref position, 8)), []));
                    break;
                case 2:
                    int length = checked((int)ReadVarint(bytes, ref position));
                    fields.Add(new(number, wireType, 0, Take(bytes, ref position, length).ToArray()));
                    break;
                case 5:
                    fields.Add(new(number, wireType, BinaryPrimitives.ReadUInt32LittleEndian(Take(bytes, ref position, 4)), []));
                    break;
                default:
                    throw new FormatException($"wire type {wireType} (field {number}) is not one this writer should produce");
            }
        }
        return new ProtobufMessage(fields);
    }

    static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> bytes, ref int position, int count)
    {
        if (count < 0 || count > bytes.Length - position)
            throw new FormatException($"{count} bytes wanted at byte {position} of a {bytes.Length}-byte message");
        var span = bytes.Slice(position, count);
        position += count;
        return span;
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= bytes.Length) throw new FormatException("varint runs past the end of the message");
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("varint longer than 10 bytes");
    }

    IEnumerable<ProtobufField> All(int number, int wireType)
    {
        foreach (var field in Fields.Where(f => f.Number == number))
        {
            if (field.WireType != wireType) throw new FormatException($"field {number} has wire type {field.WireType}, expected {wireType}");
            yield return field;
        }
    }

    ProtobufField One(int number, int wireType)
    {
        var all = All(number, wireType).ToList();
        if (all.Count != 1) throw new FormatException($"field {number} occurs {all.Count} times, expected once");
        return all[0];
    }

    public bool Has(int number) => Fields.Any(f => f.Number == number);
    public long Int64(int number) => unchecked((long)One(number, 0).Value);
    public long[] Int64s(int number) => All(number, 0).Select(f => unchecked((long)f.Value)).ToArray();
    public float Float(int number) => BitConverter.Int32BitsToSingle(unchecked((int)One(number, 5).Value));
    public byte[] Bytes(int number) => One(number, 2).Bytes;
    public string String(int number) => Encoding.UTF8.GetString(Bytes(number));
    public string[] Strings(int number) => All(number, 2).Select(f => Encoding.UTF8.GetString(f.Bytes)).ToArray();
    public ProtobufMessage Message(int number) => Parse(Bytes(number));
    public ProtobufMessage[] Messages(int number) => All(number, 2).Select(f => Parse(f.Bytes)).ToArray();
}
