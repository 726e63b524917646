using System.Globalization;
using System.Numerics;
using Backprop.Cli.Commands;
using Backprop.Explaining;

namespace Backprop.Cli.Rendering;

/// <summary>`backprop explain` as text, in the notation of docs/notation.md: aligned columns of symbol, formula, numbers, value.</summary>
internal static class ExplainText
{
    // ---------------------------------------------------------------- the one-neuron chain

    public static void Chain(TextWriter o, ChainExplanation e, bool defaultExample)
    {
        int last = e.Layers.Count;
        string phi = e.Activation.Name;
        bool zeroBiases = e.Layers.All(l => l.Bias == 0);
        o.WriteLine(defaultExample
            ? $"The default two-weight chain: one neuron per layer, x = {N(e.Input)}, y = {N(e.Target)}, φ = {phi}, biases 0"
            : $"A chain of {last} neuron{(last == 1 ? "" : "s")}, one per layer: x = {N(e.Input)}, y = {N(e.Target)}, φ = {phi}{(zeroBiases ? ", biases 0" : "")}");
        o.WriteLine($"z_l = w_l·a_(l−1) + b_l,  a_l = φ(z_l),  a_0 = x,  C = (a{last} − y)²");
        o.WriteLine();

        o.WriteLine("Forward pass");
        var forward = new Table();
        foreach (var l in e.Layers)
        {
            int n = l.Layer;
            forward.Row($"z{n}", "=", $"w{n}·{Previous(n)} + b{n}", "=", $"{N(l.Weight)}·{P(l.PreviousActivation)} + {P(l.Bias)}", "=", N(l.WeightedInput));
            forward.Row($"a{n}", "=", $"φ(z{n})", "=", $"{phi}({N(l.WeightedInput)})", "=", N(l.Activation));
        }
        forward.Row("C", "=", $"(a{last} − y)²", "=", $"({N(e.Layers[^1].Activation)} − {P(e.Target)})²", "=", N(e.Cost));
        forward.Write(o, "  ");
        o.WriteLine();

        o.WriteLine("Backward pass, from the last layer: each layer computes ∂C/∂z once and uses it three times;");
        o.WriteLine("the layer below starts from the ∂C/∂a it is handed (recycled, not recomputed)");
        var backward = new Table();
        for (int n = last; n >= 1; n--)
        {
            var l = e.Layers[n - 1];
            backward.Heading($"layer {n}");
            if (n == last)
                backward.Row($"∂C/∂a{n}", "=", $"2(a{n} − y)", "=", $"2·({N(l.Activation)} − {P(e.Target)})", "=", N(l.CostByActivation), "", "");
            else
                backward.Row($"∂C/∂a{n}", "=", $"∂C/∂z{n + 1} · w{n + 1}", "", "", "=", N(l.CostByActivation), "", $"(recycled from layer {n + 1})");
            backward.Row($"∂a{n}/∂z{n}", "=", $"φ′(z{n})", "=", $"{phi}′({N(l.WeightedInput)})", "=", N(l.ActivationByWeightedInput), "", "");
            backward.Row($"∂C/∂z{n}", "=", $"∂C/∂a{n} · ∂a{n}/∂z{n}", "=", $"{N(l.CostByActivation)}·{P(l.ActivationByWeightedInput)}", "=", N(l.CostByWeightedInput),
                "", "computed once, used 3 times below");
            backward.Row($"∂z{n}/∂w{n}", "=", Previous(n), "", "", "=", N(l.WeightedInputByWeight), "", "");
            backward.Row($"∂C/∂w{n}", "=", $"∂C/∂z{n} · ∂z{n}/∂w{n}", "=", $"{N(l.CostByWeightedInput)}·{P(l.WeightedInputByWeight)}", "=", N(l.CostByWeight),
                "", $"finite difference {N(l.NumericCostByWeight)}");
            backward.Row($"∂C/∂b{n}", "=", $"∂C/∂z{n} · 1", "", "", "=", N(l.CostByBias), "", "");
            backward.Row($"∂C/∂{Previous(n)}", "=", $"∂C/∂z{n} · w{n}", "=", $"{N(l.CostByWeightedInput)}·{P(l.Weight)}", "=", N(l.CostByPreviousActivation),
                "", n > 1 ? $"→ handed to layer {n - 1}" : "");
        }
        backward.Write(o, "  ");
        WriteKinks(o, e);

        if (last > 1)
        {
            o.WriteLine();
            o.WriteLine("Written out in full, nothing recycled (the chain rule for the first weight, one factor per link of the chain):");
            var symbols = new List<string> { $"∂C/∂a{last}" };
            for (int n = last; n > 1; n--) { symbols.Add($"∂a{n}/∂z{n}"); symbols.Add($"∂z{n}/∂a{n - 1}"); }
            symbols.Add("∂a1/∂z1");
            symbols.Add("∂z1/∂w1");
            var factors = e.ExpandedFactors(1);
            double product = factors.Aggregate(1.0, (p, f) => p * f);
            var full = new Table();
            full.Row("∂C/∂w1", "=", string.Join(" · ", symbols));
            full.Row("", "=", string.Join("·", factors.Select((f, i) => i == 0 ? N(f) : P(f))));
            full.Row("", "=", N(product));
            full.Write(o, "  ");
        }

        var count = DerivativeCost.Of(Enumerable.Repeat(1, last + 1).ToArray());
        o.WriteLine();
        o.WriteLine($"Multiplications for all {last} weight derivative{(last == 1 ? "" : "s")}: backpropagation {count.Backpropagation}, " +
                    $"each weight's chain separately {count.Separately} (see `backprop explain --cost-of-derivatives`).");
    }

