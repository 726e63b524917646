using Backprop.Optimizers;

namespace Backprop.Training;

/// <summary>
/// How to run mini-batch gradient descent. The defaults are the <c>backprop train</c> command's (one definition for
/// both): Adam, batch 32, 10 epochs, and η chosen for the optimizer when not set (<see cref="DefaultLearningRate"/>).
/// Names are read whatever their case or surrounding spaces ("Adam " is adam).
/// </summary>
/// <remarks>Messages name the option as <c>TrainingOptions.LearningRate</c>, and so on; the command line puts its
/// own flag names in their place.</remarks>
public sealed record TrainingOptions
{
    /// <summary>Epochs when not set (the CLI's default on data files; it gives 30 on its small synthetic sets).</summary>
    public const int DefaultEpochs = 10;
    /// <summary>Examples per mini-batch when not set.</summary>
    public const int DefaultBatchSize = 32;
    /// <summary>The optimizer when not set.</summary>
    public const string DefaultOptimizer = "adam";
    /// <summary>μ when not set.</summary>
    public const double DefaultMomentum = 0.9;

    /// <summary>
    /// η when none is set: adam 0.001 (Kingma and Ba's), sgd 0.1, momentum 0.01 — rates that train the networks of
    /// this project without diverging. <paramref name="smallData"/> (the CLI's synthetic sets of two features and a
    /// few thousand points) takes adam's 0.01, which there learns in a few dozen epochs.
    /// </summary>
    public static double DefaultLearningRate(string optimizer, bool smallData = false) => Normalized(optimizer) switch
    {
        "adam" => smallData ? 0.01 : 0.001,
        "momentum" => 0.01,
        _ => 0.1,
    };

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = DefaultEpochs;
    /// <summary>Examples per mini-batch; the last partial batch is kept and averaged over its own size.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    readonly double? learningRate;
    /// <summary>η of the first epoch (a <see cref="Schedule"/> changes it after); when not set,
    /// <see cref="DefaultLearningRate"/> of <see cref="Optimizer"/>.</summary>
    public double LearningRate { get => learningRate ?? DefaultLearningRate(Optimizer); init => learningRate = value; }

    readonly string optimizer = DefaultOptimizer;
    /// <summary>"sgd", "momentum" or "adam" (<see cref="Optimizer{T}.Names"/>), kept trimmed and in lower case.</summary>
    public string Optimizer { get => optimizer; init => optimizer = Normalized(value); }
    /// <summary>μ, for the momentum optimizer.</summary>
    public double Momentum { get; init; } = DefaultMomentum;
    /// <summary>λ: adds λW to the weight gradients.</summary>
    public double WeightDecay { get; init; }
    /// <summary>λ₁: adds λ₁‖W‖₁ to the cost, so λ₁·sign(W) to the weight gradients.</summary>
    public double L1 { get; init; }
    /// <summary>Seeds the shuffling (and, in <see cref="Serialization.Model"/>'s training, the initial weights).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Shuffle the examples every epoch (seeded); false keeps file order.</summary>
    public bool Shuffle { get; init; } = true;
    /// <summary>How η changes after every epoch; null keeps it constant.</summary>
    public LearningRateSchedule? Schedule { get; init; }
    /// <summary>
    /// Keras's EarlyStopping(monitor="val_loss", restore_best_weights=True): stop once the validation cost has not
    /// gone below its best for this many epochs in a row, and end with the best epoch's weights. Null: run every
    /// epoch. Needs validation data.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The smallest learning rate: float32's smallest normal number, 2⁻¹²⁶ ≈ 1.2e-38. Below it η is
    /// subnormal or 0 in float32, and η·g rounds to 0 for any gradient that is not huge.</summary>
    public const float MinimumLearningRate = 1.17549435e-38f;

    static string Normalized(string? name) => (name ?? "").Trim().ToLowerInvariant();

    /// <summary>Checks every option; returns this.</summary>
    /// <exception cref="BackpropException">An option is out of range, naming it (<c>TrainingOptions.BatchSize</c>) and the fix.</exception>
    public TrainingOptions Validate()
    {
        if (Epochs < 1) throw new BackpropException($"TrainingOptions.Epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new BackpropException($"TrainingOptions.BatchSize must be at least 1, got {BatchSize}; 10 to 256 is usual");
        Optimizer<float>.CheckedLearningRate(LearningRate, "TrainingOptions.LearningRate");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new BackpropException($"TrainingOptions.WeightDecay must be zero or positive, got {WeightDecay}");
        if (!(L1 >= 0) || double.IsInfinity(L1))
            throw new BackpropException($"TrainingOptions.L1 must be zero or positive, got {L1}; 0.001 is a gentle start");
        if (!Optimizer<float>.Names.Contains(Optimizer))
            throw new BackpropException($"unknown optimizer '{ShownText.Of(Optimizer)}' for TrainingOptions.Optimizer; use one of: {string.Join(", ", Optimizer<float>.Names)}");
        if (Optimizer == "momentum" && (!(Momentum >= 0) || Momentum >= 1))
            throw new BackpropException($"TrainingOptions.Momentum must be in [0, 1), got {Momentum}; 0.9 is usual");
        if (EarlyStoppingPatience is < 0)
            throw new BackpropException($"TrainingOptions.EarlyStoppingPatience must be 0 or more epochs, got {EarlyStoppingPatience}; 5 is usual");
        try { Schedule?.Validate(); }
        catch (BackpropException e) { throw new BackpropException($"TrainingOptions.Schedule {Schedule}: {e.Message}"); }
        return this;
    }
}
