namespace Backprop.Explaining;

/// <summary>
/// The one-neuron-per-layer chain of the source notes, x → w1 → a1 → w2 → a2, with sigmoid neurons and optional biases:
/// z1 = w1·x + b1, a1 = σ(z1), z2 = w2·a1 + b2, a2 = σ(z2), and on a data set of n pairs (x, y) the cost averaged over
/// it, C(w1, w2) = (1/n) Σ (a2 − y)². Small enough to draw its whole cost surface and the paths gradient descent takes on it.
/// </summary>
/// <remarks>
/// The derivatives by the chain rule, per example: δ2 = ∂C/∂z2 = 2(a2 − y)·σ′(z2), ∂C/∂w2 = δ2·a1; then
/// δ1 = ∂C/∂z1 = δ2·w2·σ′(z1), ∂C/∂w1 = δ1·x — ∂C/∂w1 recycles δ2, the factor ∂C/∂w2 was made of. Sums in double.
/// The biases b1, b2 (0 unless <see cref="WithBiases"/> sets them) are held fixed: they move the surface over
/// (w1, w2) but are not descended, so that the surface drawn is the one the paths walk on. Their derivatives would be
/// ∂C/∂b1 = δ1 and ∂C/∂b2 = δ2.
/// </remarks>
public sealed class OneNeuronChain
{
    readonly double[] x, y;
    double b1, b2;

    /// <param name="inputs">Each example's x.</param>
    /// <param name="targets">Each example's target y, as many as <paramref name="inputs"/>.</param>
    /// <exception cref="BackpropException">No examples, counts that differ, or a value that is not finite.</exception>
    public OneNeuronChain(IReadOnlyList<double> inputs, IReadOnlyList<double> targets)
    {
        if (inputs.Count == 0) throw new BackpropException("the chain needs at least one example (x, y)");
        if (inputs.Count != targets.Count)
            throw new BackpropException($"{inputs.Count} inputs and {targets.Count} targets; give one target y for each input x");
        for (int i = 0; i < inputs.Count; i++)
            if (!double.IsFinite(inputs[i]) || !double.IsFinite(targets[i]))
                throw new BackpropException($"example {i} is ({inputs[i]}, {targets[i]}); every x and y must be a finite number");
        x = [.. inputs];
        y = [.. targets];
    }

    /// <summary>The small 1-D data set of the chain mode: x = −2, −1, −0.5, 0.5, 1, 2 with y = 0.2 for negative x and 0.8 for positive.</summary>
    public static OneNeuronChain Example { get; } = new([-2, -1, -0.5, 0.5, 1, 2], [0.2, 0.2, 0.2, 0.8, 0.8, 0.8]);

    /// <summary>The same chain and data with the fixed biases b1 (of the first neuron) and b2 (of the second).</summary>
    /// <exception cref="BackpropException">A bias that is not a finite number.</exception>
    public OneNeuronChain WithBiases(double bias1, double bias2)
    {
        if (!double.IsFinite(bias1) || !double.IsFinite(bias2))
            throw new BackpropException($"the biases must be finite numbers, got b1 = {bias1}, b2 = {bias2}");
        return new OneNeuronChain(x, y) { b1 = bias1, b2 = bias2 };
    }

    /// <summary>b1, the first neuron's bias: z1 = w1·x + b1.</summary>
    public double Bias1 => b1;
    /// <summary>b2, the second neuron's bias: z2 = w2·a1 + b2.</summary>
    public double Bias2 => b2;

    /// <summary>Examples in the data set.</summary>
    public int Count => x.Length;
    /// <summary>Each example's x.</summary>
    public IReadOnlyList<double> Inputs => x;
    /// <summary>Each example's y.</summary>
    public IReadOnlyList<double> Targets => y;

    /// <summary>C(w1, w2) = (1/n) Σ (a2 − y)² over the whole data set.</summary>
    public double Cost(double w1, double w2) => Cost(w1, w2, AllExamples);