    /// <summary>
    /// ReLU and leaky ReLU have no derivative at z = 0, their kink. Backpropagation takes the slope on the left there,
    /// as PyTorch does (relu′(0) = 0, leaky-relu′(0) = 0.01); the central difference straddles the kink and measures
    /// the average of both sides, so the two columns differ and neither is wrong. Say so wherever a z is exactly 0.
    /// </summary>
    static void WriteKinks(TextWriter o, ChainExplanation e)
    {
        if (e.Activation.Name is not ("relu" or "leaky-relu")) return;
        string phi = e.Activation.Name;
        var kinks = e.Layers.Where(l => l.WeightedInput == 0).Select(l => $"z{l.Layer}").ToArray();
        if (kinks.Length == 0) return;
        o.WriteLine();
        o.WriteLine($"Note: {string.Join(" = ", kinks)} = 0, {(kinks.Length == 1 ? "which is" : "each")} at {phi}'s kink, where it has no derivative. By convention (PyTorch's too) " +
                    $"{phi}′(0) = {N(e.Activation.Derivative(0))}, the slope on the left; the finite difference measures across the kink, " +
                    "so backpropagation and the finite difference can differ there, and neither is an error.");
    }

    static string Previous(int layer) => layer == 1 ? "x" : $"a{layer - 1}";

    // ---------------------------------------------------------------- one parameter of a real network

