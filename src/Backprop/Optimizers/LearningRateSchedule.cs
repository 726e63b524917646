using System.Globalization;

namespace Backprop.Optimizers;

/// <summary>
/// How η changes from epoch to epoch, with torch.optim.lr_scheduler's exact values: each schedule computes the next
/// η from the current one in PyTorch's own (chainable) order of operations, in double as Python does, so the
/// sequence agrees with torch's to the last bit, not only with the closed form. The trainer asks for the next η at
/// the end of every epoch, where a PyTorch loop calls <c>scheduler.step()</c>.
/// </summary>
/// <remarks>
/// The compact form (<see cref="Parse"/>, <see cref="ToString"/>): <c>step:STEP[:FACTOR]</c>,
/// <c>exponential:FACTOR</c>, <c>cosine:PERIOD[:MINIMUM]</c>, <c>warmup:EPOCHS[:START]</c>,
/// <c>plateau[:PATIENCE[:FACTOR]]</c>.
/// </remarks>
public abstract record LearningRateSchedule
{
    /// <summary>
    /// η for the epoch after <paramref name="epoch"/> finished epochs (torch's <c>last_epoch</c> after the step);
    /// <paramref name="epoch"/> 0 gives the first epoch's η, as torch's scheduler sets it when it is built.
    /// </summary>
    /// <param name="current">η of the epoch that just ended (for epoch 0: the initial η).</param>
    /// <param name="initial">η as the options give it (torch's <c>base_lr</c>).</param>
    /// <param name="epoch">Epochs finished.</param>
    /// <param name="plateau">What the schedule tracks of the monitored cost; only <see cref="ReduceOnPlateau"/> reads and changes it.</param>
    /// <param name="monitored">The cost the epoch ended with (validation cost when there is validation data); unused at epoch 0.</param>
    public abstract double Next(double current, double initial, int epoch, PlateauState plateau, double monitored);

    /// <summary>η of each of the first <paramref name="epochs"/> epochs starting from <paramref name="initial"/>;
    /// <paramref name="monitored"/> gives each epoch's cost (needed by <see cref="ReduceOnPlateau"/> only).</summary>
    public IReadOnlyList<double> Rates(double initial, int epochs, IReadOnlyList<double>? monitored = null)
    {
        var plateau = new PlateauState();
        var rates = new List<double>(epochs);
        double rate = Next(initial, initial, 0, plateau, double.NaN);
        for (int e = 0; e < epochs; e++)
        {
            rates.Add(rate);
            if (e + 1 < epochs) rate = Next(rate, initial, e + 1, plateau, monitored is null ? double.NaN : monitored[e]);
        }
        return rates;
    }

    /// <summary>Throws <see cref="BackpropException"/> naming the bad parameter; returns this.</summary>
    public abstract LearningRateSchedule Validate();

    /// <summary>The compact form <see cref="Parse"/> reads back.</summary>
    public abstract override string ToString();

    /// <summary>The names <see cref="Parse"/> knows.</summary>
    public static readonly IReadOnlyList<string> Names = ["step", "exponential", "cosine", "warmup", "plateau"];

    /// <summary>The forms <see cref="Parse"/> reads, for messages and help.</summary>
    public const string Syntax = "step:STEP[:FACTOR], exponential:FACTOR, cosine:PERIOD[:MINIMUM], warmup:EPOCHS[:START] or plateau[:PATIENCE[:FACTOR]]";