    /// <summary>C averaged over the examples <paramref name="examples"/> (a mini-batch, or one example).</summary>
    public double Cost(double w1, double w2, ReadOnlySpan<int> examples)
    {
        double sum = 0;
        foreach (int i in Checked(examples))
        {
            double a2 = Sigmoid(w2 * Sigmoid(w1 * x[i] + b1) + b2);
            sum += (a2 - y[i]) * (a2 - y[i]);
        }
        return sum / examples.Length;
    }

    /// <summary>(∂C/∂w1, ∂C/∂w2) of the cost averaged over the whole data set.</summary>
    public (double W1, double W2) Gradient(double w1, double w2) => Gradient(w1, w2, AllExamples);

    /// <summary>(∂C/∂w1, ∂C/∂w2) of the cost averaged over <paramref name="examples"/>: (1/m) Σ of each example's.</summary>
    public (double W1, double W2) Gradient(double w1, double w2, ReadOnlySpan<int> examples)
    {
        double g1 = 0, g2 = 0;
        foreach (int i in Checked(examples))
        {
            var step = Backward(w1, w2, i);
            g1 += step.DerivativeW1;
            g2 += step.DerivativeW2;
        }
        return (g1 / examples.Length, g2 / examples.Length);
    }

    /// <summary>One example's forward and backward pass, every factor of the chain rule kept.</summary>
    /// <param name="w1">The first weight.</param>
    /// <param name="w2">The second weight.</param>
    /// <param name="example">The example's index.</param>
    public ChainReceipt Backward(double w1, double w2, int example)
    {
        if ((uint)example >= (uint)x.Length) throw new BackpropException($"example {example} is not one of the chain's 0…{x.Length - 1}");
        double z1 = w1 * x[example] + b1, a1 = Sigmoid(z1), z2 = w2 * a1 + b2, a2 = Sigmoid(z2);
        double delta2 = 2 * (a2 - y[example]) * a2 * (1 - a2);
        double delta1 = delta2 * w2 * a1 * (1 - a1);
        return new ChainReceipt(x[example], y[example], z1, a1, z2, a2, delta2, delta1, delta1 * x[example], delta2 * a1);
    }

    /// <summary>C at every point of a grid: row r, column c is (w1, w2) = (w1Min + c·Δ1, w2Max − r·Δ2), Δ = range / (resolution − 1),
    /// so row 0 is the top of a picture with w2 upwards.</summary>
    /// <param name="w1Min">The smallest w1 (left).</param>
    /// <param name="w1Max">The largest w1 (right).</param>
    /// <param name="w2Min">The smallest w2 (bottom).</param>
    /// <param name="w2Max">The largest w2 (top).</param>
    /// <param name="resolution">Points along each side, 2 to 400.</param>
    public double[] Surface(double w1Min, double w1Max, double w2Min, double w2Max, int resolution)
    {
        if (resolution < 2 || resolution > 400) throw new BackpropException($"resolution must be 2 to 400 points a side, got {resolution}");
        if (!(w1Max > w1Min) || !(w2Max > w2Min) || !double.IsFinite(w1Max - w1Min) || !double.IsFinite(w2Max - w2Min))
            throw new BackpropException($"the surface needs finite ranges with minimum below maximum, got w1 {w1Min}…{w1Max}, w2 {w2Min}…{w2Max}");
        var costs = new double[resolution * resolution];
        for (int r = 0; r < resolution; r++)
            for (int c = 0; c < resolution; c++)
                costs[r * resolution + c] = Cost(w1Min + c * (w1Max - w1Min) / (resolution - 1), w2Max - r * (w2Max - w2Min) / (resolution - 1));
        return costs;
    }