    public static void Weight(TextWriter o, WeightExplanation e, ExampleSource source)
    {
        var trace = e.Trace;
        var network = trace.Network;
        var architecture = network.Architecture;
        int layerCount = network.Layers.Count;
        var p = e.Parameter;
        int l = p.Layer, j = p.Neuron;

        o.WriteLine($"{Path.GetFileName(source.Model)}: layers {architecture.SizesText}, hidden {architecture.HiddenActivationsText}, output {architecture.OutputActivation}, cost {architecture.Cost}");
        var output = trace.Activations[^1];
        string example = $"example {source.Index} of {source.Data} ({source.Part}{(source.Standardized ? ", standardised as the model asks" : "")})";
        if (source.Label is int label)
        {
            o.WriteLine($"{example}: label {source.Name(label)}, target y = {Vector(trace.Target)}");
            int predicted = Backprop.Training.Targets.Predict<double>(output);
            o.WriteLine($"the network predicts {source.Name(predicted)}{(output.Length > 1 ? $" (a{layerCount}[{predicted}] = {N(output[predicted])}, the largest output)" : $" (a{layerCount} = {N(output[0])})")}" +
                        (predicted == label ? ", the label: right" : ", not the label: wrong"));
        }
        else
        {
            // The cost compares the output with the targets the model was trained on: standardised when it keeps a target scale.
            o.WriteLine($"{example}: a regression, target y = {Vector(trace.Target)} (as the model was trained on it)");
            o.WriteLine($"the network gives a{layerCount} = {Vector(output)}");
        }
        WritePicture(o, trace.Input);
        o.WriteLine();

        o.WriteLine("Forward values");
        var forward = new Table();
        forward.Row("x", "=", Vector(trace.Input), "", "layer 0, the input");
        for (int n = 1; n <= layerCount; n++)
        {
            forward.Row($"z{n}", "=", Vector(trace.WeightedInputs[n - 1]), "", $"z{n} = W{n}·{(n == 1 ? "x" : $"a{n - 1}")} + b{n}");
            forward.Row($"a{n}", "=", Vector(trace.Activations[n - 1]), "", $"a{n} = {network.Layers[n - 1].Activation}(z{n}){(n == layerCount ? ", the output" : "")}");
        }
        forward.Row("C", "=", N(trace.Cost), "", architecture.Cost == Backprop.Costs.Cost.Quadratic ? $"C = Σ_j (a{layerCount}[j] − y[j])²" : $"C = −Σ_j y[j] ln a{layerCount}[j]");
        forward.Write(o, "  ");
        o.WriteLine();

        o.WriteLine("Backward: δ = ∂C/∂z, each layer's computed once from the layer above and recycled");
        var deltas = new Table();
        for (int n = layerCount; n >= l; n--) deltas.Row($"δ{n}", "=", Vector(trace.Deltas[n - 1]));
        deltas.Write(o, "  ");
        o.WriteLine();

        string z = $"z{l}[{j}]";
        string name = p.ToString();
        string factor = p.Input is int k ? (l == 1 ? $"x[{k}]" : $"a{l - 1}[{k}]") : "1";
        o.WriteLine(p.Input is int kk
            ? $"{name} = {N(e.Value)}: from {(l == 1 ? $"input {kk}" : $"neuron {kk} of layer {l - 1}")} to neuron {j} of layer {l}{(l == layerCount ? " (the output layer)" : "")}"
            : $"{name} = {N(e.Value)}: the bias of neuron {j} of layer {l}{(l == layerCount ? " (the output layer)" : "")}");
        var main = new Table();
        main.Row($"∂C/∂{name}", "=", $"δ{l}[{j}] · ∂{z}/∂{name}", "=", $"δ{l}[{j}] · {factor}", "=", $"{N(e.Delta)}·{P(e.WeightedInputByParameter)}", "=", N(e.Derivative));
        main.Write(o, "  ");
        o.WriteLine();

        if (e.IsOutputLayer) WriteOutputDelta(o, e, trace, l, j);
        else WriteHiddenDelta(o, e, l, j);

        if (e.Paths is { } paths)
        {
            o.WriteLine();
            o.WriteLine($"Every path from {name} to the cost ({paths.Count}): the chain rule with nothing recycled");
            var table = new Table();
            // A path with a zero factor (a ReLU that is off: φ′ = 0; a zero input or weight) contributes exactly 0:
            // those are counted by their first zero factor instead of listed, so dead ReLUs do not bury the rest.
            var zeros = new Dictionary<string, int>();
            foreach (var path in paths)
            {
                if (path.Factors.FirstOrDefault(f => f.Value == 0) is { } zero)
                {
                    zeros[zero.Symbol] = zeros.GetValueOrDefault(zero.Symbol) + 1;
                    continue;
                }
                var route = new List<string> { name };
                for (int m = 0; m < path.Neurons.Count; m++)
                {
                    int layer = l + m;
                    route.Add($"z{layer}[{path.Neurons[m]}]");
                    bool isOutput = layer == layerCount;
                    if (!isOutput) route.Add($"a{layer}[{path.Neurons[m]}]");
                    else if (!(trace.SoftmaxOutput && architecture.Cost == Backprop.Costs.Cost.CrossEntropy)) route.Add($"a{layer}[{path.Output}]");
                }
                route.Add("C");
                table.Row(string.Join(" → ", route), " ", string.Join("·", path.Factors.Select(f => f.Symbol)), "=",
                    string.Join("·", path.Factors.Select((f, i) => i == 0 ? N(f.Value) : P(f.Value))), "=", N(path.Product));
            }
            table.Write(o, "  ");
            foreach (var (symbol, count) in zeros)
                o.WriteLine($"  {count} path{(count == 1 ? "" : "s")} through {symbol} = 0: product 0, not listed");
            double sum = e.PathSum!.Value;
            o.WriteLine($"  sum over {paths.Count} path{(paths.Count == 1 ? "" : "s")} = {N(sum)};  backpropagation δ{l}[{j}]·{factor} = {N(e.Derivative)};  difference {NumberText.Of(sum - e.Derivative, 3)}");
        }
        else if (e.PathCount > 1)
        {
            o.WriteLine();
            o.WriteLine($"{name} reaches the cost along {e.PathCount} paths{(e.PathCount <= WeightExplanation.MaximumPaths ? "; --paths lists them" : "")}.");
        }
    }

