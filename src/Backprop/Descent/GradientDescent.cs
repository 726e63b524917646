using System.Globalization;
using Backprop.Autodiff;

namespace Backprop.Descent;

/// <summary>
/// One point of a descent: x_t, f(x_t) and ∇f(x_t) = (∂f/∂x1, …, ∂f/∂xn) at x_t. Step 0 is the start.
/// </summary>
public sealed record DescentStep(int Step, double[] Point, double Value, double[] Gradient)
{
    /// <summary>True when the point, the value and every partial derivative are finite numbers.</summary>
    public bool IsFinite => double.IsFinite(Value) && Point.All(double.IsFinite) && Gradient.All(double.IsFinite);
}

/// <summary>
/// The points a descent visited, x_0 … x_T. When <see cref="Diverged"/> is true the last step is the first one that
/// is not finite (an overflowing value, or a point outside f's domain) and the descent stopped there.
/// </summary>
public sealed record DescentResult(IReadOnlyList<DescentStep> Steps, bool Diverged)
{
    /// <summary>The last step taken.</summary>
    public DescentStep Last => Steps[^1];

    /// <summary>
    /// How the descent went, in words that match its numbers, and what to change when it went badly: f fell, stayed
    /// (each step jumps across the valley to a point just as high) or rose (the step is too large: each one overshoots
    /// the minimum by more than it gains) — or where it diverged. The `backprop descend` command and the playground say
    /// the same sentence; each names the learning rate its own way.
    /// </summary>
    /// <param name="learningRate">The α the descent used: the advice is a fraction of it.</param>
    /// <param name="learningRateName">What the reader calls α: "--lr" in a terminal, "η" in the page.</param>
    public string Summary(double learningRate, string learningRateName)
    {
        var last = Last;
        string point = Point(last.Point);
        if (Diverged && last.Step == 0)
            return $"f or its gradient is not finite at the start {point} (f = {NumberText.Of(last.Value)}); start where f is defined and smooth";
        if (Diverged)
            return $"the descent diverged at step {last.Step.ToString(CultureInfo.InvariantCulture)}: f = {NumberText.Of(last.Value)} at x = {point}; " +
                   $"use a smaller {learningRateName}, like {NumberText.Of(learningRate / 10)}";
        double first = Steps[0].Value;
        string from = NumberText.Of(first, 4), to = NumberText.Of(last.Value, 4);
        string after = $"after {last.Step.ToString(CultureInfo.InvariantCulture)} {(last.Step == 1 ? "step" : "steps")}";
        if (last.Value < first) return $"{after} f fell from {from} to {to} at x = {point}";
        if (last.Value == first)
            return $"{after} f stayed at {to} at x = {point}: each step jumps across the valley to a point just as high; try a smaller {learningRateName}, like {NumberText.Of(learningRate / 2)}";
        return $"{after} f rose from {from} to {to} at x = {point}: the step is too large, each one overshoots the minimum; try a smaller {learningRateName}, like {NumberText.Of(learningRate / 10)}";
    }

    /// <summary>A point as the descent's messages write it: (3, 4), each coordinate to 4 significant digits.</summary>
    public static string Point(IEnumerable<double> x) => "(" + string.Join(", ", x.Select(v => NumberText.Of(v, 4))) + ")";
}

/// <summary>
/// Gradient descent on a function of x1 … xn written as text, every gradient computed by the scalar engine
/// (<see cref="Value.Backward"/>): x_(t+1) = x_t − α ∇f(x_t).
/// </summary>
public static class GradientDescent
{
    /// <summary>The most steps one descent takes.</summary>
    public const int MaxSteps = 100_000;

    /// <summary>
    /// Runs <paramref name="steps"/> updates x ← x − α∇f(x) from <paramref name="start"/> and returns x_0 … x_steps,
    /// each with f and ∇f there (so steps + 1 entries), or fewer when a step is not finite.
    /// </summary>
    /// <param name="function">f; it must use x1 … xn with n = start.Count.</param>
    /// <param name="start">x_0, one number per variable: start[0] is x1.</param>
    /// <param name="learningRate">α &gt; 0.</param>
    /// <param name="steps">How many updates, 1 … <see cref="MaxSteps"/>.</param>
    /// <exception cref="BackpropException">The start has the wrong length, α is not a positive number, or steps is out of range.</exception>
    public static DescentResult Run(Expression function, IReadOnlyList<double> start, double learningRate, int steps)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(start);
        int n = function.VariableCount;
        if (n == 0)
            throw new BackpropException($"the function {function} has no variables, so there is nothing to descend; write it in x1, x2, …");
        if (start.Count != n)
            throw new BackpropException(string.Create(CultureInfo.InvariantCulture,
                $"the start point has {start.Count} number(s) but the function uses {n} variable(s), x1 … x{n}; give one number per variable"));
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new BackpropException(string.Create(CultureInfo.InvariantCulture,
                $"the learning rate must be a positive number, got {learningRate}; try 0.1"));
        if (steps < 1 || steps > MaxSteps)
            throw new BackpropException($"the number of steps must be 1 … {MaxSteps}, got {steps}");

        var names = new string[n];
        for (int i = 0; i < n; i++) names[i] = "x" + (i + 1).ToString(CultureInfo.InvariantCulture);

        var x = start.ToArray();
        var visited = new List<DescentStep>(steps + 1);
        for (int t = 0; ; t++)
        {
            // A node is a snapshot of its inputs (Value's remarks), so every step builds the graph afresh.
            var variables = new Value[n];
            for (int i = 0; i < n; i++) variables[i] = new Value(x[i], names[i]);
            Value f = function.Build(variables);
            f.Backward();
            var gradient = new double[n];
            for (int i = 0; i < n; i++) gradient[i] = variables[i].Gradient;

            var step = new DescentStep(t, (double[])x.Clone(), f.Data, gradient);
            visited.Add(step);
            if (!step.IsFinite) return new DescentResult(visited, Diverged: true);
            if (t == steps) return new DescentResult(visited, Diverged: false);

            for (int i = 0; i < n; i++) x[i] -= learningRate * gradient[i];
        }
    }
}