    /// <summary>
    /// Gradient descent from (w1, w2): each step w ← w − η·∂C/∂w on the next mini-batch of <paramref name="batchSize"/>
    /// examples of a seeded shuffle, reshuffled every pass (an epoch). Batch size n is full-batch descent (no shuffle
    /// matters), 1 is one-example SGD. Returns the start and the point after each step: steps + 1 points.
    /// </summary>
    /// <param name="w1">The first weight at the start.</param>
    /// <param name="w2">The second weight at the start.</param>
    /// <param name="learningRate">η, positive.</param>
    /// <param name="batchSize">Examples per step, 1 to <see cref="Count"/>.</param>
    /// <param name="steps">Steps to take, 0 to 100,000.</param>
    /// <param name="seed">Seeds the order of the examples.</param>
    public IReadOnlyList<(double W1, double W2)> Descend(double w1, double w2, double learningRate, int batchSize, int steps, ulong seed = 1)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate)) throw new BackpropException($"the learning rate must be a positive number, got {learningRate}");
        if (batchSize < 1 || batchSize > x.Length) throw new BackpropException($"the batch size must be 1 to {x.Length} (the examples), got {batchSize}");
        if (steps < 0 || steps > 100_000) throw new BackpropException($"steps must be 0 to 100000, got {steps}");
        var rng = new Rng(seed);
        var order = AllExamples.ToArray();
        int position = order.Length;
        var path = new List<(double, double)>(steps + 1) { (w1, w2) };
        for (int s = 0; s < steps; s++)
        {
            if (position + batchSize > order.Length)
            {
                // A new pass: a new order, so that every example is seen once per epoch (a short last batch is dropped).
                if (batchSize < order.Length) rng.Shuffle(order.AsSpan());
                position = 0;
            }
            var (g1, g2) = Gradient(w1, w2, order.AsSpan(position, batchSize));
            position += batchSize;
            (w1, w2) = (w1 - learningRate * g1, w2 - learningRate * g2);
            path.Add((w1, w2));
        }
        return path;
    }

    ReadOnlySpan<int> AllExamples => Enumerable.Range(0, x.Length).ToArray();

    ReadOnlySpan<int> Checked(ReadOnlySpan<int> examples)
    {
        if (examples.Length == 0) throw new BackpropException("a cost needs at least one example");
        foreach (int i in examples)
            if ((uint)i >= (uint)x.Length) throw new BackpropException($"example {i} is not one of the chain's 0…{x.Length - 1}");
        return examples;
    }

    static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}

/// <summary>One example through the chain: the forward values, the δs, and both derivatives.</summary>
/// <param name="X">The input x.</param>
/// <param name="Y">The target y.</param>
/// <param name="Z1">z1 = w1·x + b1.</param>
/// <param name="A1">a1 = σ(z1).</param>
/// <param name="Z2">z2 = w2·a1 + b2.</param>
/// <param name="A2">a2 = σ(z2), the prediction.</param>
/// <param name="Delta2">δ2 = ∂C/∂z2 = 2(a2 − y)·σ′(z2).</param>
/// <param name="Delta1">δ1 = ∂C/∂z1 = δ2·w2·σ′(z1): δ2 recycled.</param>
/// <param name="DerivativeW1">∂C/∂w1 = δ1·x.</param>
/// <param name="DerivativeW2">∂C/∂w2 = δ2·a1.</param>
public sealed record ChainReceipt(double X, double Y, double Z1, double A1, double Z2, double A2, double Delta2, double Delta1,
    double DerivativeW1, double DerivativeW2)
{
    /// <summary>σ′(z1) = a1(1 − a1), the first neuron's slope.</summary>
    public double Slope1 => A1 * (1 - A1);
    /// <summary>σ′(z2) = a2(1 − a2), the second neuron's slope.</summary>
    public double Slope2 => A2 * (1 - A2);
    /// <summary>2(a2 − y) = ∂C/∂a2, the cost's own factor.</summary>
    public double CostSlope => 2 * (A2 - Y);
}