    /// <summary>A square input (an image of 4×4 up to 64×64 pixels) drawn as text, darkest to brightest " .:-=+*#%@".</summary>
    static void WritePicture(TextWriter o, double[] input)
    {
        int side = (int)Math.Round(Math.Sqrt(input.Length));
        if (side < 4 || side > 64 || side * side != input.Length) return;
        double low = input.Min(), high = input.Max();
        if (!(high > low)) return;
        const string shades = " .:-=+*#%@";
        o.WriteLine($"the input as a {side}×{side} picture ({N(low)} is ' ', {N(high)} is '@'):");
        for (int row = 0; row < side; row++)
        {
            var line = new char[side];
            for (int column = 0; column < side; column++)
                line[column] = shades[(int)Math.Min(shades.Length - 1, (input[row * side + column] - low) / (high - low) * shades.Length)];
            o.WriteLine("  |" + new string(line) + "|");
        }
    }

    static void WriteHiddenDelta(TextWriter o, WeightExplanation e, int l, int j)
    {
        var network = e.Trace.Network;
        string activation = network.Layers[l - 1].Activation.Name;
        int next = l + 1;
        var head = new Table();
        head.Row($"δ{l}[{j}]", "=", $"φ′(z{l}[{j}]) · ∂C/∂a{l}[{j}]", "=", $"{activation}′({N(e.Trace.WeightedInputs[l - 1][j])}) · {P(e.CostByActivation)}",
            "=", $"{N(e.ActivationSlope)}·{P(e.CostByActivation)}", "=", N(e.Delta));
        head.Row($"∂C/∂a{l}[{j}]", "=", $"Σ_i W{next}[i,{j}] · δ{next}[i]", "", "", "", "", "=", N(e.CostByActivation));
        head.Write(o, "  ");
        o.WriteLine($"  neuron {j} of layer {l} feeds all {e.NextLayerTerms.Count} neuron{(e.NextLayerTerms.Count == 1 ? "" : "s")} of layer {next} and influences the cost through each; the influences add:");
        var terms = new Table();
        terms.Row("i", $"W{next}[i,{j}]", $"δ{next}[i]", $"W{next}[i,{j}]·δ{next}[i]");
        foreach (var t in e.NextLayerTerms) terms.Row(t.Neuron.ToString(CultureInfo.InvariantCulture), N(t.Weight), N(t.Delta), N(t.Product));
        terms.Row("sum", "", "", N(e.NextLayerTerms.Sum(t => t.Product)));
        terms.Write(o, "    ", gap: "  ");
        o.WriteLine($"  each δ{next}[i] was computed once, for layer {next}'s own derivatives, and is recycled here");
    }

