using System.Numerics;
using Backprop.Kernels;
using Backprop.Layers;

namespace Backprop.Optimizers;

/// <summary>
/// Gradient descent in its variants, with PyTorch's exact update rules (torch.optim). Weight decay λ adds λW to
/// the weight gradients only — never to the biases — as SGD's weight_decay does with a separate bias group.
/// L1 regularization λ₁ adds λ₁·sign(W) to the weight gradients first: the gradient of C + λ₁‖W‖₁, as autograd
/// gives it for a loss with that term (sign(0) = 0).
/// </summary>
public abstract class Optimizer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>The optimizer names <see cref="Create"/> takes.</summary>
    public static readonly IReadOnlyList<string> Names = ["sgd", "momentum", "adam"];

    /// <summary>An optimizer of <paramref name="network"/>'s parameters with learning rate η and weight decay λ.</summary>
    protected Optimizer(Network<T> network, double learningRate, double weightDecay)
    {
        Network = network;
        LearningRate = learningRate;
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new BackpropException($"weightDecay must be zero or positive, got {weightDecay}");
        WeightDecay = weightDecay;
    }

    /// <summary>The network whose parameters are updated.</summary>
    public Network<T> Network { get; }

    double learningRate;

    /// <summary>
    /// η, used by the next <see cref="Step(Gradients{T})"/>; a custom loop (or a schedule) may change it between steps.
    /// Adam's moments and momentum's velocity are kept, as changing a torch param group's lr keeps them.
    /// </summary>
    /// <exception cref="BackpropException">Not positive, or outside float32's normal range (the weights are float32).</exception>
    public double LearningRate
    {
        get => learningRate;
        set => learningRate = CheckedLearningRate(value, "LearningRate");
    }

    /// <summary>η as the library takes it: positive, finite, and a float32 normal number (η is used as a float, and one
    /// that rounds to 0 or ∞ would train nothing). <paramref name="name"/> names the parameter in the message.</summary>
    internal static double CheckedLearningRate(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new BackpropException($"{name} must be a positive number, got {value}; try 0.1 for sgd or 0.001 for adam");
        if (!((float)value >= Training.TrainingOptions.MinimumLearningRate) || float.IsInfinity((float)value))
            throw new BackpropException($"{name} {value} is outside float32's normal range ({Training.TrainingOptions.MinimumLearningRate} … {float.MaxValue}), where the weights are updated, so training would change nothing; try 0.1 for sgd or 0.001 for adam");
        return value;
    }

    /// <summary>λ: adds λW to the weight gradients, not to the biases.</summary>
    public double WeightDecay { get; }
    /// <summary>λ₁ of the L1 term λ₁‖W‖₁ added to the cost (weights only); 0 for none.</summary>
    public double L1 { get; init; }
    /// <summary>The optimizer's name, one of <see cref="Names"/>.</summary>
    public abstract string Name { get; }

    /// <summary>Updates taken so far (Adam's t).</summary>
    public long StepCount { get; internal set; }

    /// <summary>Per-parameter state (momentum buffers, Adam moments), in a fixed order, for checkpoints.</summary>
    public abstract IReadOnlyList<T[]> State { get; }

    /// <summary>Creates "sgd", "momentum" or "adam".</summary>
    public static Optimizer<T> Create(string name, Network<T> network, double learningRate, double momentum = 0.9, double weightDecay = 0, double l1 = 0) =>
        (name ?? "").Trim().ToLowerInvariant() switch
        {
            "sgd" => new Sgd<T>(network, learningRate, weightDecay) { L1 = l1 },
            "momentum" => new Momentum<T>(network, learningRate, momentum, weightDecay) { L1 = l1 },
            "adam" => new Adam<T>(network, learningRate, weightDecay) { L1 = l1 },
            _ => throw new BackpropException($"unknown optimizer '{ShownText.Of(name ?? "")}'; use one of: {string.Join(", ", Names)}"),
        };

    /// <summary>One update of every parameter from the batch gradient.</summary>
    public void Step(Gradients<T> gradients)
    {
        BeginStep();
        for (int l = 0; l < Network.Layers.Count; l++)
        {
            var weightGradient = gradients.Weights[l];
            if (L1 != 0)
            {
                // A copy: the caller's gradients stay the gradients of C alone.
                weightGradient = (T[])weightGradient.Clone();
                UpdateKernels.AddL1(weightGradient, Network.Layers[l].Weights, T.CreateTruncating(L1));
            }
            Update(Network.Layers[l].Weights, weightGradient, WeightDecay, 2 * l);
            Update(Network.Layers[l].Biases, gradients.Biases[l], 0, 2 * l + 1);
        }
    }

    internal void Step(Propagator<T> pass)
    {
        BeginStep();
        for (int l = 0; l < Network.Layers.Count; l++)
        {
            // The propagator's gradient buffer is rewritten by the next backward pass, so L1 may go into it.
            if (L1 != 0) UpdateKernels.AddL1(pass.WeightGradientBuffer(l), Network.Layers[l].Weights, T.CreateTruncating(L1));
            Update(Network.Layers[l].Weights, pass.WeightGradient(l), WeightDecay, 2 * l);
            Update(Network.Layers[l].Biases, pass.BiasGradient(l), 0, 2 * l + 1);
        }
    }

    void BeginStep() => StepCount++;

    /// <summary>Updates one parameter tensor; <paramref name="slot"/> indexes its state (2l weights, 2l+1 biases).</summary>
    protected abstract void Update(Span<T> parameters, ReadOnlySpan<T> gradient, double weightDecay, int slot);

    /// <summary>One zeroed buffer per parameter array (each layer's W, then its b), for a state such as a velocity.</summary>
    protected T[][] NewState() =>
        Network.Layers.SelectMany(l => new[] { new T[l.Weights.Length], new T[l.Biases.Length] }).ToArray();
}

