using System.ComponentModel;
using Backprop.Activations;
using Backprop.Checking;
using Backprop.Cli.Rendering;
using Backprop.Costs;
using Backprop.Layers;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

public sealed class GradientCheckCommand : Command<GradientCheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--layers <SIZES>")] [DefaultValue("4,5,3")] public string Layers { get; init; } = "4,5,3";
        [CommandOption("--activation <NAME>")] [DefaultValue("tanh")] public string Activation { get; init; } = "tanh";
        [CommandOption("--output-activation <NAME>")] [DefaultValue("softmax")] public string OutputActivation { get; init; } = "softmax";
        [CommandOption("--cost <NAME>")] [Description("Default: cross-entropy with softmax, else quadratic")] public string? Cost { get; init; }
        [CommandOption("--seed <N>")] [DefaultValue(1UL)] public ulong Seed { get; init; } = 1;
        [CommandOption("--examples <N>")] [Description("Random examples in the batch")] [DefaultValue(4)] public int Examples { get; init; } = 4;
        [CommandOption("--tolerance <E>")] [Description("Largest relative error that passes")] [DefaultValue(1e-6)] public double Tolerance { get; init; } = 1e-6;
        [CommandOption("--verbose")] [Description("List every parameter: its backpropagated and finite-difference derivative side by side, and their relative error")] public bool Verbose { get; init; }
        [CommandOption("--break <NAME>")] [Description("Deliberately get φ′ of this hidden activation 10% wrong, to see what a bug looks like to the check (exit code 1)")] public string? Break { get; init; }
        [CommandOption("--json")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var output = Backprop.Activations.Activation.Parse(s.OutputActivation, "--output-activation");
        var architecture = new Architecture(Architecture.ParseSizes(s.Layers), Backprop.Activations.Activation.Parse(s.Activation, "--activation"), output,
            Backprop.Costs.Cost.Parse(s.Cost ?? (output == Backprop.Activations.Activation.Softmax ? "cross-entropy" : "quadratic"))).Validate();
        // A relative error is at most 2; NaN or a negative tolerance would fail every check, as if the derivatives were wrong.
        if (!(s.Tolerance > 0 && s.Tolerance <= 1))
            throw new BackpropException($"--tolerance must be a relative error above 0 and at most 1, got {NumberText.Of(s.Tolerance)}; 1e-6 is usual in double precision");
        if (s.Examples < 1 || s.Examples > 10_000) throw new BackpropException($"--examples must be 1…10000, got {s.Examples}");
        long parameters = Enumerable.Range(0, architecture.LayerCount).Sum(l => (long)architecture.Sizes[l] * architecture.Sizes[l + 1] + architecture.Sizes[l + 1]);
        if (parameters > 200_000)
            throw new BackpropException($"{architecture.SizesText} has {parameters} parameters and each needs two forward passes; check a smaller network (≤ 200000 parameters) — the derivatives do not depend on size");
        var broken = s.Break is null ? null : Backprop.Activations.Activation.Parse(s.Break, "--break");
        var details = s.Verbose ? new List<ParameterCheck>() : null;
        var result = GradientCheck.Random(architecture, s.Seed, s.Examples, details, broken);
        bool passed = result.MaxRelativeError < s.Tolerance;
        if (!s.Json)
        {
            Console.Out.WriteLine($"gradient check of {architecture} on {s.Examples} random examples, seed {s.Seed}: {result.ParameterCount} derivatives, central differences h = {NumberText.Of(GradientCheck.DefaultStep)}");
            if (broken != null)
                Console.Out.WriteLine($"--break {broken.Name}: backpropagation uses {broken.Name}′ × {NumberText.Of(BrokenDerivative.Factor)} in the hidden layers that use {broken.Name}; the cost, and so the finite differences, are right");
            if (details != null) WriteDetails(details, s.Tolerance);
            foreach (var l in result.Layers)
                Console.Out.WriteLine($"layer {l.Layer}: max relative error ∂C/∂W {NumberText.Of(l.WeightError, 3)}   ∂C/∂b {NumberText.Of(l.BiasError, 3)}");
            Console.Out.WriteLine($"max relative error {NumberText.Of(result.MaxRelativeError, 3)} {(passed ? "<" : "≥")} {NumberText.Of(s.Tolerance)}: {(passed ? "backpropagation agrees with finite differences" : "DISAGREEMENT")}");
        }
        if (s.Json && details != null)
            foreach (var d in details)
                JsonLines.Write(new { parameter = d.Name, backpropagation = d.Backpropagation, finite_difference = d.Numeric, relative_error = d.RelativeError });
        JsonLinesIf(s.Json, new
        {
            layers = result.Layers.Select(l => new { layer = l.Layer, weights = l.WeightError, biases = l.BiasError }),
            parameters = result.ParameterCount, tolerance = s.Tolerance, passed, max_relative_error = result.MaxRelativeError,
        });
        return passed ? 0 : 1;
    }

    /// <summary>One line per parameter, columns aligned; the ones that fail the tolerance are marked.</summary>
    static void WriteDetails(IReadOnlyList<ParameterCheck> details, double tolerance)
    {
        var rows = details.Select(d => new[] { d.Name, NumberText.Of(d.Backpropagation, 10), NumberText.Of(d.Numeric, 10), NumberText.Of(d.RelativeError, 3),
            d.RelativeError < tolerance ? "" : "✗" }).Prepend(["parameter", "backpropagation", "finite difference", "relative error", ""]).ToArray();
        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        int layer = 0;
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            if (i > 0 && details[i - 1].Layer != layer) Console.Out.WriteLine($" layer {layer = details[i - 1].Layer}");
            Console.Out.WriteLine(("  " + string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])))).TrimEnd());
        }
    }

    static void JsonLinesIf(bool json, object value) { if (json) JsonLines.Write(value); }
}
