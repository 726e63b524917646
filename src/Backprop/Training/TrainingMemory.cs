using System.Globalization;
using Backprop.Layers;

namespace Backprop.Training;

/// <summary>
/// What training a network takes in memory, estimated from its shape before anything is allocated, so that a
/// network too large for the process is refused in a moment instead of dying of out-of-memory after a minute.
/// </summary>
/// <remarks>
/// In float32 (4 bytes), with P = Σ (nˡ·nˡ⁻¹ + nˡ) parameters and a batch of B = min(batch size, examples):
/// P for the weights and biases, P for their gradients, P per optimizer buffer (momentum 1, adam 2, sgd 0), and
/// the propagator's buffers B·(n⁰ + 3·Σ_{l≥1} nˡ + max nˡ) plus the targets B·nᴸ. A checkpoint copies the
/// parameters and buffers once more while it is written. Kernel packing and the data are not counted.
/// </remarks>
internal static class TrainingMemory
{
    /// <summary>Bytes the trainer's arrays take.</summary>
    public static double Bytes(Architecture architecture, TrainingOptions options, int examples, bool checkpoints = false)
    {
        var n = architecture.Sizes;
        double parameters = 0, activations = 0;
        int widest = 0;
        for (int l = 1; l < n.Count; l++)
        {
            parameters += (double)n[l] * n[l - 1] + n[l];
            activations += 3.0 * n[l];
            widest = Math.Max(widest, n[l]);
        }
        int buffers = options.Optimizer switch { "adam" => 2, "momentum" => 1, _ => 0 };
        double batch = Math.Max(1, Math.Min(options.BatchSize, examples));
        double copies = 2 + buffers + (checkpoints ? 1 + buffers : 0);
        return sizeof(float) * (copies * parameters + batch * (n[0] + activations + widest + n[^1]));
    }

    /// <summary>Refuses a network whose training would not fit in <see cref="MemoryBudget.Available"/>.</summary>
    /// <exception cref="BackpropException">It would not fit; the message names both sizes and the fix.</exception>
    public static void Require(Architecture architecture, TrainingOptions options, int examples, bool checkpoints = false)
    {
        double parameters = 0;
        for (int l = 1; l < architecture.Sizes.Count; l++) parameters += (double)architecture.Sizes[l] * architecture.Sizes[l - 1] + architecture.Sizes[l];
        MemoryBudget.Require(Bytes(architecture, options, examples, checkpoints), $"Architecture.Sizes {architecture.SizesText}",
            $"training {parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters with {options.Optimizer} (weights, gradients, optimizer state and batch buffers)",
            "use smaller layers, a smaller TrainingOptions.BatchSize, or TrainingOptions.Optimizer sgd (no state)");
    }
}
