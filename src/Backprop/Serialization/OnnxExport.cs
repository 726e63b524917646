using Backprop.Activations;
using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Serialization;

/// <summary>
/// Writes a network as an ONNX model, so that ONNX Runtime (or any ONNX consumer) computes the same outputs as
/// <see cref="Network{T}.Forward"/> on standardised inputs.
/// </summary>
/// <remarks>
/// <para>The graph, for input x of shape [batch, n₀] named <see cref="InputName"/>:</para>
/// <list type="number">
/// <item>for a model of plane features (<see cref="FeatureMap"/>), the input is the point [batch, 2]:
/// <c>Split</c> on axis 1 into x1 and x2, then <c>Mul</c> for x1², x2² and x1·x2, <c>Sin</c> for sin x1 and
/// sin x2, and <c>Concat</c> on axis 1 of the chosen features in their order;</item>
/// <item>with a standardizer: <c>Sub(x, standardize.mean)</c> then <c>Div(·, standardize.deviation)</c>, μ and σ of
/// shape [n₀] broadcast over the batch — x ↦ (x − μ) / σ, as <see cref="Standardizer.Apply(Span{float})"/>;</item>
/// <item>a regression's target standardisation, undone after the last layer: <c>Mul(·, target.deviation)</c> then
/// <c>Add(·, target.mean)</c>, y = z σ + μ, as <c>predict</c> prints;</item>
/// <item>per layer l: <c>Gemm(a, layers.l.weight, layers.l.bias, transB=1)</c>, which is z = a Wᵀ + b with W stored
/// [out, in] exactly as in the model file, then φ: Sigmoid, Tanh, Relu, LeakyRelu (alpha 0.01), Softmax (axis −1,
/// over each row's outputs), or no node for identity.</item>
/// </list>
/// <para>The last node's output is <see cref="OutputName"/>, shape [batch, n_L]. Initializers are FLOAT tensors in
/// raw_data (little-endian); the batch dimension is symbolic ("batch"). IR version <see cref="IrVersion"/>, default
/// domain opset <see cref="OpsetVersion"/>. The model's metadata_props repeat the model file's architecture keys
/// (layers, activation, output_activation, cost).</para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>ONNX IR version 8 (ONNX 1.10 and later; ONNX Runtime 1.10 and later read it).</summary>
    public const long IrVersion = 8;

    /// <summary>The ai.onnx operator set: 17 has every operator used here in its current form (Softmax's
    /// single-axis meaning dates from 13).</summary>
    public const long OpsetVersion = 17;

    /// <summary>The ONNX graph's input: float [batch, n⁰].</summary>
    public const string InputName = "input";
    /// <summary>The ONNX graph's output: float [batch, nᴸ].</summary>
    public const string OutputName = "output";
    /// <summary>The initializer holding the standardisation's means.</summary>
    public const string MeanName = "standardize.mean";
    /// <summary>The initializer holding the standardisation's deviations.</summary>
    public const string DeviationName = "standardize.deviation";
    /// <summary>The initializer holding the targets' means (a regression with standardised targets).</summary>
    public const string TargetMeanName = "target.mean";
    /// <summary>The initializer holding the targets' deviations.</summary>
    public const string TargetDeviationName = "target.deviation";

    /// <summary>
    /// Weights, biases and standardisation together must leave room for the graph's structure inside protobuf's
    /// 2 GiB message limit; beyond it ONNX would need external data files, which this writer does not produce.
    /// </summary>
    public const long MaxParameterBytes = ProtobufWriter.MaxMessageBytes - (1 << 20);

    /// <summary>The ONNX model's bytes.</summary>
    /// <exception cref="BackpropException">The standardizer does not match the network's inputs, or the network is
    /// too large for one ONNX file.</exception>
    public static byte[] ToBytes(Network<float> network, Standardizer? standardizer = null, Standardizer? targetScale = null, FeatureMap? features = null) =>
        Encode(network, standardizer, targetScale, features).ToArray();

    /// <summary>
    /// Writes the ONNX model to <paramref name="path"/> atomically: a reader never sees half a file, and a failed
    /// write leaves any old file as it was.
    /// </summary>
    /// <exception cref="BackpropException">As <see cref="ToBytes"/>, or the file cannot be written.</exception>
    public static void Write(string path, Network<float> network, Standardizer? standardizer = null, Standardizer? targetScale = null, FeatureMap? features = null)
    {
        var model = Encode(network, standardizer, targetScale, features);
        AtomicFile.Write(path, stream => stream.Write(model.WrittenSpan));
    }

    static ProtobufWriter Encode(Network<float> network, Standardizer? standardizer, Standardizer? targetScale, FeatureMap? features)
    {
        var architecture = network.Architecture;
        if (features is { IsPlain: true }) features = null;
        if (features != null && features.Count != network.InputSize)
            throw new BackpropException($"the features {features} make {features.Count} inputs but the network takes {network.InputSize}; export the features saved with this network");
        if (targetScale != null && targetScale.FeatureCount != network.OutputSize)
            throw new BackpropException($"the target standardisation has {targetScale.FeatureCount} targets but the network has {network.OutputSize} outputs; export the one saved with this network");
        // A regression's network predicts standardised targets; Mul and Add after it give them in their units.
        string final = targetScale is null ? OutputName : "target.standardized";
        if (standardizer != null && standardizer.FeatureCount != network.InputSize)
            throw new BackpropException($"the standardizer has {standardizer.FeatureCount} features but the network takes {network.InputSize} inputs; export the standardizer saved with this network");
        long parameterBytes = (standardizer == null ? 0 : 8L * standardizer.FeatureCount) + (targetScale == null ? 0 : 8L * targetScale.FeatureCount);
        foreach (var layer in network.Layers) parameterBytes += 4L * (layer.Weights.Length + layer.Biases.Length);
        if (parameterBytes > MaxParameterBytes)
            throw new BackpropException($"the {architecture.SizesText} network holds {parameterBytes} bytes of parameters, more than one ONNX file can hold ({MaxParameterBytes}); export a smaller network");

        var graph = new ProtobufWriter();
        string current = InputName;
        if (features != null) current = Features(graph, features);
        if (standardizer != null)
        {
            Node(graph, "Sub", "standardize.subtract", [current, MeanName], "standardize.centred");
            Node(graph, "Div", "standardize.divide", ["standardize.centred", DeviationName], "standardized");
            current = "standardized";
        }
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            bool last = l == network.Layers.Count - 1;
            bool identity = layer.Activation == Activation.Identity;
            string z = last && identity ? final : $"layers.{l}.z";
            Node(graph, "Gemm", $"layers.{l}.gemm", [current, ModelFile.WeightName(l), ModelFile.BiasName(l)], z,
                attributes => IntAttribute(attributes, "transB", 1));
            current = z;
            if (identity) continue;
            string a = last ? final : $"layers.{l}.a";
            var (operation, attribute) = Operator(layer.Activation);
            Node(graph, operation, $"layers.{l}.{layer.Activation.Name}", [current], a, attribute);
            current = a;
        }
        if (targetScale != null)
        {
            Node(graph, "Mul", "target.multiply", [final, TargetDeviationName], "target.scaled");
            Node(graph, "Add", "target.add", ["target.scaled", TargetMeanName], OutputName);
        }
        graph.WriteString(GraphProto.Name, "backprop");
        if (targetScale != null)
        {
            Initializer(graph, TargetMeanName, [targetScale.FeatureCount], targetScale.Mean);
            Initializer(graph, TargetDeviationName, [targetScale.FeatureCount], targetScale.Deviation);
        }
        if (standardizer != null)
        {
            Initializer(graph, MeanName, [standardizer.FeatureCount], standardizer.Mean);
            Initializer(graph, DeviationName, [standardizer.FeatureCount], standardizer.Deviation);
        }
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            Initializer(graph, ModelFile.WeightName(l), [layer.OutputSize, layer.InputSize], layer.Weights);
            Initializer(graph, ModelFile.BiasName(l), [layer.OutputSize], layer.Biases);
        }
        graph.WriteMessage(GraphProto.Input, value => BatchTensor(value, InputName, features is null ? network.InputSize : 2));
        graph.WriteMessage(GraphProto.Output, value => BatchTensor(value, OutputName, network.OutputSize));

        var model = new ProtobufWriter();
        model.WriteInt64(ModelProto.IrVersion, IrVersion);
        model.WriteString(ModelProto.ProducerName, ModelFile.FormatName);
        model.WriteMessage(ModelProto.Graph, graph);
        model.WriteMessage(ModelProto.OpsetImport, opset =>
        {
            opset.WriteString(OperatorSetIdProto.Domain, "");
            opset.WriteInt64(OperatorSetIdProto.Version, OpsetVersion);
        });
        foreach (var (key, value) in new[]
        {
            ("layers", architecture.SizesText), ("activation", architecture.HiddenActivationsText),
            ("output_activation", architecture.OutputActivation.Name), ("cost", architecture.Cost.Name),
        })
            model.WriteMessage(ModelProto.MetadataProps, entry =>
            {
                entry.WriteString(StringStringEntryProto.Key, key);
                entry.WriteString(StringStringEntryProto.Value, value);
            });
        return model;
    }

    /// <summary>The nodes that make the features of a point [batch, 2]; returns the name of their [batch, k] result.</summary>
    static string Features(ProtobufWriter graph, FeatureMap features)
    {
        const string x1 = "features.x1", x2 = "features.x2";
        // Split with no sizes cuts the two columns evenly: no int64 initializer needed.
        Node(graph, "Split", "features.split", [InputName], [x1, x2], attributes => IntAttribute(attributes, "axis", 1));
        var columns = new List<string>();
        foreach (var name in features.Selected)
        {
            string column = $"features.{name.Replace("^2", "_squared")}";
            switch (name)
            {
                case "x1": column = x1; break;
                case "x2": column = x2; break;
                case "x1^2": Node(graph, "Mul", column, [x1, x1], column); break;
                case "x2^2": Node(graph, "Mul", column, [x2, x2], column); break;
                case "x1x2": Node(graph, "Mul", column, [x1, x2], column); break;
                case "sinx1": Node(graph, "Sin", column, [x1], column); break;
                default: Node(graph, "Sin", column, [x2], column); break;
            }
            columns.Add(column);
        }
        Node(graph, "Concat", "features.concat", [.. columns], "features", attributes => IntAttribute(attributes, "axis", 1));
        return "features";
    }

    // The engine keeps its slope private; φ(−1) = −slope reads it back exactly, so the two can never drift apart.
    static readonly float LeakyReluSlope = (float)-Activation.LeakyRelu.Apply(-1);

    static (string Operation, Action<ProtobufWriter>? Attributes) Operator(Activation activation)
    {
        if (activation == Activation.Sigmoid) return ("Sigmoid", null);
        if (activation == Activation.Tanh) return ("Tanh", null);
        if (activation == Activation.Relu) return ("Relu", null);
        if (activation == Activation.LeakyRelu) return ("LeakyRelu", attributes => FloatAttribute(attributes, "alpha", LeakyReluSlope));
        if (activation == Activation.Softmax) return ("Softmax", attributes => IntAttribute(attributes, "axis", -1));
        throw new InvalidOperationException($"no ONNX operator for activation '{activation.Name}'");
    }

    static void Node(ProtobufWriter graph, string operation, string name, string[] inputs, string output, Action<ProtobufWriter>? attributes = null) =>
        Node(graph, operation, name, inputs, [output], attributes);

    static void Node(ProtobufWriter graph, string operation, string name, string[] inputs, string[] outputs, Action<ProtobufWriter>? attributes = null) =>
        graph.WriteMessage(GraphProto.Node, node =>
        {
            foreach (var input in inputs) node.WriteString(NodeProto.Input, input);
            foreach (var output in outputs) node.WriteString(NodeProto.Output, output);
            node.WriteString(NodeProto.Name, name);
            node.WriteString(NodeProto.OperationType, operation);
            attributes?.Invoke(node);
        });

    static void IntAttribute(ProtobufWriter node, string name, long value) =>
        node.WriteMessage(NodeProto.Attribute, attribute =>
        {
            attribute.WriteString(AttributeProto.Name, name);
            attribute.WriteInt64(AttributeProto.Int, value);
            attribute.WriteInt64(AttributeProto.Type, AttributeProto.TypeInt);
        });

    static void FloatAttribute(ProtobufWriter node, string name, float value) =>
        node.WriteMessage(NodeProto.Attribute, attribute =>
        {
            attribute.WriteString(AttributeProto.Name, name);
            attribute.WriteFloat(AttributeProto.Float, value);
            attribute.WriteInt64(AttributeProto.Type, AttributeProto.TypeFloat);
        });

    static void Initializer(ProtobufWriter graph, string name, int[] dims, float[] data) =>
        graph.WriteMessage(GraphProto.Initializer, tensor =>
        {
            foreach (int d in dims) tensor.WriteInt64(TensorProto.Dims, d);
            tensor.WriteInt64(TensorProto.DataType, TensorProto.Float);
            tensor.WriteString(TensorProto.Name, name);
            tensor.WriteFloatsAsBytes(TensorProto.RawData, data);
        });

    /// <summary>A float tensor's ValueInfo of shape [batch, <paramref name="width"/>], the batch left symbolic.</summary>
    static void BatchTensor(ProtobufWriter value, string name, int width)
    {
        value.WriteString(ValueInfoProto.Name, name);
        value.WriteMessage(ValueInfoProto.Type, type => type.WriteMessage(TypeProto.TensorType, tensor =>
        {
            tensor.WriteInt64(TypeProto.ElementType, TensorProto.Float);
            tensor.WriteMessage(TypeProto.Shape, shape =>
            {
                shape.WriteMessage(TensorShapeProto.Dimension, dimension => dimension.WriteString(TensorShapeProto.DimensionParameter, "batch"));
                shape.WriteMessage(TensorShapeProto.Dimension, dimension => dimension.WriteInt64(TensorShapeProto.DimensionValue, width));
            });
        }));
    }

    // Field numbers from onnx/onnx.proto; protobuf keeps them fixed for ever, so they hold for every IR version.
    static class ModelProto { public const int IrVersion = 1, ProducerName = 2, Graph = 7, OpsetImport = 8, MetadataProps = 14; }
    static class OperatorSetIdProto { public const int Domain = 1, Version = 2; }
    static class StringStringEntryProto { public const int Key = 1, Value = 2; }
    static class GraphProto { public const int Node = 1, Name = 2, Initializer = 5, Input = 11, Output = 12; }
    static class NodeProto { public const int Input = 1, Output = 2, Name = 3, OperationType = 4, Attribute = 5; }
    static class AttributeProto
    {
        public const int Name = 1, Float = 2, Int = 3, Type = 20;
        // AttributeProto.AttributeType
        public const int TypeFloat = 1, TypeInt = 2;
    }
    static class TensorProto
    {
        public const int Dims = 1, DataType = 2, Name = 8, RawData = 9;
        // TensorProto.DataType
        public const int Float = 1;
    }
    static class ValueInfoProto { public const int Name = 1, Type = 2; }
    // TypeProto.tensor_type, and inside it TypeProto.Tensor's elem_type and shape.
    static class TypeProto { public const int TensorType = 1, ElementType = 1, Shape = 2; }
    // TensorShapeProto.dim, and inside it Dimension's dim_value / dim_param.
    static class TensorShapeProto { public const int Dimension = 1, DimensionValue = 1, DimensionParameter = 2; }
}
