using System.ComponentModel;
using Backprop.Data;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>Options every command that reads data shares.</summary>
public class DataSettings : CommandSettings
{
    [CommandOption("--data <SPEC>")]
    [Description("idx:DIR, csv:FILE, mnist, fashion-mnist, digits (8×8, built in), or a synthetic set: xor, spiral, circles, moons, blobs")]
    public string? Data { get; init; }

    [CommandOption("--data-dir <DIR>")]
    [Description("Where to look first for mnist / fashion-mnist (then $BACKPROP_DATA, ~/.backprop/datasets, /usr/share/datasets)")]
    public string? DataDirectory { get; init; }

    [CommandOption("--label-column <INDEX>")]
    [Description("0-based column of the class label in CSV data (default: the last column); a regression may name several: 3,4")]
    public string? LabelColumn { get; init; }

    [CommandOption("--task <TASK>")]
    [Description("classification (labels are classes, the default) or regression (targets are real numbers: CSV data, or the synthetic plane and gaussians)")]
    public string? Task { get; init; }

    /// <summary>--task parsed; null when not given.</summary>
    public LearningTask? TaskGiven => Task?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "classification" => LearningTask.Classification,
        "regression" => LearningTask.Regression,
        _ => throw new BackpropException($"--task {Backprop.ShownText.Of(Task!)}: unknown task; use --task classification or --task regression"),
    };

    [CommandOption("--seed <N>")]
    [Description("Seed for initialisation, shuffling and synthetic data")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--json")]
    [Description("Machine-readable output: one JSON object per line")]
    public bool Json { get; init; }

    [CommandOption("--noise <SIGMA>")]
    [Description("Synthetic sets: σ of the Gaussian noise on each coordinate (default: the set's own; xor 0, spiral 0.03, circles 0.05, moons 0.1, blobs 0.5; on the target of plane and gaussians, 0)")]
    public double? Noise { get; init; }

    [CommandOption("--examples <N>")]
    [Description("Synthetic sets: examples in all, training and test parts together (default 2000)")]
    public int? Examples { get; init; }

    [CommandOption("--test-fraction <F>")]
    [Description("The part of the examples kept for testing: of a synthetic set (default 0.5), or a seeded draw from a CSV file (default 0: none)")]
    public double? TestFraction { get; init; }

    public DataOptions DataOptions => OptionsFor(TaskGiven ?? LearningTask.Classification);

    /// <summary>The data options of a run of <paramref name="task"/> (a model's own task for evaluate and predict).</summary>
    public DataOptions OptionsFor(LearningTask task)
    {
        var (label, targets) = DataOptions.ParseColumns(LabelColumn, task);
        return new(DataDirectory, label, Seed, Noise, Examples, TestFraction, Task: task, TargetColumns: targets);
    }
}
