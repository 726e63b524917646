using System.ComponentModel;
using System.Globalization;
using Backprop.Autodiff;
using Backprop.Cli.Rendering;
using Backprop.Descent;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>
/// Gradient descent on a function typed on the command line, x ← x − α∇f(x), with every partial derivative from the
/// scalar engine; the path is drawn over the contours of f.
/// </summary>
public sealed class DescendCommand : Command<DescendCommand.Settings>
{
    /// <summary>The default bowl: f(x1, x2) = x1² + x2², ∇f = (2x1, 2x2), from (3, 4).</summary>
    public const string DefaultFunction = "x1^2 + x2^2";
    public const string DefaultStart = "3,4";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--function <EXPR>")]
        [Description("f in x1 … xn: + - * / ^, exp, ln, sin, cos, sigmoid, tanh, relu, sqrt (default x1^2 + x2^2)")]
        public string? Function { get; init; }

        [CommandOption("--start <X>")]
        [Description("x_0, one number per variable: 3,4 (default 3,4 for the default function)")]
        public string? Start { get; init; }

        [CommandOption("--lr <ALPHA>")]
        [Description("Learning rate α > 0")]
        [DefaultValue(0.1)]
        public double LearningRate { get; init; } = 0.1;

        [CommandOption("--steps <N>")]
        [Description("Number of updates, 1 … 100000")]
        [DefaultValue(20)]
        public int Steps { get; init; } = 20;

        [CommandOption("--out <FILE>")]
        [Description("The picture (PNG): contours and path for two variables, the curve for one, f against the step for more")]
        [DefaultValue("descend.png")]
        public string Out { get; init; } = "descend.png";

        [CommandOption("--json")]
        [Description("One JSON object per step: step, x, value, gradient")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var function = Expression.Parse(s.Function ?? DefaultFunction);
        int n = function.VariableCount;
        if (n == 0)
            throw new BackpropException($"--function {function} has no variables, so there is nothing to descend; write it in x1, x2, …");
        if (s.Start is null && s.Function is not null)
            throw new BackpropException($"--start is needed: give {n} number(s), one for each of x1 … x{n}, like --start {string.Join(",", Enumerable.Repeat("1", n))}");
        var start = Numbers(s.Start ?? DefaultStart, "--start");
        if (start.Length != n)
            throw new BackpropException($"--start has {start.Length} number(s) but the function uses {n} variable(s), x1 … x{n}; give one number per variable");
        if (!(s.LearningRate > 0) || !double.IsFinite(s.LearningRate))
            throw new BackpropException($"--lr must be a positive number, got {Format.Number(s.LearningRate)}; try 0.1");
        if (s.Steps < 1 || s.Steps > GradientDescent.MaxSteps)
            throw new BackpropException($"--steps must be 1 … {GradientDescent.MaxSteps}, got {s.Steps}");
        string picture = OutputFile(s.Out, "--out", "descend.png");

        var result = GradientDescent.Run(function, start, s.LearningRate, s.Steps);
        string variables = string.Join(", ", Enumerable.Range(1, n).Select(i => "x" + i));
        if (!s.Json)
            Console.Out.WriteLine($"f({variables}) = {function}   start {Point(start)}   α = {Format.Number(s.LearningRate)}   {Format.Count(s.Steps, "step")}");
        var finite = result.Steps.Where(step => step.IsFinite).ToArray();
        if (s.Json)
            foreach (var step in finite)
                JsonLines.Write(new { step = step.Step, x = step.Point, value = step.Value, gradient = step.Gradient });
        else
            foreach (var line in StepLines(finite)) Console.Out.WriteLine(line);
        if (result.Diverged) throw new BackpropException(result.Summary(s.LearningRate, "--lr"));

        bool drawn = DescentPicture.Save(picture, function, result, s.LearningRate);
        if (!s.Json)
        {
            Console.Out.WriteLine(result.Summary(s.LearningRate, "--lr"));
            Console.Out.WriteLine(drawn
                ? $"wrote {picture} ({(n == 2 ? "contours of f with the path" : n == 1 ? "the curve f(x1) with the steps" : "f at every step")})"
                : "no picture: no step has a finite value");
        }
        return 0;
    }

    /// <summary>One line per step, every column (step, x, f, each ∂f/∂xi) padded to its widest cell so they line up past step 9.</summary>
    internal static IEnumerable<string> StepLines(IReadOnlyList<DescentStep> steps)
    {
        var rows = steps.Select(step => new[] { $"step {step.Step}", $"x = {Point(step.Point)}", $"f = {Format.Number(step.Value, "G4")}" }
            .Concat(step.Gradient.Select((g, i) => $"∂f/∂x{i + 1} = {Format.Number(g, "G4")}")).ToArray()).ToArray();
        if (rows.Length == 0) yield break;
        int columns = rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in rows)
            for (int c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        foreach (var row in rows)
            yield return string.Join("  ", row.Select((cell, c) => c == 0 ? "step " + cell[5..].PadLeft(widths[0] - 5) : cell.PadRight(widths[c]))).TrimEnd();
    }

    static string Point(IEnumerable<double> x) => DescentResult.Point(x);

    /// <summary>A comma-separated list of numbers, like "3,4" or "0.8,-0.4".</summary>
    internal static double[] Numbers(string text, string option)
    {
        var parts = Expression.PlainSymbols(text).Split(',', StringSplitOptions.TrimEntries);
        var numbers = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
                throw new BackpropException($"{option} {text}: item {i + 1} ('{parts[i]}') is not a number; give numbers separated by commas, like 3,4");
        return numbers;
    }

    /// <summary>Refuses, before any work is done, an output path the output policy will not write (<see cref="Backprop.Serialization.OutputFile"/>).</summary>
    internal static string OutputFile(string path, string option, string example)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new BackpropException($"{option} needs a file name, like {example}");
        Backprop.Serialization.OutputFile.Check(path);
        return path;
    }
}
