using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Layers;

/// <summary>
/// The forward pass alone, for inference: aᴸ for a batch of examples, computed in two activation buffers
/// allocated once for <see cref="MaximumBatch"/> examples (layer l writes zˡ = aˡ⁻¹ Wˡᵀ + bˡ into one buffer and
/// applies aˡ = φ(zˡ) in place; layer l + 1 reads it and writes the other), the last layer straight into the
/// caller's span. After its first calls on a thread, a call allocates nothing.
/// </summary>
/// <remarks>
/// <para>Thread safety: a predictor is not thread safe, since its buffers hold one call's activations; give each
/// thread its own (they are small: 2 × <see cref="MaximumBatch"/> × the widest layer). Any number of predictors
/// may read the same network at the same time, as long as nothing trains it meanwhile. A large product may
/// share its work with the library's one GEMM worker thread; a caller that finds the worker busy computes alone,
/// and either way every output is the same to the bit: each output value is one dot product summed in an order
/// that depends only on the batch's size, not on the thread that computes it.</para>
/// <para>The outputs equal <see cref="Network{T}.Forward(ReadOnlySpan{T}, int)"/> to the bit for the same batch.</para>
/// </remarks>
public sealed class Predictor<T> where T : IFloatingPointIeee754<T>
{
    readonly T[] even, odd;

    /// <summary>Makes the buffers for batches of up to <paramref name="maximumBatch"/> examples of <paramref name="network"/>.</summary>
    /// <param name="network">The network whose weights each call reads (not copied: later updates are seen).</param>
    /// <param name="maximumBatch">The most examples one pass takes; a call with more is computed in passes of this many.</param>
    public Predictor(Network<T> network, int maximumBatch = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (maximumBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maximumBatch), maximumBatch, "a predictor needs room for at least one example");
        Network = network;
        MaximumBatch = maximumBatch;
        var sizes = network.Architecture.Sizes;
        // The last layer writes into the caller's span, so only the hidden layers need room.
        int widest = 0;
        for (int l = 1; l < sizes.Count - 1; l++) widest = Math.Max(widest, sizes[l]);
        even = new T[(long)maximumBatch * widest];
        odd = sizes.Count > 3 ? new T[(long)maximumBatch * widest] : [];
    }

    /// <summary>The network this predictor runs.</summary>
    public Network<T> Network { get; }

    /// <summary>The most examples one pass takes.</summary>
    public int MaximumBatch { get; }

    /// <summary>
    /// aᴸ for every example of <paramref name="inputs"/> (count × InputSize, row-major) into
    /// <paramref name="outputs"/> (count × OutputSize), in passes of at most <see cref="MaximumBatch"/> examples.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs are not whole examples, or the outputs do not hold exactly one row per example.</exception>
    public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs)
    {
        int inputSize = Network.InputSize, outputSize = Network.OutputSize;
        if (inputs.Length == 0 || inputs.Length % inputSize != 0)
            throw new ArgumentException($"the inputs must be whole examples of {inputSize} values each, got {inputs.Length} values", nameof(inputs));
        int count = inputs.Length / inputSize;
        if (outputs.Length != (long)count * outputSize)
            throw new ArgumentException($"{count} examples of {outputSize} outputs need {(long)count * outputSize} output values, got {outputs.Length}", nameof(outputs));
        for (int start = 0; start < count; start += MaximumBatch)
        {
            int n = Math.Min(MaximumBatch, count - start);
            ForwardPass(inputs.Slice(start * inputSize, n * inputSize), outputs.Slice(start * outputSize, n * outputSize), n);
        }
    }

    /// <summary>zˡ = aˡ⁻¹ Wˡᵀ + bˡ, aˡ = φ(zˡ), for l = 1 … L, the same operations in the same order as the training pass.</summary>
    void ForwardPass(ReadOnlySpan<T> input, Span<T> output, int count)
    {
        var layers = Network.Layers;
        ReadOnlySpan<T> previous = input;
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            int width = layer.OutputSize;
            var z = l == layers.Count - 1 ? output : (l % 2 == 0 ? even : odd).AsSpan(0, count * width);
            Gemm.MultiplyTransposedB<T>(previous, layer.Weights, z, count, width, layer.InputSize, accumulate: false);
            for (int row = 0; row < z.Length; row += width)
                TensorPrimitives.Add(z.Slice(row, width), layer.Biases, z.Slice(row, width));
            layer.Activation.Forward<T>(z, z, width);
            previous = z;
        }
    }
}
