using System.Text;
using Backprop.Serialization;
using static Backprop.Tests.Serialization.SafeTensorsFixtures;

namespace Backprop.Tests.Serialization;

/// <summary>Exact bytes: what we write, what the official writer writes, and dtype conversion on reading.</summary>
public class SafeTensorsFormatTests
{
    private static readonly Dictionary<string, string> NoMetadata = new();

    [Fact]
    public void A_tiny_file_has_exactly_the_bytes_worked_out_by_hand()
    {
        var tensors = new[] { new Tensor("w", [2], [1f, -2f]) };
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };

        // Counted by hand: {"__metadata__": is 16 characters, {"a":"1","b":"2"}, is 18 (34), "w": is 4 (38),
        // {"dtype":"F32", is 15 (53), "shape":[2], is 12 (65), "data_offsets":[0,8]} is 21 (86), the final } 87.
        // 87 pads with one space to 88 = 0x58, a multiple of 8. Metadata keys come out sorted.
        const string header = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} ";
        Assert.Equal(88, header.Length);
        var expected = new List<byte> { 0x58, 0, 0, 0, 0, 0, 0, 0 };
        expected.AddRange(Encoding.ASCII.GetBytes(header));
        expected.AddRange(new byte[] { 0x00, 0x00, 0x80, 0x3F }); // 1.0f  = 0x3F800000
        expected.AddRange(new byte[] { 0x00, 0x00, 0x00, 0xC0 }); // -2.0f = 0xC0000000

        Assert.Equal(expected.ToArray(), SafeTensorsFile.ToBytes(tensors, metadata));
    }

    [Fact]
    public void Our_bytes_match_the_official_writers_bytes_for_the_same_tensor()
    {
        // The official Rust crate's serialization test: "attn.0", F32, shape [1,2,3], values 0..5. Its header is
        // 64 characters (1 + 9 + 15 + 16 + 22 + 1), already a multiple of 8, so there is no padding.
        const string header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        Assert.Equal(64, header.Length);
        var official = Build(header, F32(0, 1, 2, 3, 4, 5));
        Assert.Equal(64, official[0]);

        var ours = SafeTensorsFile.ToBytes([new Tensor("attn.0", [1, 2, 3], [0, 1, 2, 3, 4, 5])], NoMetadata);

        Assert.Equal(official, ours);
    }

    [Fact]
    public void Our_bytes_match_the_official_writers_bytes_for_empty_files()
    {
        // Official outputs: "{}" padded with six spaces (length 8), and {"__metadata__":{"framework":"pt"}}
        // (35 characters) padded with five spaces to 40.
        Assert.Equal(Build("{}      ", []), SafeTensorsFile.ToBytes([], NoMetadata));
        Assert.Equal(Build("{\"__metadata__\":{\"framework\":\"pt\"}}     ", []),
            SafeTensorsFile.ToBytes([], new Dictionary<string, string> { ["framework"] = "pt" }));

        var empty = SafeTensorsFile.Read(Build("{\"__metadata__\":{\"framework\":\"pt\"}}     ", []), "empty.safetensors");
        Assert.Empty(empty.Tensors);
        Assert.Equal("pt", empty.Metadata["framework"]);
    }

    [Fact]
    public void A_file_laid_out_by_the_official_python_writer_reads_back()
    {
        // safetensors.torch.save_file orders tensors by dtype alignment (F32 before BF16), then by name, puts
        // "__metadata__" first and pads with spaces. The JSON is 32 + 59 + 64 + 60 = 215 characters, so one
        // space pads it to 216.
        const string json = "{\"__metadata__\":{\"format\":\"pt\"}," +
                            "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                            "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[8,24]}," +
                            "\"scale\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]}}";
        Assert.Equal(215, json.Length);
        string header = json + " ";
        var bytes = Build(header, Concat(F32(0.5f, -0.25f), F32(1, 2, 3, 4), Bits16(0x3F80, 0xC000, 0x4049)));

        var file = SafeTensorsFile.Read(bytes, "python.safetensors");

        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, file.Metadata);
        Assert.Equal(new[] { "fc.bias", "fc.weight", "scale" }, file.Tensors.Select(t => t.Name));
        SameTensor(new Tensor("fc.bias", [2], [0.5f, -0.25f]), file.Tensors[0]);
        SameTensor(new Tensor("fc.weight", [2, 2], [1, 2, 3, 4]), file.Tensors[1]);
        // BF16 0x3F80 = 1, 0xC000 = −2, 0x4049 = 0x40490000 as float32 = 2 × (1 + 0x49/128) = 3.140625.
        SameTensor(new Tensor("scale", [3], [1f, -2f, 3.140625f]), file.Tensors[2]);
        Assert.Same(file.Tensors[1], file.Find("fc.weight"));
        Assert.Null(file.Find("fc.Weight"));
    }

    [Fact]
    public void Tensors_come_back_in_offset_order_whatever_the_header_order()
    {
        const string header = "{\"second\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}," +
                              "\"__metadata__\":{\"k\":\"v\"}," +
                              "\"first\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        var file = SafeTensorsFile.Read(Build(header, F32(7, 9)), "order.safetensors");

        SameTensor(new Tensor("first", [], [7]), file.Tensors[0]);
        SameTensor(new Tensor("second", [1], [9]), file.Tensors[1]);
        Assert.Equal("v", file.Metadata["k"]);
    }

    [Fact]
    public void F16_values_convert_exactly()
    {
        // 0x3C00 = 1, 0xC000 = −2, 0x3555 = (1 + 341/1024)/4 = 0.333251953125, 0x7BFF = 65504 (largest),
        // 0x0001 = 2⁻²⁴ (smallest subnormal), 0x8000 = −0, 0x7C00 = +∞.
        var bytes = Build("{\"h\":{\"dtype\":\"F16\",\"shape\":[7],\"data_offsets\":[0,14]}}",
            Bits16(0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001, 0x8000, 0x7C00));

        var h = SafeTensorsFile.Read(bytes, "half.safetensors").Tensors[0];

        BitExact([1f, -2f, 0.333251953125f, 65504f, MathF.Pow(2, -24), -0f, float.PositiveInfinity], h.Data, "h");
    }

    [Fact]
    public void BF16_values_convert_exactly()
    {
        // bfloat16 is the top 16 bits of a float32: 0x3F80 → 0x3F800000 = 1, 0xBF40 → −0.75,
        // 0x7F7F → 0x7F7F0000 = (2 − 2⁻⁷)·2¹²⁷, 0x0001 → 0x00010000 = 2⁻¹³³ (subnormal).
        var bytes = Build("{\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}",
            Bits16(0x3F80, 0xBF40, 0x7F7F, 0x0001));

        var b = SafeTensorsFile.Read(bytes, "bf16.safetensors").Tensors[0];

        Assert.Equal(new[] { 2, 2 }, b.Shape);
        BitExact([1f, -0.75f, (2 - MathF.Pow(2, -7)) * MathF.Pow(2, 127), MathF.Pow(2, -133)], b.Data, "b");
    }

    [Fact]
    public void F64_values_round_to_the_nearest_float()
    {
        // 0.1 is not a float: it rounds to 0x3DCCCCCD. 1 + 2⁻³⁰ rounds to 1. 1e300 is beyond float: +∞.
        var bytes = Build("{\"d\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}",
            F64(0.1, 1 + Math.Pow(2, -30), -1e300, 2.5));

        var d = SafeTensorsFile.Read(bytes, "f64.safetensors").Tensors[0];

        BitExact([BitConverter.Int32BitsToSingle(0x3DCCCCCD), 1f, float.NegativeInfinity, 2.5f], d.Data, "d");
    }

    [Fact]
    public void Names_are_escaped_as_the_official_writer_escapes_them()
    {
        // serde_json escapes only quote, backslash and control characters (short forms where JSON has them,
        // otherwise \u00xx in lowercase hex) and writes everything else, including non-ASCII, as raw UTF-8.
        var bytes = SafeTensorsFile.ToBytes([new Tensor("q\"\\\n\u001f/é", [0], [])], NoMetadata);

        string header = Encoding.UTF8.GetString(bytes, 8, bytes.Length - 8);
        Assert.StartsWith("{\"q\\\"\\\\\\n\\u001f/é\":{", header);
        Assert.Equal("q\"\\\n\u001f/é", SafeTensorsFile.Read(bytes, "escaped").Tensors[0].Name);
    }
}
