using System.Buffers.Binary;
using System.Text;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Tests.Fuzzing;

/// <summary>
/// Small valid files of each format (and a few liars at the limits) that the mutator starts from. Built here, byte by
/// byte, so the seeds do not depend on the writers under test. Linked into the SharpFuzz harness, which writes them
/// out as AFL's starting corpus.
/// </summary>
public static class SeedCorpus
{
    public static IReadOnlyList<string> Formats { get; } = ["idx", "csv", "safetensors", "checkpoint"];

    public static IReadOnlyList<byte[]> For(string format) => format switch
    {
        "idx" => Idx(),
        "csv" => Csv(),
        "safetensors" => SafeTensors(),
        "checkpoint" => Checkpoints(),
        _ => throw new ArgumentException($"no seed corpus for {format}"),
    };

    static byte[] IdxFile(int magic, int[] dimensions, byte[] body)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dimensions[d]);
        body.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    static byte[] Ramp(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 37 % 256)).ToArray();

    static List<byte[]> Idx()
    {
        var images = IdxFile(0x803, [3, 2, 3], Ramp(18));
        var labels = IdxFile(0x801, [5], [4, 0, 1, 9, 255]);
        var single = IdxFile(0x803, [1, 1, 1], [255]);
        var digits = IdxFile(0x803, [4, 28, 28], Ramp(4 * 784));
        // Zeros compress about 1000:1: a valid file close to the decompression-ratio limit the reader enforces.
        var compressible = IdxFile(0x801, [20000], new byte[20000]);
        return
        [
            images, labels, single, digits,
            Mutator.Gzip(images), Mutator.Gzip(labels), Mutator.Gzip(digits), Mutator.Gzip(compressible),
            // Liars: sizes whose product is 2⁶⁰, int.MaxValue labels, and a small gzip promising more than it holds.
            IdxFile(0x803, [1 << 20, 1 << 20, 1 << 20], Ramp(16)),
            IdxFile(0x801, [int.MaxValue], [1, 2, 3]),
            Mutator.Gzip(IdxFile(0x803, [60000, 28, 28], Ramp(784))),
        ];
    }

    static List<byte[]> Csv()
    {
        string[] texts =
        [
            "x,y,label\n0.5,1,0\n-1e-3,2,1\n3.25,-4,2\n",
            "1,2,0\n3,4,1\n",
            "label,a,b\n1,0.5,0.25\n0,1e2,-7\n",
            "a,b\r\n1,0\r\n2,1\r\n\r\n",
            "\ufeffx, y ,class\n 1 , 2 , 3.0 \n\n4,5,0\n",
            "1,1\n2,0\n3,1\n4,0\n",
            "f1,f2,f3\n0,0,0\n1,1,1\n",
            "x,y,label\n1,2,65535\n",
            // Word labels, scikit-learn's header, real targets.
            "x,y,animal\n1,2,cat\n3,4,dog\n5,6,cat\n",
            "3,2,setosa,versicolor,virginica\n5.1,3.5,0\n4.9,3.0,2\n6.2,2.9,1\n",
            "age,bmi,progression\n0.03,-0.05,151\n-0.001,0.02,75.5\n",
        ];
        return [.. texts.Select(Encoding.UTF8.GetBytes)];
    }

    static byte[] Build(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    static List<byte[]> SafeTensors()
    {
        const string layer = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}";
        return
        [
            Build(layer, Floats(1, -2, 0.5f, 3, 4, 5, 0.25f, -1)),
            Build("{}", []),
            Build("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}    ", Floats(7)),
            Build("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", [0x00, 0x3c, 0x00, 0xc0]),
            Build("{\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[8,10]}}", [0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x80, 0x3f]),
            Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", Floats(1, 2)),
            // Many tiny tensors: the per-tensor cost of parsing, and a larger F16 tensor that doubles as floats.
            Build("{" + string.Join(",", Enumerable.Range(0, 300).Select(i => $"\"t{i}\":{{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}")) + "}", []),
            Build("{\"h\":{\"dtype\":\"F16\",\"shape\":[16,64],\"data_offsets\":[0,2048]}}", [.. Enumerable.Range(0, 2048).Select(i => (byte)(i % 2 == 0 ? i : 0x3c))]),
            // The writer's own output, padded as the official writer pads.
            SafeTensorsFile.ToBytes([new Tensor("layers.0.weight", [1, 2], [0.5f, -0.5f])], new Dictionary<string, string> { ["epochs"] = "3" }),
            // Liars: 2⁴⁰ elements, and a header length far beyond the file.
            Build("{\"t\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4]}}", Floats(1)),
            [.. BitConverter.GetBytes(1UL << 40), .. "{}"u8],
        ];
    }

    /// <summary>
    /// Checkpoints of a tiny run (2,3,2; six examples in batches of 4) written by the library itself — a checkpoint
    /// is only valid with its own SHA-256, which cannot be written by hand: at the start, mid-epoch and after an epoch,
    /// for each optimizer (no buffers, one, two).
    /// </summary>
    static List<byte[]> Checkpoints()
    {
        var seeds = new List<byte[]>();
        var architecture = new Architecture([2, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
        var data = new Dataset([0.5f, -1, 1, 0.25f, -0.5f, 2, 0, 1, 1.5f, -2, -1, 0], [0, 1, 0, 1, 1, 0], 2, 2);
        foreach (var optimizer in new[] { "sgd", "momentum", "adam" })
        {
            var trainer = new Trainer(Network<float>.Initialize(architecture, 3), new TrainingOptions { Optimizer = optimizer, BatchSize = 4, Epochs = 2, LearningRate = 0.1 }, data);
            var run = new Dictionary<string, string> { ["data"] = "xor", ["out"] = "/tmp/model.safetensors" };
            seeds.Add(Checkpoint.Capture(trainer, run).ToBytes());
            trainer.BetweenBatches = t => seeds.Add(Checkpoint.Capture(t, run).ToBytes());
            trainer.RunEpoch(null, null, null, CancellationToken.None);
            seeds.Add(Checkpoint.Capture(trainer, run).ToBytes());
        }
        return seeds;
    }
}
