using System.ComponentModel;
using Backprop.Data;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>Options every command that reads data shares.</summary>
public class DataSettings : CommandSettings
{
    [CommandOption("--data <SPEC>")]
    [Description("idx:DIR, csv:FILE, mnist, fashion-mnist, or a synthetic set: xor, spiral, circles, moons, blobs")]
    public string? Data { get; init; }

    [CommandOption("--data-dir <DIR>")]
    [Description("Where to look first for mnist / fashion-mnist (then $BACKPROP_DATA, ~/.backprop/datasets, /usr/share/datasets)")]
    public string? DataDirectory { get; init; }

    [CommandOption("--label-column <INDEX>")]
    [Description("0-based column of the class label in CSV data (default: the last column)")]
    public int? LabelColumn { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed for initialisation, shuffling and synthetic data")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--json")]
    [Description("Machine-readable output: one JSON object per line")]
    public bool Json { get; init; }

    public DataOptions DataOptions => new(DataDirectory, LabelColumn, Seed);
}
