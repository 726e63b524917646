using System.Text;
using Backprop.Serialization;
using static Backprop.Tests.Serialization.SafeTensorsFixtures;

namespace Backprop.Tests.Serialization;

/// <summary>Every malformed or hostile file is refused with a one-line message naming the file and the problem.</summary>
public class SafeTensorsHostileTests
{
    private const string FileName = "hostile.safetensors";

    private static BackpropException Refused(byte[] bytes, string phrase)
    {
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(bytes, FileName));
        Assert.StartsWith(FileName + ": ", error.Message);
        Assert.True(error.Message.Contains(phrase, StringComparison.Ordinal),
            $"expected the message to contain \"{phrase}\", actual: {error.Message}");
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    /// <summary>One F32 tensor "t" with the given shape and offsets over <paramref name="dataBytes"/> zero bytes.</summary>
    private static byte[] OneTensor(string shape, string offsets, int dataBytes, string dtype = "F32") =>
        Build($"{{\"t\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}", new byte[dataBytes]);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_refused(int length) =>
        Refused(new byte[length], $"the file is {length} bytes, shorter than the 8-byte header length");

    [Fact]
    public void A_header_length_of_zero_is_refused() =>
        Refused(WithPrefix(0, [], new byte[16]), "the header length is 0");

    [Fact]
    public void A_header_length_beyond_the_file_is_refused() =>
        Refused(WithPrefix(100, Encoding.ASCII.GetBytes("{}"), []), "the header length is 100 bytes but only 2 bytes follow it");

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void A_header_length_above_the_limit_is_refused_before_anything_is_read(ulong claimed) =>
        Refused(WithPrefix(claimed, Encoding.ASCII.GetBytes("{}"), []), $"the header length is {claimed} bytes, above the limit of 100000000 bytes");

