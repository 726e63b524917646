using System.ComponentModel;
using System.Globalization;
using Backprop.Cli.Rendering;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>
/// `backprop explain`: the chain rule with real numbers. Three modes — a chain of one neuron per layer (default), one
/// weight or bias of a trained model on one example (--model), and the multiplications backpropagation saves
/// (--cost-of-derivatives).
/// </summary>
public sealed class ExplainCommand : Command<ExplainCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        // Spectre refuses one-letter long names ("--x"), so these are short options; Cli.SpellOneLetterOptions lets users
        // type the issue's --x, --y, --w, --b.
        [CommandOption("-x|--input <X>")]
        [Description("Chain: the input x (also --x). Default 1.5")]
        public double? X { get; init; }

        [CommandOption("-y|--target <Y>")]
        [Description("Chain: the target y (also --y). Default 0.5")]
        public double? Y { get; init; }

        [CommandOption("-w|--weights <WEIGHTS>")]
        [Description("Chain: w1,w2,… one layer per weight (also --w). Default 0.8,-0.4")]
        public string? Weights { get; init; }

        [CommandOption("-b|--biases <BIASES>")]
        [Description("Chain: b1,b2,… one per weight (also --b). Default all 0")]
        public string? Biases { get; init; }

        [CommandOption("--activation <NAME>")]
        [Description("Chain: φ of every layer: sigmoid, tanh, relu, leaky-relu, identity. Default sigmoid")]
        public string? Activation { get; init; }

        [CommandOption("--example <N>")]
        [Description("Model mode: 0-based index of the example in the data's test part (a CSV file: the whole file), or several: 0-9, 0,3,5 — each one's ∂C_k/∂w and their mean, the mini-batch gradient. Default 0")]
        public string? Example { get; init; }

        [CommandOption("--lr <ETA>")]
        [Description("Chain or model mode: also take one gradient-descent step w′ = w − η·∂C/∂w of every weight and bias, and show the cost before and after")]
        public double? LearningRate { get; init; }

        [CommandOption("--weight <L:J:K>")]
        [Description("Model mode: the weight W^L[[J,K]] from neuron K of layer L-1 to neuron J of layer L; L is 1-based (layer 0 is the input), J and K are 0-based")]
        public string? Weight { get; init; }

        [CommandOption("--bias <L:J>")]
        [Description("Model mode: the bias b^L[[J]] of neuron J (0-based) of layer L (1-based)")]
        public string? Bias { get; init; }

        [CommandOption("--paths")]
        [Description("Model mode: list every path from the parameter to the cost with its product (at most 10000 paths)")]
        public bool Paths { get; init; }

        [CommandOption("--cost-of-derivatives")]
        [Description("Count the multiplications of backpropagation against each weight's derivative along all its paths")]
        public bool CostOfDerivatives { get; init; }

        [CommandOption("--layers <SIZES>")]
        [Description("With --cost-of-derivatives: layer sizes, inputs first. Default 784,30,10")]
        public string? Layers { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.CostOfDerivatives) return CostOfDerivatives(settings);
        if (settings.Model != null) return ExplainModel(settings);
        return ExplainChain(settings);
    }

    static int ExplainChain(Settings s)
    {
        string? modelOnly = s.Weight != null ? "--weight" : s.Bias != null ? "--bias" : s.Example != null ? "--example"
            : s.Paths ? "--paths" : s.Data != null ? "--data" : null;
        if (modelOnly != null)
            throw new BackpropException($"{modelOnly} explains a trained network; add --model FILE (and --data, --weight L:J:K or --bias L:J), or leave it out for the one-neuron chain");
        if (s.Layers != null)
            throw new BackpropException("--layers goes with --cost-of-derivatives; add it, or leave out --layers for the one-neuron chain");
        bool defaults = s.X is null && s.Y is null && s.Weights is null && s.Biases is null && s.Activation is null;
        var activation = Backprop.Activations.Activation.Parse(s.Activation ?? "sigmoid", "--activation");
        var weights = s.Weights is null ? new double[] { 0.8, -0.4 } : ParseList(s.Weights, "--w", "0.8,-0.4");
        var biases = s.Biases is null ? null : ParseList(s.Biases, "--b", "0.1,0.2");
        var explanation = CommandWords.Chain(() => ChainExplanation.Compute(s.X ?? 1.5, s.Y ?? 0.5, weights, biases, activation));
        var stepped = s.LearningRate is double eta ? explanation.AfterStep(eta) : null;
        if (s.Json)
        {
            JsonLines.Write(ExplainJson.Chain(explanation));
            if (stepped != null) JsonLines.Write(ExplainJson.ChainStep(explanation, stepped, s.LearningRate!.Value));
        }
        else
        {
            ExplainText.Chain(Console.Out, explanation, defaults);
            if (stepped != null) ExplainText.ChainStep(Console.Out, explanation, stepped, s.LearningRate!.Value);
        }
        return 0;
    }

    static int ExplainModel(Settings s)
    {
        string? chainOnly = s.X != null ? "--x" : s.Y != null ? "--y" : s.Weights != null ? "--w" : s.Biases != null ? "--b"
            : s.Activation != null ? "--activation" : s.Layers != null ? "--layers" : null;
        if (chainOnly != null)
            throw new BackpropException($"{chainOnly} belongs to the one-neuron chain; with --model the network comes from the file — leave out {chainOnly}");
        if ((s.Weight is null) == (s.Bias is null))
            throw new BackpropException("explain --model needs exactly one parameter: --weight L:J:K (from neuron K of layer L-1 to neuron J of layer L) or --bias L:J");
        var model = s.LoadModel("explain --model");
        var architecture = model.Network.Architecture;
        var parameter = CommandWords.CheckIn(s.Weight != null ? ParameterReference.ParseWeight(s.Weight) : ParameterReference.ParseBias(s.Bias!), architecture);

        // The same examples evaluate uses.
        if (s.LearningRate is double rate && (!(rate > 0) || !double.IsFinite(rate)))
            throw new BackpropException($"--lr must be a positive number, got {Format.Number(rate)}; try 0.1");
        var (data, part) = s.EvaluationData(model, "explain --model");
        var spec = s.Data!;
        var indices = ParseExamples(s.Example ?? "0");
        foreach (int i in indices)
            if (i >= data.Count)
                throw new BackpropException($"--example {i} is out of range: the {part} of {spec} has {data.Count} examples; use 0…{data.Count - 1}");
        if (indices.Length > 1) return ExplainBatch(s, model, parameter, data, part, indices);
        int index = indices[0];
        int? label = LabelOf(data, index);
        if (label is int k) Targets.CheckFits(architecture, data.FeatureCount, [k], spec, Path.GetFileName(s.Model)); // hints in the model's words, never --layers

        var network = model.Network.Convert<double>();
        var (input, target) = ParameterReceipt.ExampleOf(network, data, index);
        var trace = NetworkTrace.Compute(network, input, target);
        var explanation = WeightExplanation.Explain(trace, parameter, s.Paths);
        var source = new ExampleSource(s.Model!, spec, part, index, label, model.Standardizer != null, model.ClassName);
        var step = s.LearningRate is double eta ? GradientStep.Take(trace.Network, parameter, eta, input, target, 1) : null;
        if (s.Json)
        {
            JsonLines.Write(ExplainJson.Weight(explanation, source));
            if (step != null) JsonLines.Write(ExplainJson.Step(step, 1));
        }
        else
        {
            ExplainText.Weight(Console.Out, explanation, source);
            if (step != null) ExplainText.Step(Console.Out, step, 1);
        }
        return 0;
    }

    /// <summary>Several examples: each one's ∂C_k/∂w, and their mean, which is the gradient of a mini-batch of them.</summary>
    static int ExplainBatch(Settings s, Model model, ParameterReference parameter, Dataset data, string part, int[] indices)
    {
        var architecture = model.Network.Architecture;
        var network = model.Network.Convert<double>();
        if (data.Task == LearningTask.Classification)
            Targets.CheckFits(architecture, data.FeatureCount, indices.Select(i => data.Labels[i]).ToArray(), s.Data!, Path.GetFileName(s.Model));
        var examples = indices.Select(i =>
        {
            var (input, target) = ParameterReceipt.ExampleOf(network, data, i);
            return (i, ParameterReceipt.LabelOf(data, i), input, target);
        }).ToArray();
        var batch = BatchDerivative.Compute(network, parameter, examples);
        var inputs = examples.SelectMany(e => e.input).ToArray();
        var targets = examples.SelectMany(e => e.target).ToArray();
        // The batched engine's gradient for the same examples as one mini-batch: the mean must be it.
        var (_, gradients) = network.Backpropagate(inputs, targets, indices.Length);
        double batchGradient = parameter.IsBias ? gradients.Biases[parameter.Layer - 1][parameter.Neuron]
            : gradients.Weights[parameter.Layer - 1][parameter.Neuron * architecture.Sizes[parameter.Layer - 1] + parameter.Input!.Value];
        var step = s.LearningRate is double eta ? GradientStep.Take(network, parameter, eta, inputs, targets, indices.Length) : null;
        var source = new ExampleSource(s.Model!, s.Data!, part, indices[0], LabelOf(data, indices[0]), model.Standardizer != null);
        if (s.Json)
        {
            JsonLines.Write(ExplainJson.Batch(batch, batchGradient, source));
            if (step != null) JsonLines.Write(ExplainJson.Step(step, indices.Length));
        }
        else
        {
            ExplainText.Batch(Console.Out, batch, batchGradient, source, architecture);
            if (step != null) ExplainText.Step(Console.Out, step, indices.Length);
        }
        return 0;
    }

    /// <summary>The example's class; null for a regression's example.</summary>
    static int? LabelOf(Dataset data, int index) => data.Task == LearningTask.Classification ? data.Labels[index] : null;

    /// <summary>The most examples one explanation averages: each is a line of output.</summary>
    public const int MaximumExamples = 1000;

    /// <summary>"3", "0-9", "0,3,5", "0-4,7": 0-based example indices, in the order given, each once.</summary>
    internal static int[] ParseExamples(string text)
    {
        var indices = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new BackpropException($"--example {text}: '{part}' is not an example index or a range; give 0-based indices like 3, 0-9 or 0,3,5");
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture), last = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (last < first)
                throw new BackpropException($"--example {text}: the range {part} runs backwards; write it {last}-{first}");
            if ((long)indices.Count + last - first + 1 > MaximumExamples)
                throw new BackpropException($"--example {text} names more than {MaximumExamples} examples; average at most {MaximumExamples}, like 0-99");
            for (int i = first; i <= last; i++)
                if (!indices.Contains(i)) indices.Add(i);
        }
        return indices.ToArray();
    }

    static int CostOfDerivatives(Settings s)
    {
        string? other = s.Model != null ? "--model" : s.Weight != null ? "--weight" : s.Bias != null ? "--bias" : s.Paths ? "--paths"
            : s.X != null ? "--x" : s.Y != null ? "--y" : s.Weights != null ? "--w" : s.Biases != null ? "--b"
            : s.LearningRate != null ? "--lr" : s.Example != null ? "--example" : null;
        if (other != null)
            throw new BackpropException($"--cost-of-derivatives counts for an architecture (--layers) alone; leave out {other}");
        var sizes = Architecture.ParseSizes(s.Layers ?? "784,30,10");
        if (sizes.Length < 2)
            throw new BackpropException($"--layers needs at least an input and an output size, like 784,30,10 (got '{s.Layers}')");
        var cost = DerivativeCost.Of(sizes);
        var growth = Growth.For(sizes);
        if (s.Json) JsonLines.Write(ExplainJson.Cost(cost, growth));
        else ExplainText.Cost(Console.Out, cost, growth);
        return 0;
    }

    static double[] ParseList(string text, string option, string example)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                throw new BackpropException($"{option} takes finite numbers separated by commas, like {example} (got '{text}')");
        return values;
    }
}