    static void WriteOutputDelta(TextWriter o, WeightExplanation e, NetworkTrace trace, int l, int j)
    {
        var architecture = trace.Network.Architecture;
        double a = trace.Activations[l - 1][j], y = trace.Target[j];
        var table = new Table();
        if (!trace.SoftmaxOutput)
        {
            string activation = trace.Network.Layers[l - 1].Activation.Name;
            table.Row($"δ{l}[{j}]", "=", $"∂C/∂a{l}[{j}] · φ′(z{l}[{j}])", "=", $"{N(e.CostByActivation)}·{P(e.ActivationSlope)}", "=", N(e.Delta), "");
            table.Row($"∂C/∂a{l}[{j}]", "=", $"2(a{l}[{j}] − y[{j}])", "=", $"2·({N(a)} − {P(y)})", "=", N(e.CostByActivation), "");
            table.Row($"φ′(z{l}[{j}])", "=", $"{activation}′({N(trace.WeightedInputs[l - 1][j])})", "", "", "=", N(e.ActivationSlope), "");
            table.Write(o, "  ");
        }
        else if (architecture.Cost == Backprop.Costs.Cost.CrossEntropy)
        {
            table.Row($"δ{l}[{j}]", "=", $"a{l}[{j}] − y[{j}]", "=", $"{N(a)} − {P(y)}", "=", N(e.Delta), "softmax with cross-entropy: the cost owns δ, φ′ cancels");
            table.Write(o, "  ");
        }
        else
        {
            table.Row($"δ{l}[{j}]", "=", $"Σ_m ∂C/∂a{l}[m] · ∂a{l}[m]/∂z{l}[{j}]", "=", N(e.Delta));
            table.Write(o, "  ");
            o.WriteLine($"  softmax makes every output depend on z{l}[{j}]: ∂a{l}[m]/∂z{l}[{j}] = a{l}[m]·(1[m = {j}] − a{l}[{j}]), ∂C/∂a{l}[m] = 2(a{l}[m] − y[m])");
            var terms = new Table();
            terms.Row("m", $"∂C/∂a{l}[m]", $"∂a{l}[m]/∂z{l}[{j}]", "product");
            foreach (var t in e.OutputTerms)
                terms.Row(t.Output.ToString(CultureInfo.InvariantCulture), N(t.CostByActivation), N(t.ActivationByWeightedInput), N(t.Product));
            terms.Row("sum", "", "", N(e.OutputTerms.Sum(t => t.Product)));
            terms.Write(o, "    ", gap: "  ");
        }
    }

    // ---------------------------------------------------------------- one step, and the mean over examples

    /// <summary>w′ = w − η·∂C/∂w for every weight and bias of the chain, and the cost before and after.</summary>
    public static void ChainStep(TextWriter o, ChainExplanation before, ChainExplanation after, double learningRate)
    {
        o.WriteLine();
        o.WriteLine($"One step of gradient descent, η = {N(learningRate)}: every weight and bias moves against its derivative");
        var table = new Table();
        foreach (var (l, next) in before.Layers.Zip(after.Layers))
        {
            int n = l.Layer;
            table.Row($"w{n}′", "=", $"w{n} − η·∂C/∂w{n}", "=", $"{N(l.Weight)} − {N(learningRate)}·{P(l.CostByWeight)}", "=", N(next.Weight));
            table.Row($"b{n}′", "=", $"b{n} − η·∂C/∂b{n}", "=", $"{N(l.Bias)} − {N(learningRate)}·{P(l.CostByBias)}", "=", N(next.Bias));
        }
        table.Write(o, "  ");
        o.WriteLine($"  C = {N(before.Cost)} before the step, {N(after.Cost)} after: {Change(before.Cost, after.Cost)}");
    }