    [Fact]
    public void A_header_that_is_not_utf8_is_refused() =>
        Refused(Build([(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "the header is not valid UTF-8");

    [Theory]
    [InlineData("{\"t\":")]
    [InlineData("{} x")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{}\0\0")]
    [InlineData("{\"t\":{\"shape\":[[[[[1]]]]]}}")]
    public void A_header_that_is_not_json_is_refused(string header) =>
        Refused(Build(header, []), "the header is not valid JSON");

    [Theory]
    [InlineData("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}")]
    [InlineData("{\"__metadata__\":{\"k\":\"\\udc00x\"}}")]
    [InlineData("{\"t\":{\"dtype\":\"F3\\ud8002\",\"shape\":[0],\"data_offsets\":[0,0]}}")]
    public void A_header_string_escaping_half_a_surrogate_pair_is_refused(string header) =>
        Refused(Build(header, []), "the header holds a string with an unpaired UTF-16 surrogate escape (such as \\ud800)");

    [Theory]
    [InlineData("[1,2]", "the header is a JSON array, not an object")]
    [InlineData("\"text\"", "the header is a JSON string, not an object")]
    [InlineData("{\"t\":5}", "tensor 't' is described by a JSON number, not an object")]
    [InlineData("{\"t\":{\"shape\":[],\"data_offsets\":[0,4]}}", "tensor 't' has no \"dtype\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "tensor 't' has no \"shape\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[]}}", "tensor 't' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"extra\":1}}", "tensor 't' has an unexpected field 'extra'")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "tensor 't' has the field \"dtype\" twice")]
    [InlineData("{\"t\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}", "tensor 't' has a dtype that is a JSON number, not a string")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}}", "tensor 't' has a shape that is a JSON object, not an array")]
    [InlineData("{\"__metadata__\":[],\"t\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "\"__metadata__\" is a JSON array")]
    [InlineData("{\"__metadata__\":{\"epochs\":3},\"t\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", "\"__metadata__\" entry 'epochs' is a JSON number")]
    public void Entries_not_of_the_expected_form_are_refused(string header, string phrase) =>
        Refused(Build(header, new byte[4]), phrase);

    [Theory]
    [InlineData("I64", "tensor 't' has dtype I64, which this library does not read")]
    [InlineData("BOOL", "tensor 't' has dtype BOOL, which this library does not read")]
    [InlineData("U8", "tensor 't' has dtype U8, which this library does not read")]
    [InlineData("Q4", "tensor 't' has dtype 'Q4', which is not a safetensors dtype")]
    [InlineData("f32", "tensor 't' has dtype 'f32', which is not a safetensors dtype")]
    public void Unsupported_and_unknown_dtypes_are_refused_by_name(string dtype, string phrase)
    {
        var error = Refused(OneTensor("[1]", "[0,8]", 8, dtype), phrase);
        Assert.Contains("F64, F16, BF16 converted to F32", error.Message);
    }

    [Theory]
    [InlineData("[2,-3]", "tensor 't' has negative dimension 1 = -3")]
    [InlineData("[1.5]", "tensor 't' has dimension 0 = 1.5, not a whole number from 0 to 2147483647")]
    [InlineData("[\"2\"]", "tensor 't' has dimension 0 = \"2\", not a whole number from 0 to 2147483647")]
    [InlineData("[1e3]", "tensor 't' has dimension 0 = 1e3, not a whole number from 0 to 2147483647")]
    [InlineData("[99999999999999999999]", "= 99999999999999999999, not a whole number")]
    [InlineData("[4294967296]", "tensor 't' has dimension 0 = 4294967296, above the limit of 2147483647")]
    [InlineData("[2147483647,2147483647,2147483647]", "whose element count overflows 64 bits")]
    [InlineData("[1,1,1,1,1,1,1,1,1]", "tensor 't' has rank 9, above the limit of 8")]
    public void Bad_shapes_are_refused(string shape, string phrase) =>
        Refused(OneTensor(shape, "[0,4]", 4), phrase);

    [Theory]
    [InlineData("[0,20]", 24, "tensor 't' is F32 [2,3] = 24 bytes but its data_offsets [0, 20] span 20 bytes")]
    [InlineData("[0,24]", 16, "tensor 't' has data_offsets [0, 24] beyond the 16-byte data section")]
    [InlineData("[0,18446744073709551615]", 24, "tensor 't' has data_offsets [0,18446744073709551615] beyond the 24-byte data section")]
    [InlineData("[24,0]", 24, "tensor 't' has data_offsets [24, 0] that end before they begin")]
    [InlineData("[0]", 24, "tensor 't' has data_offsets [0]")]
    [InlineData("[0,24,48]", 24, "tensor 't' has data_offsets [0,24,48]")]
    [InlineData("[-8,16]", 24, "tensor 't' has data_offsets [-8,16]")]
    [InlineData("\"0-24\"", 24, "tensor 't' has data_offsets \"0-24\"")]
    public void Offsets_that_disagree_with_the_shape_or_the_file_are_refused(string offsets, int dataBytes, string phrase) =>
        Refused(OneTensor("[2,3]", offsets, dataBytes), phrase);

    [Fact]
    public void Offsets_spanning_more_bytes_than_the_shape_are_refused_though_they_tile_the_data_exactly()
    {
        // [0, 28] over a 28-byte data section: inside the file, no hole, no overlap; only the span gives it away.
        Refused(OneTensor("[2,3]", "[0,28]", 28), "tensor 't' is F32 [2,3] = 24 bytes but its data_offsets [0, 28] span 28 bytes");
    }

    [Fact]
    public void Overlapping_tensors_are_refused()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Refused(Build(header, new byte[12]), "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    }

    [Fact]
    public void Two_tensors_on_the_same_bytes_are_refused()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                              "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}";
        Refused(Build(header, new byte[8]), "tensors 'a' [0, 8] and 'b' [0, 8] overlap");
    }

    [Fact]
    public void A_hole_between_tensors_is_refused()
    {
        const string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
                              "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Refused(Build(header, new byte[12]), "bytes [4, 8) of the data section belong to no tensor (a hole before 'b')");
    }

    [Fact]
    public void A_hole_before_the_first_tensor_is_refused() =>
        Refused(OneTensor("[1]", "[4,8]", 8), "bytes [0, 4) of the data section belong to no tensor");

    [Fact]
    public void Bytes_after_the_last_tensor_are_refused() =>
        Refused(OneTensor("[1]", "[0,4]", 8), "the last 4 bytes of the data section belong to no tensor");

    [Fact]
    public void Data_with_no_tensors_at_all_is_refused() =>
        Refused(Build("{}      ", new byte[4]), "the last 4 bytes of the data section belong to no tensor");

    [Theory]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", "the header names 't' twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}}", "the header names '__metadata__' twice")]
    [InlineData("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", "\"__metadata__\" names 'k' twice")]
    public void Duplicate_names_are_refused(string header, string phrase) =>
        Refused(Build(header, []), phrase);

    [Fact]
    public void More_tensors_than_the_limit_are_refused()
    {
        // 100,001 empty tensors: each is valid on its own and they tile the (empty) data section.
        var header = new StringBuilder("{");
        for (int i = 0; i <= SafeTensorsFile.MaxTensorCount; i++)
            header.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        header.Append('}');
        Refused(Build(header.ToString(), []), "the header lists more than 100000 tensors, the limit");
    }

