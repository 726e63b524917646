using System.Text.Json;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Serialization;

/// <summary>
/// A trained network and what its inputs need, as stored in a model file: the features it takes of a point
/// (x1, x2) when it was trained on them (null: the data's own features), then the standardisation.
/// </summary>
/// <param name="Network">The trained network.</param>
/// <param name="Standardizer">The inputs' standardisation, or null.</param>
/// <param name="Features">The features made of a point (x1, x2), or null for the data's own.</param>
/// <param name="ClassNames">Class k's name (metadata <c>class_names</c>), or null when the classes are numbers.</param>
/// <param name="Task">What the outputs are: class scores, or real targets (metadata <c>task</c>).</param>
/// <param name="TargetScale">A regression's target standardisation (metadata <c>target_mean</c>, <c>target_deviation</c>), or null.</param>
public sealed partial record Model(Network<float> Network, Standardizer? Standardizer, FeatureMap? Features = null, IReadOnlyList<string>? ClassNames = null,
    LearningTask Task = LearningTask.Classification, Standardizer? TargetScale = null)
{
    /// <summary>Class <paramref name="k"/> as a user reads it: its name, or its number.</summary>
    public string ClassName(int k) => ClassNames is { } names && k < names.Count ? names[k] : k.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The network's inputs for <paramref name="data"/> as it came from its source: features made, then standardised.</summary>
    public Dataset Prepare(Dataset data)
    {
        if (Features != null) data = Features.Apply(data);
        data = Standardizer?.Apply(data) ?? data;
        if (TargetScale != null && data.Values is { } values)
        {
            var scaled = (float[])values.Clone();
            TargetScale.Apply(scaled);
            data = data.WithValues(scaled);
        }
        return data;
    }

    /// <summary>How many values an example of the raw data has: 2 for a model of plane features, else the network's inputs.</summary>
    public int RawFeatureCount => Features is null ? Network.InputSize : 2;

    /// <summary>
    /// A reusable, allocation-free pipeline from raw examples to outputs in the data's own terms, for up to
    /// <paramref name="maximumBatch"/> examples a pass; one per thread.
    /// </summary>
    public ModelPredictor CreatePredictor(int maximumBatch = 1) => new(this, maximumBatch);

    /// <summary>
    /// What the model says of one raw example, as it comes from the data (<see cref="RawFeatureCount"/> values): the
    /// features and standardisation the model was trained with are applied, and a regression's values come back in the
    /// targets' own units. Thread safe; allocates its buffers each call (reuse <see cref="CreatePredictor"/> for many).
    /// </summary>
    public Prediction Predict(ReadOnlySpan<float> rawInput) => OneOff(1).Predict(rawInput);

    /// <summary>The predicted class of one raw example (see <see cref="Predict(ReadOnlySpan{float})"/>).</summary>
    /// <exception cref="BackpropException">The model is a regression.</exception>
    public int PredictClass(ReadOnlySpan<float> rawInput) => OneOff(1).PredictClass(rawInput);

    /// <summary>
    /// The outputs of every raw example of <paramref name="rawInputs"/> (count × <see cref="RawFeatureCount"/>) into
    /// <paramref name="outputs"/> (count × the network's outputs), in the data's own terms (see <see cref="Prediction.Outputs"/>).
    /// </summary>
    public void Predict(ReadOnlySpan<float> rawInputs, Span<float> outputs) =>
        OneOff(BatchFor(rawInputs)).PredictOutputs(rawInputs, outputs);

    /// <summary>The predicted class of every raw example of <paramref name="rawInputs"/> into <paramref name="classes"/>.</summary>
    /// <exception cref="BackpropException">The model is a regression.</exception>
    public void PredictClasses(ReadOnlySpan<float> rawInputs, Span<int> classes) =>
        OneOff(BatchFor(rawInputs)).PredictClasses(rawInputs, classes);

    /// <summary>A predictor for one call: it reads the network's weights in place rather than copying and packing them
    /// (the same bits; packing once pays only over many calls).</summary>
    ModelPredictor OneOff(int maximumBatch) => new(this, maximumBatch, snapshot: false);

    /// <summary>Passes of up to 256 examples: large enough for the packed GEMM's full speed, small enough to stay in cache.</summary>
    int BatchFor(ReadOnlySpan<float> rawInputs) => Math.Clamp(rawInputs.Length / Math.Max(RawFeatureCount, 1), 1, 256);
}