    /// <summary>Reads the compact form (case and spaces ignored), e.g. <c>step:10:0.5</c> or <c>plateau:5</c>.</summary>
    /// <exception cref="BackpropException">An unknown name, a missing or extra part, or a value out of range.</exception>
    public static LearningRateSchedule Parse(string text)
    {
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        string name = parts[0].ToLowerInvariant();
        string shown = ShownText.Of(text);
        BackpropException Bad(string why) => new($"learning-rate schedule '{shown}': {why}; use {Syntax}");
        void Count(int least, int most)
        {
            if (parts.Length - 1 < least || parts.Length - 1 > most)
                throw Bad(least == most ? $"{name} takes {least} value{(least == 1 ? "" : "s")}" : $"{name} takes {least} to {most} values");
        }
        int Whole(int i) => int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw Bad($"'{ShownText.Of(parts[i])}' is not a whole number");
        double Number(int i) => double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw Bad($"'{ShownText.Of(parts[i])}' is not a number");
        double Optional(int i, double otherwise) => parts.Length > i ? Number(i) : otherwise;
        LearningRateSchedule schedule;
        switch (name)
        {
            case "step": Count(1, 2); schedule = new StepDecay(Whole(1), Optional(2, StepDecay.DefaultFactor)); break;
            case "exponential": Count(1, 1); schedule = new ExponentialDecay(Number(1)); break;
            case "cosine": Count(1, 2); schedule = new CosineAnnealing(Whole(1), Optional(2, 0)); break;
            case "warmup": Count(1, 2); schedule = new LinearWarmup(Whole(1), Optional(2, LinearWarmup.DefaultStartFactor)); break;
            case "plateau":
                Count(0, 2);
                schedule = new ReduceOnPlateau(parts.Length > 1 ? Whole(1) : ReduceOnPlateau.DefaultPatience, Optional(2, ReduceOnPlateau.DefaultFactor));
                break;
            default: throw Bad($"unknown schedule '{ShownText.Of(parts[0])}'");
        }
        try { return schedule.Validate(); }
        catch (BackpropException e) { throw Bad(e.Message); }
    }

    private protected static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private protected static void RequireFactor(double factor, string name, bool allowOne = false)
    {
        if (!(factor > 0 && (factor < 1 || (allowOne && factor == 1))))
            throw new BackpropException($"{name} must be between 0 and 1, got {factor}");
    }
}

/// <summary>What <see cref="ReduceOnPlateau"/> tracks between epochs (torch's <c>best</c> and <c>num_bad_epochs</c>); kept in checkpoints.</summary>
public sealed class PlateauState
{
    /// <summary>The lowest monitored cost so far; +∞ before the first epoch.</summary>
    public double Best { get; set; } = double.PositiveInfinity;
    /// <summary>Epochs since the monitored cost last improved.</summary>
    public int BadEpochs { get; set; }
}

/// <summary>torch's StepLR: η multiplied by <see cref="Factor"/> (γ) every <see cref="StepSize"/> epochs.</summary>
public sealed record StepDecay(int StepSize, double Factor = StepDecay.DefaultFactor) : LearningRateSchedule
{
    /// <summary>torch's default γ.</summary>
    public const double DefaultFactor = 0.1;

    /// <inheritdoc/>
    public override double Next(double current, double initial, int epoch, PlateauState plateau, double monitored) =>
        epoch == 0 || epoch % StepSize != 0 ? current : current * Factor;

    /// <inheritdoc/>
    public override LearningRateSchedule Validate()
    {
        if (StepSize < 1) throw new BackpropException($"the step must be at least 1 epoch, got {StepSize}");
        RequireFactor(Factor, "the factor");
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"step:{StepSize}:{Text(Factor)}";
}

/// <summary>torch's ExponentialLR: η multiplied by <see cref="Factor"/> (γ) after every epoch.</summary>
public sealed record ExponentialDecay(double Factor) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Next(double current, double initial, int epoch, PlateauState plateau, double monitored) =>
        epoch == 0 ? current : current * Factor;

