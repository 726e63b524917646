using System.Buffers.Binary;
using System.Text;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>
/// Every kind of bad input ends the same way: exit code 2, one line on stderr that names the problem,
/// no stack trace, and no output file.
/// </summary>
public class BadInputTests
{
    /// <summary>Writes the files a case needs into the folder and returns the arguments after `backprop`.</summary>
    public static TheoryData<string, string> Cases() => new()
    {
        { "truncated-idx", "truncated" },
        { "wrong-magic", "magic" },
        { "corrupt-gzip", "gzip" },
        { "non-numeric-csv", "line 3" },
        { "ragged-csv", "line 3" },
        { "empty-csv", "no data rows" },
        { "layers-do-not-fit", "--layers 2," },
        { "labels-do-not-fit", "end it with 3" },
        { "negative-lr", "--lr" },
        { "zero-batch", "--batch" },
        { "unknown-activation", "unknown activation 'swish'" },
        { "unknown-option", "--help" },
        { "missing-option-value", "--lr needs a value" },
        { "not-a-number", "--epochs takes a whole number, got 'many'" },
        { "missing-data-folder", "no-such-folder" },
        { "missing-init-file", "no such file" },
        { "lying-header-length", "header" },
        { "offsets-out-of-range", "offset" },
        { "overlapping-offsets", "overlap" },
        { "unknown-dtype", "Q4" },
        { "shape-mismatch", "[3, 2]" },
        { "missing-model", "model.safetensors" },
        { "output-folder-missing", "does not exist" },
        { "softmax-hidden", "output activation" },
        { "validation-split-too-big", "--validation-split" },
    };

    static string[] Prepare(string name, TempDirectory d) => name switch
    {
        "truncated-idx" => Idx(d, images => images[..(images.Length / 2)]),
        "wrong-magic" => Idx(d, images => { images[3] = 0x99; return images; }),
        "corrupt-gzip" => Idx(d, images => Data.Idx.Gzip(images)[..20].Concat(new byte[40]).ToArray(), gzip: true),
        "non-numeric-csv" => Csv(d, "a,b,label\n1,2,0\n3,x,1\n"),
        "ragged-csv" => Csv(d, "1,2,0\n3,4,1\n5,1\n"),
        "empty-csv" => Csv(d, ""),
        "layers-do-not-fit" => Train("--data", "moons", "--layers", "3,4,2"),
        "labels-do-not-fit" => Train("--data", "blobs", "--layers", "2,4,2"),
        "negative-lr" => Train("--data", "moons", "--lr", "-0.1"),
        "zero-batch" => Train("--data", "moons", "--batch", "0"),
        "unknown-activation" => Train("--data", "moons", "--activation", "swish"),
        "unknown-option" => Train("--data", "moons", "--learning-rate", "0.1"),
        "missing-option-value" => Train("--data", "moons", "--lr"),
        "not-a-number" => Train("--data", "moons", "--epochs", "many"),
        "missing-data-folder" => Train("--data", "idx:no-such-folder"),
        "missing-init-file" => Train("--data", "moons", "--layers", "2,3,2", "--init", "absent.safetensors"),
        "lying-header-length" => Init(d, Safetensors(Header(6), data: 24, claimedLength: 1_000_000)),
        "offsets-out-of-range" => Init(d, Safetensors(Header(6, weightEnd: 4000), data: 24)),
        "overlapping-offsets" => Init(d, Safetensors(Header(6, biasStart: 0), data: 24)),
        "unknown-dtype" => Init(d, Safetensors(Header(6, dtype: "Q4"), data: 24)),
        "shape-mismatch" => Init(d, Safetensors(Header(6, shape: "[3, 2]"), data: 24)),
        "missing-model" => ["evaluate", "--model", "model.safetensors", "--data", "moons"],
        "output-folder-missing" => Train("--data", "moons", "--out", "no/such/dir/m.safetensors"),
        "softmax-hidden" => Train("--data", "moons", "--layers", "2,4,4,2", "--activation", "softmax"),
        "validation-split-too-big" => Train("--data", "moons", "--validation-split", "1.5"),
        _ => throw new ArgumentException(name),
    };

    static string[] Train(params string[] args) => ["train", .. args, "--epochs", "1", .. (args.Contains("--out") ? Array.Empty<string>() : ["--out", "out.safetensors"])];

    static string[] Idx(TempDirectory d, Func<byte[], byte[]> spoil, bool gzip = false)
    {
        Data.Idx.WriteSet(d, "set", gzip: false);
        var images = File.ReadAllBytes(d.File("set/train-images-idx3-ubyte"));
        File.Delete(d.File("set/train-images-idx3-ubyte"));
        d.Write(gzip ? "set/train-images-idx3-ubyte.gz" : "set/train-images-idx3-ubyte", spoil(images));
        return Train("--data", "idx:set", "--layers", "6,4,5");
    }

    static string[] Csv(TempDirectory d, string text)
    {
        d.WriteText("data.csv", text);
        return Train("--data", "csv:data.csv", "--layers", "2,4,2");
    }

    static string[] Init(TempDirectory d, byte[] file)
    {
        d.Write("init.safetensors", file);
        return Train("--data", "moons", "--layers", "2,2", "--init", "init.safetensors");
    }

    /// <summary>A header for a 2→2 layer: weight [2, 2] F32 (16 bytes) then bias [2] (8 bytes), each part spoilable.</summary>
    static string Header(int _, string dtype = "F32", string shape = "[2, 2]", int weightEnd = 16, int biasStart = 16) =>
        $"{{\"layers.0.weight\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[0,{weightEnd}]}}," +
        $"\"layers.0.bias\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[{biasStart},{biasStart + 8}]}}}}";

    static byte[] Safetensors(string header, int data, ulong? claimedLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_exits_2_with_one_line_and_writes_nothing(string name, string phrase)
    {
        using var folder = new TempDirectory();
        var args = Prepare(name, folder);
        var before = Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).ToHashSet();
        var r = BackpropProcess.Run(folder.Path, args);
        Assert.True(r.ExitCode == 2, $"{name}: {r}");
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(phrase, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.Error);
        Assert.DoesNotContain("Exception", r.Error);
        Assert.Equal(before, Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories).ToHashSet());
    }
}