/// <summary>
/// Model files are safetensors: tensors <c>layers.{i}.weight</c> [out, in] and <c>layers.{i}.bias</c> [out], F32 —
/// the names and shapes of PyTorch's nn.Linear inside an nn.Sequential-like list — and a <c>__metadata__</c> that
/// makes the file self-describing: format version, layer sizes, activations, cost, and any standardisation.
/// </summary>
public static class ModelFile
{
    /// <summary>The <c>format</c> entry of a model file's metadata.</summary>
    public const string FormatName = "backprop";
    /// <summary>The <c>format_version</c> entry this version writes and reads.</summary>
    public const string FormatVersion = "1";

    /// <summary>The tensor name of layer <paramref name="layer"/>'s W (0-based): <c>layers.0.weight</c>, as PyTorch's nn.Sequential.</summary>
    public static string WeightName(int layer) => $"layers.{layer}.weight";
    /// <summary>The tensor name of layer <paramref name="layer"/>'s b (0-based): <c>layers.0.bias</c>.</summary>
    public static string BiasName(int layer) => $"layers.{layer}.bias";

    /// <summary>Writes atomically: a reader never sees half a file, and a failed write leaves the old file as it was.</summary>
    public static void Save(string path, Network<float> network, Standardizer? standardizer = null, FeatureMap? features = null,
        IReadOnlyList<string>? classNames = null) =>
        SafeTensorsFile.Write(path, Tensors(network), Metadata(network, standardizer, features, classNames));

    /// <summary>Saves <paramref name="model"/> whole: its task and target standardisation too.</summary>
    public static void Save(string path, Model model) =>
        SafeTensorsFile.Write(path, Tensors(model.Network), Metadata(model));

    static Dictionary<string, string> Metadata(Model model)
    {
        var metadata = Metadata(model.Network, model.Standardizer, model.Features, model.ClassNames);
        if (model.Task != LearningTask.Regression) return metadata;
        if (model.ClassNames != null) throw new BackpropException("a regression has no class names");
        metadata["task"] = "regression";
        if (model.TargetScale is { } scale)
        {
            if (scale.FeatureCount != model.Network.OutputSize)
                throw new BackpropException($"{scale.FeatureCount} target standardisations do not fit a network of {model.Network.OutputSize} outputs");
            metadata["target_mean"] = JsonSerializer.Serialize(scale.Mean);
            metadata["target_deviation"] = JsonSerializer.Serialize(scale.Deviation);
        }
        return metadata;
    }

    /// <summary>The model file's bytes, as <see cref="Save(string, Network{float}, Standardizer?, FeatureMap?, IReadOnlyList{string}?)"/> would write them.</summary>
    public static byte[] ToBytes(Network<float> network, Standardizer? standardizer = null, FeatureMap? features = null,
        IReadOnlyList<string>? classNames = null) =>
        SafeTensorsFile.ToBytes(Tensors(network), Metadata(network, standardizer, features, classNames));

    /// <summary>How many classes a network of <paramref name="outputs"/> outputs tells apart: one output neuron is 0/1.</summary>
    public static int ClassCount(int outputs) => outputs == 1 ? 2 : outputs;