    [Fact]
    public void A_claim_of_two_to_the_forty_elements_is_refused_without_allocating_them()
    {
        // 2²⁰ × 2²⁰ = 2⁴⁰ F32 elements would be 4 TiB; the header is honest about the byte count.
        var bytes = OneTensor("[1048576,1048576]", "[0,4398046511104]", 16);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(bytes, FileName));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("tensor 't' has shape [1048576,1048576] = 1099511627776 elements, above the limit of 2147483591 per tensor", error.Message);
        Assert.True(allocated < 1 << 20, $"expected under 1 MiB allocated while refusing, actual {allocated} bytes");
    }

    [Fact]
    public void A_claim_just_above_the_array_limit_is_refused_on_disk_without_allocating_it()
    {
        // The stream path must refuse before allocating too: 2³¹ F32 elements would be an 8 GiB array.
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "huge.safetensors");
        File.WriteAllBytes(path, OneTensor("[65536,32768]", "[0,8589934592]", 8));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains("= 2147483648 elements, above the limit", error.Message);
        Assert.True(allocated < 1 << 20, $"expected under 1 MiB allocated while refusing, actual {allocated} bytes");
    }

    [Fact]
    public void A_truncated_file_on_disk_is_refused_with_its_path()
    {
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "cut.safetensors");
        var whole = SafeTensorsFile.ToBytes([new Tensor("w", [4], [1, 2, 3, 4])], new Dictionary<string, string>());
        File.WriteAllBytes(path, whole[..^4]);

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: tensor 'w' has data_offsets [0, 16] beyond the 12-byte data section; the file is truncated or its header is wrong; download or re-export it", error.Message);
    }

    [Fact]
    public void A_header_longer_than_the_file_on_disk_is_refused_with_its_path()
    {
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "short.safetensors");
        File.WriteAllBytes(path, WithPrefix(4096, Encoding.ASCII.GetBytes("{}"), []));

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(path));

        Assert.Contains($"{path}: the header length is 4096 bytes but only 2 bytes follow it", error.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path()
    {
        using var directory = new TemporaryDirectory();
        string path = Path.Combine(directory.Path, "absent.safetensors");

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: file not found; check the path", error.Message);
    }

    [Fact]
    public void A_directory_given_as_the_file_is_refused_with_its_path()
    {
        using var directory = new TemporaryDirectory();

        var error = Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(directory.Path));

        Assert.StartsWith(directory.Path + ": ", error.Message);
        Assert.EndsWith("check the path and the file's permissions", error.Message);
    }

    [Fact]
    public void A_huge_hostile_name_is_cut_short_and_kept_on_one_line_in_the_message()
    {
        string name = "line\nbreak" + new string('x', 10_000);
        var bytes = Build($"{{\"{name.Replace("\n", "\\n")}\":{{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}}}", new byte[8]);

        var error = Refused(bytes, "tensor 'line?break");

        Assert.True(error.Message.Length < 400, $"expected a short message, actual {error.Message.Length} characters");
    }
}

/// <summary>Seeded random damage to a valid file: whatever the damage, reading either succeeds or throws
/// <see cref="BackpropException"/>, never anything else.</summary>
public class SafeTensorsMutationTests
{
    // Bytes that steer the JSON parser into its interesting states.
    private static readonly byte[] Interesting = "{}[]\",:\\-+.0123456789eE \0\n"u8.ToArray().Concat(new byte[] { 0x80, 0xC3, 0xFF }).ToArray();

    internal static void Damage(int iterations, ulong seed)
    {
        var valid = SafeTensorsFile.ToBytes(
            [new Tensor("w", [2, 3], [1, 2, 3, 4, 5, 6]), new Tensor("b", [3], [7, 8, 9]), new Tensor("s", [], [10])],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "x" });
        // Also a file of the converted dtypes, so their paths are damaged too.
        var mixed = SafeTensorsFixtures.Build(
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]},\"g\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]}}",
            new byte[16]);
        var rng = new Rng(seed);
        for (int iteration = 0; iteration < iterations; iteration++)
        {
            var original = iteration % 2 == 0 ? valid : mixed;
            int headerLength = (int)BitConverter.ToUInt64(original, 0);
            var header = original.AsSpan(8, headerLength).ToArray().ToList();
            var data = original.AsSpan(8 + headerLength).ToArray().ToList();
            int damages = 1 + rng.NextInt(3);
            for (int k = 0; k < damages; k++)
            {
                var target = rng.NextInt(5) == 0 ? data : header;
                int at = target.Count == 0 ? 0 : rng.NextInt(target.Count);
                byte value = rng.NextInt(2) == 0 ? Interesting[rng.NextInt(Interesting.Length)] : (byte)rng.NextInt(256);
                switch (rng.NextInt(3))
                {
                    case 0 when target.Count > 0: target[at] = value; break;
                    case 1 when target.Count > 0: target.RemoveAt(at); break;
                    default: target.Insert(at, value); break;
                }
            }
            // Usually keep the length prefix honest so the damage reaches the JSON and the checks behind it.
            ulong prefix = rng.NextInt(8) == 0 ? rng.NextUInt64() >> rng.NextInt(64) : (ulong)header.Count;
            var bytes = SafeTensorsFixtures.WithPrefix(prefix, header.ToArray(), data.ToArray());
            try
            {
                SafeTensorsFile.Read(bytes, "damaged");
            }
            catch (BackpropException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} ({e.Message}) escaped for header {System.Text.Encoding.UTF8.GetString(header.ToArray())}");
            }
        }
    }

    [Fact]
    public void Randomly_damaged_files_only_ever_raise_BackpropException() => Damage(iterations: 4000, seed: 7);
}