/// <summary>Where the explained example came from, for the heading.</summary>
/// <remarks><paramref name="Label"/> is null for a regression's example, whose targets are real numbers.</remarks>
internal sealed record ExampleSource(string Model, string Data, string Part, int Index, int? Label, bool Standardized, Func<int, string>? ClassName = null)
{
    /// <summary>Class k as the data names it ("9", or "ankle boot" when the model has names).</summary>
    public string Name(int k) => ClassName?.Invoke(k) ?? k.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The "how it grows" tables: the same counts for deeper and for wider networks of the given shape.</summary>
internal sealed record Growth(int Inputs, int Outputs, int Width, IReadOnlyList<(int Depth, DerivativeCost Cost)> ByDepth,
    int WidthDepth, IReadOnlyList<(int Width, DerivativeCost Cost)> ByWidth)
{
    public static Growth For(IReadOnlyList<int> sizes)
    {
        int inputs = sizes[0], outputs = sizes[^1];
        int width = sizes.Count > 2 ? sizes[1] : 10;
        var byDepth = Enumerable.Range(1, 6)
            .Select(d => (d, DerivativeCost.Of([inputs, .. Enumerable.Repeat(width, d), outputs]))).ToArray();
        var byWidth = new[] { 2, 4, 8, 16, 32, 64 }
            .Select(w => (w, DerivativeCost.Of([inputs, w, w, outputs]))).ToArray();
        return new Growth(inputs, outputs, width, byDepth, 2, byWidth);
    }
}
