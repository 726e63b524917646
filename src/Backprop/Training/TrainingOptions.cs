using Backprop.Optimizers;

namespace Backprop.Training;

/// <summary>How to run stochastic gradient descent. The defaults are Nielsen's network.py settings.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Examples per mini-batch; the last partial batch is kept and averaged over its own size.</summary>
    public int BatchSize { get; init; } = 10;
    /// <summary>η.</summary>
    public double LearningRate { get; init; } = 3.0;
    /// <summary>"sgd", "momentum" or "adam".</summary>
    public string Optimizer { get; init; } = "sgd";
    /// <summary>μ, for the momentum optimizer.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>λ: adds λW to the weight gradients.</summary>
    public double WeightDecay { get; init; }
    /// <summary>λ₁: adds λ₁‖W‖₁ to the cost, so λ₁·sign(W) to the weight gradients.</summary>
    public double L1 { get; init; }
    /// <summary>Seeds the shuffling.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Shuffle the examples every epoch (seeded); false keeps file order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The smallest learning rate: float32's smallest normal number, 2⁻¹²⁶ ≈ 1.2e-38. Below it η is
    /// subnormal or 0 in float32, and η·g rounds to 0 for any gradient that is not huge.</summary>
    public const float MinimumLearningRate = 1.17549435e-38f;

    /// <summary>This, once every option is in range; a <see cref="BackpropException"/> naming the first that is not.</summary>
    public TrainingOptions Validate()
    {
        if (Epochs < 1) throw new BackpropException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new BackpropException($"--batch must be at least 1, got {BatchSize}; 10 to 256 is usual");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new BackpropException($"--lr must be a positive number, got {LearningRate}; try 0.1 for sgd or 0.001 for adam");
        // The weights are float32: η is used as a float, and one that rounds to 0 (or infinity) would train nothing.
        if (!((float)LearningRate >= MinimumLearningRate) || float.IsInfinity((float)LearningRate))
            throw new BackpropException($"--lr {LearningRate} is outside float32's normal range ({MinimumLearningRate} … {float.MaxValue}), where the weights are updated, so training would change nothing; try 0.1 for sgd or 0.001 for adam");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new BackpropException($"--weight-decay must be zero or positive, got {WeightDecay}");
        if (!(L1 >= 0) || double.IsInfinity(L1))
            throw new BackpropException($"--l1 must be zero or positive, got {L1}; 0.001 is a gentle start");
        if (!Optimizer<float>.Names.Contains(Optimizer))
            throw new BackpropException($"unknown optimizer '{ShownText.Of(Optimizer)}' for --optimizer; use one of: {string.Join(", ", Optimizer<float>.Names)}");
        if (Optimizer == "momentum" && (!(Momentum >= 0) || Momentum >= 1))
            throw new BackpropException($"--momentum must be in [0, 1), got {Momentum}; 0.9 is usual");
        return this;
    }
}