    /// <inheritdoc/>
    public override LearningRateSchedule Validate()
    {
        RequireFactor(Factor, "the factor");
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"exponential:{Text(Factor)}";
}

/// <summary>
/// torch's CosineAnnealingLR: η follows half a cosine from η₀ down to <see cref="Minimum"/> over <see cref="Period"/>
/// epochs (T_max), η_t = η_min + (η₀ − η_min)(1 + cos(π t / T_max)) / 2, and climbs back after (torch's
/// recursive form, which is what torch computes, also past T_max).
/// </summary>
public sealed record CosineAnnealing(int Period, double Minimum = 0) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Next(double current, double initial, int epoch, PlateauState plateau, double monitored)
    {
        if (epoch == 0) return current;
        if ((epoch - 1 - Period) % (2 * Period) == 0)
            return current + (initial - Minimum) * (1 - Math.Cos(Math.PI / Period)) / 2;
        return (1 + Math.Cos(Math.PI * epoch / Period)) / (1 + Math.Cos(Math.PI * (epoch - 1) / Period)) * (current - Minimum) + Minimum;
    }

    /// <inheritdoc/>
    public override LearningRateSchedule Validate()
    {
        if (Period < 1) throw new BackpropException($"the period must be at least 1 epoch, got {Period}");
        if (!(Minimum >= 0) || double.IsInfinity(Minimum)) throw new BackpropException($"the minimum η must be zero or positive, got {Minimum}");
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"cosine:{Period}:{Text(Minimum)}";
}

/// <summary>
/// torch's LinearLR with end factor 1: the first epoch runs at <see cref="StartFactor"/>·η₀ and η grows linearly to η₀,
/// reached after <see cref="Epochs"/> epochs (total_iters); it stays η₀ after.
/// </summary>
public sealed record LinearWarmup(int Epochs, double StartFactor = LinearWarmup.DefaultStartFactor) : LearningRateSchedule
{
    /// <summary>torch's default start factor, 1/3.</summary>
    public const double DefaultStartFactor = 1.0 / 3;

    /// <inheritdoc/>
    public override double Next(double current, double initial, int epoch, PlateauState plateau, double monitored)
    {
        const double end = 1.0;
        if (epoch == 0) return current * StartFactor;
        if (epoch > Epochs) return current;
        return current * (1.0 + (end - StartFactor) / (Epochs * StartFactor + (epoch - 1) * (end - StartFactor)));
    }

    /// <inheritdoc/>
    public override LearningRateSchedule Validate()
    {
        if (Epochs < 1) throw new BackpropException($"the warm-up must last at least 1 epoch, got {Epochs}");
        RequireFactor(StartFactor, "the start factor", allowOne: true);
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"warmup:{Epochs}:{Text(StartFactor)}";
}

/// <summary>
/// torch's ReduceLROnPlateau in mode min with its defaults (relative threshold 1e-4, no cooldown, no minimum η,
/// eps 1e-8): an epoch improves when its cost is below best·(1 − 1e-4); after more than <see cref="Patience"/>
/// epochs without improvement η is multiplied by <see cref="Factor"/> and the count starts again.
/// </summary>
public sealed record ReduceOnPlateau(int Patience = ReduceOnPlateau.DefaultPatience, double Factor = ReduceOnPlateau.DefaultFactor) : LearningRateSchedule
{
    /// <summary>torch's defaults.</summary>
    public const int DefaultPatience = 10;
    /// <summary>torch's default factor.</summary>
    public const double DefaultFactor = 0.1;
    /// <summary>torch's relative threshold and its eps (a change of η smaller than eps is not made).</summary>
    public const double Threshold = 1e-4, Epsilon = 1e-8;

    /// <inheritdoc/>
    public override double Next(double current, double initial, int epoch, PlateauState plateau, double monitored)
    {
        if (epoch == 0) return current;
        if (monitored < plateau.Best * (1 - Threshold))
        {
            plateau.Best = monitored;
            plateau.BadEpochs = 0;
        }
        else plateau.BadEpochs++;
        if (plateau.BadEpochs <= Patience) return current;
        plateau.BadEpochs = 0;
        double reduced = Math.Max(current * Factor, 0);
        return current - reduced > Epsilon ? reduced : current;
    }

    /// <inheritdoc/>
    public override LearningRateSchedule Validate()
    {
        if (Patience < 0) throw new BackpropException($"the patience must be 0 or more epochs, got {Patience}");
        RequireFactor(Factor, "the factor");
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"plateau:{Patience}:{Text(Factor)}";
}
