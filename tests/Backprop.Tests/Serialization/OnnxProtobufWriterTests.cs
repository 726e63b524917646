using Backprop.Serialization;

namespace Backprop.Tests.Serialization;

/// <summary>The protobuf encoder under the ONNX writer, against byte strings from the protobuf encoding guide.</summary>
public class OnnxProtobufWriterTests
{
    static string Hex(ProtobufWriter writer) => Convert.ToHexStringLower(writer.ToArray());

    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(150UL, "9601")] // the guide's example
    [InlineData(300UL, "ac02")]
    [InlineData(16383UL, "ff7f")]
    [InlineData(16384UL, "808001")]
    [InlineData(uint.MaxValue, "ffffffff0f")]
    [InlineData(ulong.MaxValue, "ffffffffffffffffff01")]
    public void Varints_hold_seven_bits_per_byte_least_significant_first(ulong value, string expected)
    {
        var writer = new ProtobufWriter();
        writer.WriteVarint(value);
        Assert.Equal(expected, Hex(writer));
    }

    [Fact]
    public void An_int64_field_is_its_tag_then_its_varint()
    {
        var writer = new ProtobufWriter();
        writer.WriteInt64(1, 150);
        Assert.Equal("089601", Hex(writer)); // the guide's message Test1 { int32 a = 1; } with a = 150
    }

    [Fact]
    public void A_negative_int64_is_ten_bytes_of_twos_complement()
    {
        var writer = new ProtobufWriter();
        writer.WriteInt64(3, -1);
        Assert.Equal("18ffffffffffffffffff01", Hex(writer));
    }

    [Fact]
    public void Field_numbers_above_15_take_a_two_byte_tag()
    {
        var writer = new ProtobufWriter();
        writer.WriteInt64(20, 2); // ONNX's AttributeProto.type
        Assert.Equal("a00102", Hex(writer)); // (20 << 3 | 0) = 160 = varint a0 01
    }

    [Fact]
    public void A_string_field_is_its_length_then_its_utf8_bytes()
    {
        var writer = new ProtobufWriter();
        writer.WriteString(2, "testing");
        Assert.Equal("120774657374696e67", Hex(writer)); // the guide's Test2 { string b = 2; }

        var unicode = new ProtobufWriter();
        unicode.WriteString(1, "é");
        Assert.Equal("0a02c3a9", Hex(unicode));
    }

    [Fact]
    public void A_float_field_is_fixed32_little_endian()
    {
        var writer = new ProtobufWriter();
        writer.WriteFloat(2, 0.01f);
        Assert.Equal("150ad7233c", Hex(writer)); // tag 2 << 3 | 5 = 0x15; 0.01f = 0x3c23d70a
    }

    [Fact]
    public void Floats_as_bytes_are_little_endian_ieee754()
    {
        var writer = new ProtobufWriter();
        writer.WriteFloatsAsBytes(9, [1f, -2f, float.Epsilon]);
        Assert.Equal("4a0c" + "0000803f" + "000000c0" + "01000000", Hex(writer));
    }

    [Fact]
    public void A_nested_message_is_length_delimited()
    {
        var writer = new ProtobufWriter();
        writer.WriteMessage(3, inner => inner.WriteInt64(1, 150));
        Assert.Equal("1a03089601", Hex(writer)); // the guide's Test3 { Test1 c = 3; }
    }

    [Fact]
    public void A_message_longer_than_127_bytes_gets_a_two_byte_length()
    {
        var inner = new ProtobufWriter();
        inner.WriteBytes(1, new byte[200]);
        Assert.Equal(203, inner.Length); // tag, two-byte length 200, payload

        var outer = new ProtobufWriter();
        outer.WriteMessage(7, inner);

        var bytes = outer.ToArray();
        Assert.Equal("3acb01", Convert.ToHexStringLower(bytes[..3])); // tag 7 << 3 | 2 = 0x3a, length 203 = cb 01
        Assert.Equal(3 + 203, bytes.Length);
        Assert.Equal(new byte[200], ProtobufMessage.Parse(bytes).Message(7).Bytes(1));
    }

    [Fact]
    public void Every_field_kind_round_trips_through_an_independent_decoder()
    {
        var writer = new ProtobufWriter();
        writer.WriteInt64(1, long.MinValue);
        writer.WriteInt64(1, long.MaxValue);
        writer.WriteFloat(2, -3.5f);
        writer.WriteString(3, "layers.0.weight");
        writer.WriteMessage(4, inner => inner.WriteString(1, "nested"));
        writer.WriteFloatsAsBytes(536_870_911, [0.5f]); // the largest field number

        var message = ProtobufMessage.Parse(writer.ToArray());

        Assert.Equal([long.MinValue, long.MaxValue], message.Int64s(1));
        Assert.Equal(-3.5f, message.Float(2));
        Assert.Equal("layers.0.weight", message.String(3));
        Assert.Equal("nested", message.Message(4).String(1));
        Assert.Equal(BitConverter.GetBytes(0.5f), message.Bytes(536_870_911));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(536_870_912)]
    public void Field_numbers_outside_protobufs_range_are_refused(int field)
    {
        var writer = new ProtobufWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteInt64(field, 1));
    }
}
