using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Backprop.Tests.Serialization;

/// <summary>
/// An exported network, run by ONNX Runtime, gives what <see cref="Network{T}.Forward"/> gives on standardised
/// inputs; and the file holds the graph the documentation promises.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-5;
    const int Count = 1000;

    static readonly string[] HiddenActivations = ["sigmoid", "tanh", "relu", "leaky-relu", "identity"];
    static readonly string[] OutputActivations = ["softmax", "sigmoid", "identity"];

    public static TheoryData<string, string, bool> EveryActivation()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var hidden in HiddenActivations)
            foreach (var outputActivation in OutputActivations)
                foreach (var standardize in new[] { false, true })
                    data.Add(hidden, outputActivation, standardize);
        return data;
    }

    /// <summary>Seeded weights (He or Xavier) and biases drawn from U(−0.5, 0.5), so a dropped bias would show.</summary>
    internal static Network<float> RandomNetwork(int[] sizes, string hidden, string outputActivation, ulong seed)
    {
        var output = Activation.Parse(outputActivation);
        var architecture = new Architecture(sizes, Activation.Parse(hidden), output, output == Activation.Softmax ? Cost.CrossEntropy : Cost.Quadratic);
        var network = Network<float>.Initialize(architecture, seed);
        var rng = new Rng(seed ^ 0x5EED);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = (float)rng.NextDouble(-0.5, 0.5);
        return network;
    }

    /// <summary>Means far from 0 and deviations from 0.05 to 20, so forgetting either (or swapping them) shows.</summary>
    internal static Standardizer RandomStandardizer(int features, ulong seed)
    {
        var rng = new Rng(seed);
        var mean = new float[features];
        var deviation = new float[features];
        for (int k = 0; k < features; k++)
        {
            mean[k] = (float)rng.NextDouble(-50, 50);
            deviation[k] = (float)Math.Exp(rng.NextDouble(-3, 3));
        }
        return new Standardizer(mean, deviation);
    }

    /// <summary>Raw inputs: μ + σ·U(−2.5, 2.5) per feature with a standardizer, U(−3, 3) without.</summary>
    internal static float[] RandomInputs(int count, int features, Standardizer? standardizer, ulong seed)
    {
        var rng = new Rng(seed);
        var inputs = new float[count * features];
        for (int i = 0; i < inputs.Length; i++)
        {
            int k = i % features;
            inputs[i] = standardizer == null ? (float)rng.NextDouble(-3, 3)
                : standardizer.Mean[k] + standardizer.Deviation[k] * (float)rng.NextDouble(-2.5, 2.5);
        }
        return inputs;
    }

    /// <summary>What backprop computes: standardise a copy, then Forward.</summary>
    internal static float[] Expected(Network<float> network, Standardizer? standardizer, float[] inputs, int count)
    {
        var x = (float[])inputs.Clone();
        standardizer?.Apply(x);
        return network.Forward(x, count);
    }

    double CheckAgainstForward(int[] sizes, string hidden, string outputActivation, bool standardize, ulong seed)
    {
        var network = RandomNetwork(sizes, hidden, outputActivation, seed);
        var standardizer = standardize ? RandomStandardizer(sizes[0], seed + 1) : null;
        var inputs = RandomInputs(Count, sizes[0], standardizer, seed + 2);

        var actual = OnnxRunner.Run(OnnxExport.ToBytes(network, standardizer), inputs, Count);

        var what = $"{network.Architecture}{(standardize ? " standardized" : "")}";
        double largest = OnnxRunner.AssertClose(Expected(network, standardizer, inputs, Count), actual, sizes[^1], Tolerance, what);
        output.WriteLine($"{what}: max |onnx - backprop| = {largest:G3} over {Count} inputs");
        return largest;
    }

    [Theory]
    [MemberData(nameof(EveryActivation))]
    public void Onnx_runtime_computes_what_Forward_computes_for_every_activation(string hidden, string outputActivation, bool standardize) =>
        CheckAgainstForward([5, 7, 6, 3], hidden, outputActivation, standardize, seed: (ulong)(10 * Array.IndexOf(HiddenActivations, hidden) + Array.IndexOf(OutputActivations, outputActivation) + 1));

    [Theory]
    [InlineData("4,3", "relu", "softmax", true)] // no hidden layer: one Gemm
    [InlineData("5,1", "tanh", "sigmoid", true)] // one output
    [InlineData("6,9,8,7,4", "leaky-relu", "identity", false)] // three hidden layers
    [InlineData("30,64,10", "sigmoid", "softmax", true)] // wide enough for ONNX Runtime's blocked GEMM
    public void Onnx_runtime_computes_what_Forward_computes_for_other_shapes(string sizes, string hidden, string outputActivation, bool standardize) =>
        CheckAgainstForward(Architecture.ParseSizes(sizes), hidden, outputActivation, standardize, seed: 77);

    [Fact]
    public void The_graph_is_the_documented_one()
    {
        var network = RandomNetwork([3, 4, 5, 2], "leaky-relu", "softmax", seed: 3);
        var standardizer = RandomStandardizer(3, seed: 4);

        // Field numbers from onnx/onnx.proto, read there, not from the writer.
        var model = ProtobufMessage.Parse(OnnxExport.ToBytes(network, standardizer));
        Assert.Equal(8, model.Int64(1)); // ModelProto.ir_version
        Assert.Equal("backprop", model.String(2)); // producer_name
        var opset = Assert.Single(model.Messages(8)); // opset_import
        Assert.Equal("", opset.Has(1) ? opset.String(1) : ""); // domain: the default, ai.onnx
        Assert.Equal(17, opset.Int64(2)); // version
        var metadata = model.Messages(14).ToDictionary(e => e.String(1), e => e.String(2)); // metadata_props
        Assert.Equal("3,4,5,2", metadata["layers"]);
        Assert.Equal("leaky-relu", metadata["activation"]);
        Assert.Equal("softmax", metadata["output_activation"]);
        Assert.Equal("cross-entropy", metadata["cost"]);

        var graph = model.Message(7);
        var nodes = graph.Messages(1);
        Assert.Equal(["Sub", "Div", "Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "Softmax"], nodes.Select(n => n.String(4)).ToArray());

        // Wiring: each node reads the graph input, initializers or an earlier node's output; the last writes "output".
        var initializers = graph.Messages(5).ToDictionary(t => t.String(8));
        var available = new HashSet<string>(initializers.Keys) { "input" };
        foreach (var node in nodes)
        {
            foreach (var input in node.Strings(1)) Assert.True(available.Contains(input), $"node {node.String(4)} reads '{input}', which nothing before it produces");
            available.Add(Assert.Single(node.Strings(2)));
        }
        Assert.Equal("output", nodes[^1].Strings(2)[0]);
        Assert.Equal(["input", "standardize.mean"], nodes[0].Strings(1));
        Assert.Equal("standardize.deviation", nodes[1].Strings(1)[1]);
        for (int l = 0; l < 3; l++)
            Assert.Equal([$"layers.{l}.weight", $"layers.{l}.bias"], nodes[2 + 2 * l].Strings(1)[1..]);

        foreach (var gemm in nodes.Where(n => n.String(4) == "Gemm"))
        {
            var transB = Assert.Single(gemm.Messages(5)); // NodeProto.attribute
            Assert.Equal("transB", transB.String(1)); // AttributeProto.name
            Assert.Equal(2, transB.Int64(20)); // type INT
            Assert.Equal(1, transB.Int64(3)); // i
        }
        foreach (var leaky in nodes.Where(n => n.String(4) == "LeakyRelu"))
        {
            var alpha = Assert.Single(leaky.Messages(5));
            Assert.Equal("alpha", alpha.String(1));
            Assert.Equal(1, alpha.Int64(20)); // type FLOAT
            Assert.Equal(0.01f, alpha.Float(2)); // f
        }
        var axis = Assert.Single(nodes[^1].Messages(5));
        Assert.Equal("axis", axis.String(1));
        Assert.Equal(-1, axis.Int64(3));

        // Initializers: FLOAT tensors with the model file's names and shapes, data little-endian in raw_data.
        void SameTensor(string name, long[] dims, float[] data)
        {
            var tensor = initializers[name];
            Assert.Equal(dims, tensor.Int64s(1)); // dims
            Assert.Equal(1, tensor.Int64(2)); // data_type FLOAT
            var raw = tensor.Bytes(9); // raw_data
            Assert.Equal(4 * data.Length, raw.Length);
            for (int i = 0; i < data.Length; i++)
                Assert.True(BitConverter.ToSingle(raw, 4 * i) == data[i], $"{name}[{i}]: expected {data[i]:R}, stored {BitConverter.ToSingle(raw, 4 * i):R}");
        }
        Assert.Equal(2 + 2 * 3, initializers.Count);
        SameTensor("standardize.mean", [3], standardizer.Mean);
        SameTensor("standardize.deviation", [3], standardizer.Deviation);
        for (int l = 0; l < 3; l++)
        {
            var layer = network.Layers[l];
            SameTensor($"layers.{l}.weight", [layer.OutputSize, layer.InputSize], layer.Weights);
            SameTensor($"layers.{l}.bias", [layer.OutputSize], layer.Biases);
        }

        // Inputs and outputs: float tensors [batch, n]. Initializers are not graph inputs, so they cannot be overridden.
        void BatchTensor(ProtobufMessage value, string name, int width)
        {
            Assert.Equal(name, value.String(1)); // ValueInfoProto.name
            var tensorType = value.Message(2).Message(1); // type.tensor_type
            Assert.Equal(1, tensorType.Int64(1)); // elem_type FLOAT
            var dims = tensorType.Message(2).Messages(1); // shape.dim
            Assert.Equal(2, dims.Length);
            Assert.Equal("batch", dims[0].String(2)); // dim_param
            Assert.Equal(width, dims[1].Int64(1)); // dim_value
        }
        BatchTensor(Assert.Single(graph.Messages(11)), "input", 3);
        BatchTensor(Assert.Single(graph.Messages(12)), "output", 2);
    }

    [Theory]
    [InlineData("identity", "identity", new[] { "Gemm", "Gemm" })] // identity adds no node; the last Gemm writes "output"
    [InlineData("relu", "sigmoid", new[] { "Gemm", "Relu", "Gemm", "Sigmoid" })]
    [InlineData("tanh", "identity", new[] { "Gemm", "Tanh", "Gemm" })]
    public void Without_standardisation_the_graph_starts_at_the_first_Gemm(string hidden, string outputActivation, string[] operations)
    {
        var model = ProtobufMessage.Parse(OnnxExport.ToBytes(RandomNetwork([2, 3, 2], hidden, outputActivation, seed: 5)));
        var nodes = model.Message(7).Messages(1);
        Assert.Equal(operations, nodes.Select(n => n.String(4)).ToArray());
        Assert.Equal("input", nodes[0].Strings(1)[0]);
        Assert.Equal("output", nodes[^1].Strings(2)[0]);
        Assert.DoesNotContain(model.Message(7).Messages(5), t => t.String(8).StartsWith("standardize"));
    }

    [Fact]
    public void Onnx_runtime_reads_the_declared_signature_and_metadata()
    {
        var network = RandomNetwork([4, 6, 3], "tanh", "softmax", seed: 9);
        using var session = new InferenceSession(OnnxExport.ToBytes(network, RandomStandardizer(4, seed: 10)));

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal([-1, 4], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        var result = Assert.Single(session.OutputMetadata);
        Assert.Equal("output", result.Key);
        Assert.Equal([-1, 3], result.Value.Dimensions);
        Assert.Equal("backprop", session.ModelMetadata.ProducerName);
        Assert.Equal("4,6,3", session.ModelMetadata.CustomMetadataMap["layers"]);

        // The batch is symbolic: one session takes one row and then many.
        Assert.Equal(3, OnnxRunner.Run(session, [0.1f, 0.2f, 0.3f, 0.4f], 1).Length);
        Assert.Equal(3 * 17, OnnxRunner.Run(session, new float[4 * 17], 17).Length);
    }

    [Theory]
    [InlineData("x1,x2,x1^2,x2^2,x1x2,sinx1,sinx2", true)]
    [InlineData("sinx2,x1x2", false)]
    public void Onnx_runtime_makes_the_plane_features_as_the_library_does(string featureList, bool standardize)
    {
        var features = Backprop.Data.FeatureMap.Parse(featureList);
        var architecture = new Architecture([features.Count, 5, 3], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
        var network = Network<float>.Initialize(architecture, 11);
        var random = new Random(4);
        var points = Enumerable.Range(0, 2 * Count).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var inputs = features.Apply(points);
        Backprop.Data.Standardizer? standardizer = null;
        if (standardize)
        {
            standardizer = Backprop.Data.Standardizer.Fit(new Backprop.Data.Dataset(inputs, new int[Count], features.Count, 3));
            standardizer.Apply(inputs);
        }
        var expected = network.Forward(inputs, Count);
        var actual = OnnxRunner.Run(OnnxExport.ToBytes(network, standardizer, features: features), points, Count);
        OnnxRunner.AssertClose(expected, actual, 3, Tolerance, $"features {featureList}");
    }

    [Fact]
    public void Export_is_deterministic()
    {
        var network = RandomNetwork([5, 7, 3], "relu", "softmax", seed: 11);
        var standardizer = RandomStandardizer(5, seed: 12);
        Assert.Equal(OnnxExport.ToBytes(network, standardizer), OnnxExport.ToBytes(network.Clone(), standardizer));
    }

    [Fact]
    public void A_standardizer_of_the_wrong_width_is_refused()
    {
        var network = RandomNetwork([5, 7, 3], "relu", "softmax", seed: 13);
        var e = Assert.Throws<BackpropException>(() => OnnxExport.ToBytes(network, RandomStandardizer(4, seed: 14)));
        Assert.Contains("4 features but the network takes 5 inputs", e.Message);
    }

    [Fact]
    public void Write_replaces_the_file_and_leaves_no_temporary_behind()
    {
        using var directory = new Backprop.Tests.Data.TempDirectory();
        var path = directory.File("model.onnx");
        File.WriteAllText(path, "an older file");
        var network = RandomNetwork([2, 3, 2], "relu", "softmax", seed: 15);

        OnnxExport.Write(path, network);

        Assert.Equal(OnnxExport.ToBytes(network), File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(directory.Path).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void Write_into_a_missing_directory_names_the_path_and_the_fix()
    {
        using var directory = new Backprop.Tests.Data.TempDirectory();
        var path = Path.Combine(directory.Path, "missing", "model.onnx");

        var e = Assert.Throws<BackpropException>(() => OnnxExport.Write(path, RandomNetwork([2, 3, 2], "relu", "softmax", seed: 16)));

        Assert.StartsWith(path + ": could not write the file", e.Message);
        Assert.EndsWith("check that the directory exists, is writable and has free space", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