/// <summary>w ← w − η (g + λw).</summary>
public sealed class Sgd<T>(Network<T> network, double learningRate, double weightDecay)
    : Optimizer<T>(network, learningRate, weightDecay) where T : IFloatingPointIeee754<T>
{
    /// <summary>sgd.</summary>
    public override string Name => "sgd";
    /// <summary>None: plain gradient descent keeps no state.</summary>
    public override IReadOnlyList<T[]> State => [];

    /// <summary>p ← p − η(g + λp).</summary>
    protected override void Update(Span<T> p, ReadOnlySpan<T> g, double weightDecay, int slot)
    {
        UpdateKernels.Sgd(p, g, T.CreateTruncating(LearningRate), T.CreateTruncating(weightDecay));
    }
}

/// <summary>
/// torch.optim.SGD with momentum μ and no dampening: v ← μv + (g + λw), w ← w − ηv.
/// (PyTorch's first step sets v = g, which is what μ·0 + g gives.)
/// </summary>
public sealed class Momentum<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    readonly T[][] velocity;

    /// <summary>Momentum with coefficient μ = <paramref name="momentum"/> (torch.optim.SGD, no dampening).</summary>
    public Momentum(Network<T> network, double learningRate, double momentum, double weightDecay) : base(network, learningRate, weightDecay)
    {
        if (momentum < 0 || momentum >= 1 || double.IsNaN(momentum))
            throw new BackpropException($"momentum must be in [0, 1), got {momentum}; 0.9 is usual");
        Coefficient = momentum;
        velocity = NewState();
    }

    /// <summary>μ.</summary>
    public double Coefficient { get; }
    /// <summary>momentum.</summary>
    public override string Name => "momentum";
    /// <summary>The velocities v, one per parameter array.</summary>
    public override IReadOnlyList<T[]> State => velocity;

    /// <summary>v ← μv + (g + λp); p ← p − ηv.</summary>
    protected override void Update(Span<T> p, ReadOnlySpan<T> g, double weightDecay, int slot)
    {
        UpdateKernels.Momentum(p, g, velocity[slot], T.CreateTruncating(LearningRate), T.CreateTruncating(weightDecay), T.CreateTruncating(Coefficient));
    }
}

/// <summary>
/// torch.optim.Adam (β1 0.9, β2 0.999, ε 1e-8), in PyTorch's order of operations:
/// g ← g + λw; m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
/// w ← w − (η / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>β₁, β₂ and ε of torch.optim.Adam's defaults.</summary>
    public const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    readonly T[][] m, v;

    /// <summary>Adam with torch.optim.Adam's defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-8).</summary>
    public Adam(Network<T> network, double learningRate, double weightDecay) : base(network, learningRate, weightDecay)
    {
        m = NewState();
        v = NewState();
    }

    /// <summary>adam.</summary>
    public override string Name => "adam";
    /// <summary>The first moments m, then the second moments v, one per parameter array each.</summary>
    public override IReadOnlyList<T[]> State => [.. m, .. v];

    /// <summary>g′ = g + λp; m ← β₁m + (1 − β₁)g′; v ← β₂v + (1 − β₂)g′²; p ← p − η m̂ / (√v̂ + ε), with m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ).</summary>
    protected override void Update(Span<T> p, ReadOnlySpan<T> g, double weightDecay, int slot)
    {
        // The scalars are computed in double, as Python computes them before handing them to the float kernel.
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        UpdateKernels.Adam(p, g, m[slot], v[slot], T.CreateTruncating(LearningRate / biasCorrection1), T.CreateTruncating(weightDecay),
            T.CreateTruncating(Beta1), T.CreateTruncating(1 - Beta1), T.CreateTruncating(Beta2), T.CreateTruncating(1 - Beta2),
            T.CreateTruncating(biasCorrection2Sqrt), T.CreateTruncating(Epsilon));
    }
}