    static IEnumerable<Tensor> Tensors(Network<float> network)
    {
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            yield return new Tensor(WeightName(l), [layer.OutputSize, layer.InputSize], layer.Weights);
            yield return new Tensor(BiasName(l), [layer.OutputSize], layer.Biases);
        }
    }

    static Dictionary<string, string> Metadata(Network<float> network, Standardizer? standardizer, FeatureMap? features, IReadOnlyList<string>? classNames)
    {
        var architecture = network.Architecture;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion,
            ["layers"] = architecture.SizesText,
            ["activation"] = architecture.HiddenActivationsText,
            ["output_activation"] = architecture.OutputActivation.Name,
            ["cost"] = architecture.Cost.Name,
        };
        if (features is { IsPlain: false })
        {
            if (features.Count != architecture.InputSize)
                throw new BackpropException($"the features {features} make {features.Count} inputs but the network takes {architecture.InputSize}");
            metadata["features"] = features.ToString();
        }
        if (classNames != null)
        {
            if (classNames.Count != ClassCount(architecture.OutputSize))
                throw new BackpropException($"{classNames.Count} class names do not fit a network of {architecture.OutputSize} outputs ({ClassCount(architecture.OutputSize)} classes)");
            metadata["class_names"] = JsonSerializer.Serialize(classNames);
        }
        if (standardizer != null)
        {
            metadata["standardize_mean"] = JsonSerializer.Serialize(standardizer.Mean);
            metadata["standardize_deviation"] = JsonSerializer.Serialize(standardizer.Deviation);
        }
        return metadata;
    }

    /// <summary>Writes <paramref name="model"/> whole to <paramref name="stream"/> (the bytes of <see cref="ToBytes(Model)"/>), leaving it open.</summary>
    /// <exception cref="BackpropException">The model cannot be written, or the stream fails.</exception>
    public static void Save(Stream stream, Model model)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ToBytes(model);
        try { stream.Write(bytes); }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new BackpropException($"could not write the model to the stream ({ShownText.Of(e.Message, int.MaxValue)}); give a writable stream");
        }
    }

    /// <summary>The model file of <paramref name="model"/> whole, as bytes: what <see cref="Save(string, Model)"/> writes.</summary>
    public static byte[] ToBytes(Model model) => SafeTensorsFile.ToBytes(Tensors(model.Network), Metadata(model));

    /// <summary>Loads a model file written by <c>Save</c>; its metadata must describe the architecture.</summary>
    public static Model Load(string path) => FromFile(SafeTensorsFile.Read(path), Path.GetFileName(path));

    /// <summary>
    /// Loads a model file held in memory (the bytes of <see cref="ToBytes(Model)"/>), with every check of
    /// <see cref="Load(string)"/>; <paramref name="nameForMessages"/> is what error messages call it.
    /// </summary>
    public static Model Load(ReadOnlySpan<byte> bytes, string nameForMessages = "the model") =>
        FromFile(SafeTensorsFile.Read(bytes, nameForMessages), nameForMessages);

    /// <summary>
    /// Loads a model file from the rest of <paramref name="stream"/> (read to its end, left open), with every check of
    /// <see cref="Load(string)"/>; <paramref name="nameForMessages"/> is what error messages call it.
    /// </summary>
    /// <exception cref="BackpropException">The stream fails, holds more than one array can, or is not a valid model file.</exception>
    public static Model Load(Stream stream, string nameForMessages = "the model stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Load(ReadAll(stream, nameForMessages), nameForMessages);
    }

    static byte[] ReadAll(Stream stream, string name)
    {
        try
        {
            if (stream.CanSeek && stream.Length - stream.Position > Array.MaxLength)
                throw new BackpropException($"{name}: {stream.Length - stream.Position} bytes are more than one array holds; load the model from a file path instead");
            using var copy = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                // Checked as it grows: a stream without a length (a socket, a pipe) must not exhaust memory first.
                if (copy.Length + read > Array.MaxLength)
                    throw new BackpropException($"{name}: the stream holds more bytes than one array can; load the model from a file path instead");
                copy.Write(chunk, 0, read);
            }
            return copy.ToArray();
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new BackpropException($"{name}: could not read the stream ({ShownText.Of(e.Message, int.MaxValue)}); give a readable stream");
        }
    }

    /// <summary>The end of the message refusing a file without architecture metadata: the library's fix, which the CLI
    /// replaces with its own (<c>backprop train --init FILE</c>).</summary>
    internal const string NoArchitectureFix = "load its weights with ModelFile.LoadWeights and the Architecture they fit";

    /// <summary>The end of <see cref="LoadWeights"/>' refusal of another architecture; the CLI says "make the flags match the file".</summary>
    internal const string ArchitectureMismatchFix = "give LoadWeights the architecture the file holds";

    static Model FromFile(SafeTensorsFile file, string name)
    {
        var architecture = ArchitectureFrom(file.Metadata, name)
            ?? throw new BackpropException($"{name} has no architecture metadata (layers, activation, output_activation, cost); it was not written by backprop — " + NoArchitectureFix);
        var network = NetworkFrom(file, architecture, name);
        var task = TaskFrom(file.Metadata, name);
        var classNames = ClassNamesFrom(file.Metadata, architecture.OutputSize, name);
        if (task == LearningTask.Regression && classNames != null)
            throw new BackpropException($"{name}: metadata has both 'task' regression and 'class_names'; train the model again");
        return new Model(network, StandardizerFrom(file.Metadata, architecture.InputSize, name), FeaturesFrom(file.Metadata, architecture.InputSize, name),
            classNames, task,
            task == LearningTask.Regression ? StandardizerFrom(file.Metadata, architecture.OutputSize, name, "target_mean", "target_deviation") : null);
    }

    /// <summary>
    /// Loads the weights of any safetensors file holding <c>layers.{i}.weight</c>/<c>bias</c> into a network of
    /// <paramref name="architecture"/> (for --init). Architecture metadata, when present, must agree.
    /// </summary>
    public static Network<float> LoadWeights(string path, Architecture architecture)
    {
        var file = SafeTensorsFile.Read(path);
        var name = Path.GetFileName(path);
        var stored = ArchitectureFrom(file.Metadata, name);
        if (stored != null && !stored.SameShape(architecture))
            throw new BackpropException($"{name} holds a {stored} network but {nameof(architecture)} is {architecture}; " + ArchitectureMismatchFix);
        return NetworkFrom(file, architecture, name);
    }

    static Architecture? ArchitectureFrom(IReadOnlyDictionary<string, string> metadata, string name)
    {
        if (!metadata.TryGetValue("layers", out var layers)) return null;
        if (metadata.TryGetValue("format_version", out var version) && version != FormatVersion)
            throw new BackpropException($"{name} is model format version {ShownText.Of(version)}; this backprop reads version {FormatVersion} — upgrade backprop");
        string Get(string key) => metadata.TryGetValue(key, out var value) ? value
            : throw new BackpropException($"{name}: metadata has 'layers' but no '{key}'; the file is incomplete — train it again");
        try
        {
            var sizes = Architecture.ParseSizes(layers);
            return new Architecture(sizes, Architecture.ParseHiddenActivations(Get("activation"), sizes.Length - 2, "activation"),
                Activation.Parse(Get("output_activation")), Cost.Parse(Get("cost"))).Validate();
        }
        catch (BackpropException e)
        {
            throw new BackpropException($"{name}: metadata does not describe a valid network: {e.Message}");
        }
    }

    static Network<float> NetworkFrom(SafeTensorsFile file, Architecture architecture, string name)
    {
        var layers = new Layer<float>[architecture.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = architecture.Sizes[l], outputs = architecture.Sizes[l + 1];
            var weight = Require(WeightName(l), [outputs, inputs]);
            var bias = Require(BiasName(l), [outputs]);
            RequireFinite(weight);
            RequireFinite(bias);
            layers[l] = new Layer<float>(inputs, outputs, architecture.ActivationOf(l), weight.Data, bias.Data);
        }
        if (file.Find(WeightName(layers.Length)) != null)
            throw new BackpropException($"{name} has more layers than Architecture.Sizes {architecture.SizesText}; make Architecture.Sizes match the file");
        return new Network<float>(architecture, layers);

        // Caught here, not as "training diverged" after the first step, which would blame the learning rate.
        void RequireFinite(Tensor t)
        {
            int bad = Array.FindIndex(t.Data, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new BackpropException($"{name}: tensor '{t.Name}' holds {t.Data[bad]} at index {bad}; a network needs finite weights and biases: train the model again");
        }

        Tensor Require(string tensor, int[] shape)
        {
            var t = file.Find(tensor) ?? throw new BackpropException($"{name} has no tensor '{tensor}', which Architecture.Sizes {architecture.SizesText} needs; check Architecture.Sizes against the file");
            if (!t.Shape.SequenceEqual(shape))
                throw new BackpropException($"{name}: tensor '{tensor}' is [{string.Join(", ", t.Shape)}] but Architecture.Sizes {architecture.SizesText} needs [{string.Join(", ", shape)}]");
            return t;
        }
    }

    static FeatureMap? FeaturesFrom(IReadOnlyDictionary<string, string> metadata, int inputs, string name)
    {
        if (!metadata.TryGetValue("features", out var text)) return null;
        FeatureMap features;
        try { features = FeatureMap.Parse(text); }
        catch (BackpropException e) { throw new BackpropException($"{name}: metadata 'features' is not a list of features: {e.Message}"); }
        if (features.Count != inputs)
            throw new BackpropException($"{name}: metadata 'features' names {features.Count} features but the network takes {inputs} inputs; train the model again");
        return features;
    }

    static string[]? ClassNamesFrom(IReadOnlyDictionary<string, string> metadata, int outputs, string name)
    {
        if (!metadata.TryGetValue("class_names", out var text)) return null;
        int classes = ClassCount(outputs);
        string[]? names;
        try { names = JsonSerializer.Deserialize<string[]>(text); }
        catch (JsonException) { names = null; }
        if (names is null || names.Length != classes || names.Any(n => string.IsNullOrEmpty(n)) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new BackpropException($"{name}: metadata 'class_names' is not a JSON list of {classes} different non-empty names, one per class; train the model again");
        return names;
    }

    static LearningTask TaskFrom(IReadOnlyDictionary<string, string> metadata, string name) => metadata.GetValueOrDefault("task") switch
    {
        null or "classification" => LearningTask.Classification,
        "regression" => LearningTask.Regression,
        var other => throw new BackpropException($"{name}: metadata 'task' is \"{ShownText.Of(other)}\", neither classification nor regression; train the model again"),
    };

    static Standardizer? StandardizerFrom(IReadOnlyDictionary<string, string> metadata, int inputs, string name,
        string meanKey = "standardize_mean", string deviationKey = "standardize_deviation")
    {
        if (!metadata.TryGetValue(meanKey, out var meanText)) return null;
        try
        {
            var mean = JsonSerializer.Deserialize<float[]>(meanText);
            var deviation = JsonSerializer.Deserialize<float[]>(metadata.GetValueOrDefault(deviationKey) ?? "null");
            if (mean == null || deviation == null || mean.Length != inputs || deviation.Length != inputs || deviation.Any(d => !(d > 0) || !float.IsFinite(d)) || mean.Any(m => !float.IsFinite(m)))
                throw new BackpropException("");
            return new Standardizer(mean, deviation);
        }
        catch (Exception e) when (e is JsonException or BackpropException)
        {
            throw new BackpropException($"{name}: the standardisation metadata is not {inputs} finite means and positive deviations; train the model again");
        }
    }
}
