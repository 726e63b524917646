using System.ComponentModel;
using Backprop.Autodiff;
using Backprop.Cli.Rendering;
using Backprop.Graphs;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>
/// Draws a computation graph — the one-neuron-per-layer chain, or any expression at a point — with every
/// node's value and gradient and every edge's local derivative, as SVG and Graphviz DOT.
/// </summary>
public sealed class GraphCommand : Command<GraphCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--function <EXPR>")]
        [Description("Draw this expression in x1 … xn instead of the chain (needs --at)")]
        public string? Function { get; init; }

        [CommandOption("--at <X>")]
        [Description("Where to evaluate --function: one number per variable, like 1,2")]
        public string? At { get; init; }

        [CommandOption("-x|--input <X>")]
        [Description("The chain's input x = a0 (default 1.5)")]
        public double? X { get; init; }

        [CommandOption("-y|--target <Y>")]
        [Description("The chain's target y (default 0.5)")]
        public double? Y { get; init; }

        [CommandOption("-w|--weights <WEIGHTS>")]
        [Description("The chain's weights w1,w2,…: one layer each (default 0.8,-0.4)")]
        public string? Weights { get; init; }

        [CommandOption("-b|--biases <BIASES>")]
        [Description("The chain's biases b1,b2,… (default zeros)")]
        public string? Biases { get; init; }

        [CommandOption("--activation <NAME>")]
        [Description("The chain's φ: sigmoid, tanh, relu, leaky-relu, identity (default sigmoid)")]
        public string? Activation { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("The SVG picture; the DOT file goes beside it with the extension .dot")]
        [DefaultValue("graph.svg")]
        public string Out { get; init; } = "graph.svg";

        [CommandOption("--dot <FILE>")]
        [Description("Where to write the Graphviz DOT file instead")]
        public string? Dot { get; init; }

        [CommandOption("--model <FILE>")]
        [Description("Draw this trained network whole (at most 6 layers of 8 neurons) on one example of --data: weights on the links, z, a and δ in the neurons")]
        public string? Model { get; init; }

        [CommandOption("--data <SPEC>")]
        [Description("With --model: the data whose test part holds the example (xor, spiral, csv:FILE, …)")]
        public string? Data { get; init; }

        [CommandOption("--example <N>")]
        [Description("With --model: 0-based index of the example (default 0)")]
        public int? Example { get; init; }

        [CommandOption("--weight <L:J:K>")]
        [Description("With --model: draw the weight W^L[[J,K]] and every path from it to the cost thick")]
        public string? Weight { get; init; }

        [CommandOption("--json")]
        [Description("The nodes and edges as one JSON object")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        string svgPath = DescendCommand.OutputFile(s.Out, "--out", "graph.svg");
        if (Path.GetExtension(svgPath).Equals(".dot", StringComparison.OrdinalIgnoreCase))
            throw new BackpropException($"--out {s.Out} is the SVG picture; name the DOT file with --dot");
        string dotPath = DescendCommand.OutputFile(s.Dot ?? Path.ChangeExtension(svgPath, ".dot"), "--dot", "graph.dot");
        Backprop.Serialization.OutputFile.CheckDistinct([new("--out", svgPath), new("--dot", dotPath)],
            s.Model is null ? [] : [new("--model", s.Model)]);
        if (s.Model != null) return DrawModel(s, svgPath, dotPath);
        string? modelOnly = s.Data != null ? "--data" : s.Example != null ? "--example" : s.Weight != null ? "--weight" : null;
        if (modelOnly != null)
            throw new BackpropException($"{modelOnly} goes with --model FILE (graph --model FILE --data SPEC); add --model, or leave out {modelOnly}");

        var (root, description) = s.Function is null ? Chain(s) : Function(s);
        root.Backward();
        var graph = ComputationGraph.Of(root);
        Svg.Save(svgPath, graph);
        Backprop.Graphs.Dot.Save(dotPath, graph);

        if (s.Json)
        {
            JsonLines.Write(new
            {
                nodes = graph.Nodes.Select(n => new
                {
                    id = n.Id, label = n.Value.Label, operation = n.Value.IsLeaf ? null : n.Value.Operation,
                    data = n.Value.Data, gradient = n.Value.Gradient, column = n.Column,
                }),
                edges = graph.Edges.Select(e => new { from = e.From.Id, to = e.To.Id, input = e.InputIndex, local_derivative = e.LocalDerivative }),
                svg = svgPath, dot = dotPath,
            });
            return 0;
        }
        Console.Out.WriteLine($"{description}: {graph.Nodes.Count} nodes, {graph.Edges.Count} edges");
        int width = graph.Nodes.Max(n => n.Title.Length);
        foreach (var n in graph.Nodes.OrderBy(n => n.Column).ThenBy(n => n.Row))
            Console.Out.WriteLine($"  {n.Title.PadRight(width)}  data {Format.Number(n.Value.Data, "G6").PadRight(12)}  grad {Format.Number(n.Value.Gradient, "G6")}");
        Console.Out.WriteLine($"wrote {svgPath} and {dotPath}");
        return 0;
    }

    /// <summary>graph --model: the network, one example, every weight, z, a and δ, as SVG and as DOT.</summary>
    static int DrawModel(Settings s, string svgPath, string dotPath)
    {
        if (s.Function != null || s.At != null || s.X != null || s.Y != null || s.Weights != null || s.Biases != null || s.Activation != null)
            throw new BackpropException("--model draws a trained network; --function, --at, --x, --y, --w, --b and --activation describe other graphs; leave them out");
        var settings = new ModelSettings { Model = s.Model, Data = s.Data };
        var model = settings.LoadModel("graph --model");
        var architecture = model.Network.Architecture;
        CommandWords.CheckDrawable(architecture);
        var parameter = s.Weight is null ? null : CommandWords.CheckIn(Backprop.Explaining.ParameterReference.ParseWeight(s.Weight), architecture);
        var (data, part) = settings.EvaluationData(model, "graph --model");
        int index = s.Example ?? 0;
        if (index < 0 || index >= data.Count)
            throw new BackpropException($"--example {index} is out of range: the {part} of {s.Data} has {data.Count} examples; use 0…{data.Count - 1}");
        var network = model.Network.Convert<double>();
        var (input, target) = Backprop.Explaining.ParameterReceipt.ExampleOf(network, data, index);
        var trace = Backprop.Explaining.NetworkTrace.Compute(network, input, target);
        Backprop.Serialization.OutputFile.WriteAllText(svgPath, NetworkSvg.Write(trace, parameter));
        Backprop.Serialization.OutputFile.WriteAllText(dotPath, Backprop.Graphs.Dot.Write(trace, parameter));
        if (s.Json) JsonLines.Write(new { model = s.Model, example = index, cost = trace.Cost, svg = svgPath, dot = dotPath });
        else Console.Out.WriteLine($"{Path.GetFileName(s.Model)} ({architecture.SizesText}) on example {index} of {s.Data}: C = {Format.Number(trace.Cost)}; wrote {svgPath} and {dotPath}");
        return 0;
    }

    static (Value Root, string Description) Chain(Settings s)
    {
        double x = s.X ?? 1.5, y = s.Y ?? 0.5;
        var weights = DescendCommand.Numbers(s.Weights ?? "0.8,-0.4", "--w");
        var biases = s.Biases is null ? new double[weights.Length] : DescendCommand.Numbers(s.Biases, "--b");
        if (biases.Length != weights.Length)
            throw new BackpropException($"--w has {weights.Length} weight(s) but --b has {biases.Length} bias(es); give one bias per layer, or leave --b out for zeros");
        var activation = Backprop.Activations.Activation.Parse(s.Activation ?? "sigmoid", "--activation");
        var chain = NeuronChain.Build(x, y, weights, biases, activation);
        string layers = weights.Length == 1 ? "1 layer" : $"{weights.Length} layers";
        return (chain.Cost, $"C = (a{weights.Length} − y)² for one neuron per layer ({layers}, {activation.Name}), x = {Format.Number(x)}, y = {Format.Number(y)}, " +
                           $"w = ({string.Join(", ", weights.Select(v => Format.Number(v)))}), b = ({string.Join(", ", biases.Select(v => Format.Number(v)))})");
    }

    static (Value Root, string Description) Function(Settings s)
    {
        if (s.X is not null || s.Y is not null || s.Weights is not null || s.Biases is not null || s.Activation is not null)
            throw new BackpropException("--function draws an expression; --x, --y, --w, --b and --activation describe the chain instead; use one or the other");
        var function = Expression.Parse(s.Function!);
        int n = function.VariableCount;
        if (s.At is null && n > 0)
            throw new BackpropException($"--at is needed: give {n} number(s), one for each of x1 … x{n}, like --at {string.Join(",", Enumerable.Repeat("1", n))}");
        var at = s.At is null ? [] : DescendCommand.Numbers(s.At, "--at");
        if (at.Length != n)
            throw new BackpropException($"--at has {at.Length} number(s) but the function uses {n} variable(s), x1 … x{n}; give one number per variable");
        var variables = new Value[n];
        for (int i = 0; i < n; i++) variables[i] = new Value(at[i], $"x{i + 1}");
        var root = function.Build(variables);
        // A bare variable or number is already a leaf with its own name; anything else is the function f.
        if (!root.IsLeaf) root.Label = "f";
        return (root, $"f = {function} at ({string.Join(", ", at.Select(v => Format.Number(v)))})");
    }
}