    /// <summary>The explained parameter's step, and the cost of the examples before and after every parameter took its own.</summary>
    public static void Step(TextWriter o, GradientStep step, int examples)
    {
        string name = step.Parameter.ToString();
        string cost = examples == 1 ? "C" : $"C, the mean over the {examples} examples,";
        o.WriteLine();
        o.WriteLine($"One step of gradient descent, η = {N(step.LearningRate)} (plain SGD on {(examples == 1 ? "this example" : $"a mini-batch of these {examples} examples")}; every weight and bias takes its own step):");
        var table = new Table();
        table.Row($"{name}′", "=", $"{name} − η·∂C/∂{name}", "=", $"{N(step.Before)} − {N(step.LearningRate)}·{P(step.Derivative)}", "=", N(step.After));
        table.Write(o, "  ");
        o.WriteLine($"  {cost} is {N(step.CostBefore)} before the step and {N(step.CostAfter)} after: {Change(step.CostBefore, step.CostAfter)}");
    }

    static string Change(double before, double after) =>
        after < before ? "it fell" : after == before ? "it stayed" : "it rose — the step is too large; try a smaller --lr";

    /// <summary>Each example's ∂C_k/∂w and their mean, beside the batched engine's gradient for the same mini-batch.</summary>
    public static void Batch(TextWriter o, BatchDerivative batch, double batchGradient, ExampleSource source, Backprop.Layers.Architecture architecture)
    {
        string name = batch.Parameter.ToString();
        int m = batch.Examples.Count;
        o.WriteLine($"{Path.GetFileName(source.Model)}: layers {architecture.SizesText}, hidden {architecture.HiddenActivationsText}, output {architecture.OutputActivation}, cost {architecture.Cost}");
        o.WriteLine($"{name} = {N(batch.Value)} on {m} examples of {source.Data} ({source.Part}{(source.Standardized ? ", standardised as the model asks" : "")}), each on its own:");
        var table = new Table();
        table.Row("example", "label", "C_k", $"∂C_k/∂{name}");
        foreach (var e in batch.Examples)
            table.Row(e.Index.ToString(CultureInfo.InvariantCulture), source.Label is null ? "" : e.Label.ToString(CultureInfo.InvariantCulture), N(e.Cost), N(e.Derivative));
        table.Row("mean", "", N(batch.MeanCost), N(batch.MeanDerivative));
        table.Write(o, "  ", rightAligned: true, gap: "  ");
        o.WriteLine();
        o.WriteLine($"The cost of a mini-batch is the mean of its examples' costs, C = (1/m) Σ_k C_k, so its gradient is the mean of theirs:");
        o.WriteLine($"  ∂C/∂{name} = (1/{m}) Σ_k ∂C_k/∂{name} = {N(batch.MeanDerivative)}");
        o.WriteLine($"  backpropagation on the {m} examples as one mini-batch (as train computes it) gives {N(batchGradient)}; difference {NumberText.Of(batch.MeanDerivative - batchGradient, 3)}");
    }

    // ---------------------------------------------------------------- counting multiplications

    public static void Cost(TextWriter o, DerivativeCost cost, Growth growth)
    {
        o.WriteLine($"Multiplications for one example's ∂C/∂W, layers {string.Join(",", cost.Sizes)}");
        o.WriteLine("(chain-rule products only: the forward pass, the local derivatives a, φ′(z), ∂C/∂a it provides, and additions are not counted; docs/explain.md)");
        o.WriteLine();
        var table = new Table();
        table.Row("layer", "weights", "paths/weight", "×/path", "backprop δ", "backprop ∂C/∂W", "backprop", "separately");
        foreach (var l in cost.Layers)
            table.Row(I(l.Layer), I(l.Weights), I(l.PathsPerWeight), I(l.MultiplicationsPerPath), I(l.Delta), I(l.Gradient), I(l.Backpropagation), I(l.Separately));
        table.Row("total", I(cost.Layers.Sum(l => l.Weights)), "", "", I(cost.Layers.Sum(l => l.Delta)), I(cost.Layers.Sum(l => l.Gradient)), I(cost.Backpropagation), I(cost.Separately));
        table.Write(o, "  ", rightAligned: true, gap: "  ");
        o.WriteLine();
        o.WriteLine($"backpropagation: B = nᴸ + Σ_(l<L) (nˡ⁺¹nˡ + nˡ) + Σ_l nˡnˡ⁻¹ = {I(cost.Backpropagation)}");
        o.WriteLine($"separately:      S = Σ_l nˡnˡ⁻¹ · Π_(m>l) nᵐ · (2(L − l) + 2) = {I(cost.Separately)}  ({Ratio(cost.Ratio)} as many)");
        o.WriteLine();

        o.WriteLine($"How it grows with depth: {Format.Count(growth.Inputs, "input")}, hidden layers of {growth.Width}, {Format.Count(growth.Outputs, "output")}");
        var depth = new Table();
        depth.Row("hidden layers", "layers", "backprop", "separately", "ratio");
        foreach (var (d, c) in growth.ByDepth)
            depth.Row(I(d), string.Join(",", c.Sizes), I(c.Backpropagation), I(c.Separately), Ratio(c.Ratio));
        depth.Write(o, "  ", rightAligned: true, gap: "  ");
        o.WriteLine();
        o.WriteLine($"How it grows with width: {Format.Count(growth.Inputs, "input")}, {growth.WidthDepth} hidden layers of width w, {Format.Count(growth.Outputs, "output")}");
        var width = new Table();
        width.Row("w", "layers", "backprop", "separately", "ratio");
        foreach (var (w, c) in growth.ByWidth)
            width.Row(I(w), string.Join(",", c.Sizes), I(c.Backpropagation), I(c.Separately), Ratio(c.Ratio));
        width.Write(o, "  ", rightAligned: true, gap: "  ");
        o.WriteLine();
        o.WriteLine("Backpropagation grows like the number of weights; path by path, every extra layer multiplies the count by its width.");
    }

    static string Ratio(double ratio) => (ratio < 1e6 ? ratio.ToString("0.##", CultureInfo.InvariantCulture) : ratio.ToString("0.##e0", CultureInfo.InvariantCulture)) + "×";

    // ---------------------------------------------------------------- formatting

    /// <summary>A number as the explanation prints it: six significant digits.</summary>
    static string N(double value) => NumberText.Of(value, 6);

    /// <summary>A factor after "·": negative numbers in parentheses, so "0.8·(-0.4)" cannot read as a subtraction.</summary>
    static string P(double value) => value < 0 ? $"({N(value)})" : N(value);

    static string I(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
    static string I(BigInteger value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>(v0, v1, …), at most 10 values; longer vectors show their start and length.</summary>
    static string Vector(IReadOnlyList<double> values)
    {
        const int shown = 8;
        if (values.Count <= 10) return "(" + string.Join(", ", values.Select(N)) + ")";
        return "(" + string.Join(", ", values.Take(shown).Select(N)) + $", … {values.Count} values)";
    }

    /// <summary>Rows of cells written with every column padded to its widest cell; headings interrupt the rows.</summary>
    sealed class Table
    {
        readonly List<string[]?> rows = [];
        readonly List<string> headings = [];

        public void Row(params string[] cells) => rows.Add(cells);

        public void Heading(string text)
        {
            headings.Add(text);
            rows.Add(null);
        }

        /// <param name="gap">Between columns: one space where "=" columns separate a formula, two between numbers.</param>
        public void Write(TextWriter o, string indent, bool rightAligned = false, string gap = " ")
        {
            int columns = rows.Max(r => r?.Length ?? 0);
            var widths = new int[columns];
            foreach (var row in rows)
                if (row != null)
                    for (int c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
            int heading = 0;
            foreach (var row in rows)
            {
                if (row is null)
                {
                    o.WriteLine(indent[..^1] + headings[heading++]);
                    continue;
                }
                var cells = row.Select((cell, c) => rightAligned && c > 0 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
                o.WriteLine((indent + string.Join(gap, cells)).TrimEnd());
            }
        }
    }
}
