using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Activations;
using Backprop.Kernels;

namespace Backprop.Layers;

/// <summary>
/// The forward pass alone, for inference: aᴸ for a batch of examples, computed in two activation buffers
/// allocated once for <see cref="MaximumBatch"/> examples (layer l writes zˡ = aˡ⁻¹ Wˡᵀ + bˡ into one buffer and
/// applies aˡ = φ(zˡ) in place; layer l + 1 reads it and writes the other), the last layer straight into the
/// caller's span. After its first calls on a thread, a call allocates nothing.
/// </summary>
/// <remarks>
/// <para>A snapshot: the predictor copies the network's weights and biases when it is made, and for float networks
/// also packs each weight matrix once into the layout of the matrix-product kernels (what every training product
/// does per call), so later changes to the network (more training, edits to <see cref="Layer{T}.Weights"/>) are not
/// seen. Make a new predictor after changing the weights. It holds up to three copies of the weights: as given, in the
/// micro-kernels' panels (when <see cref="MaximumBatch"/> is above 1), and with rows grouped for the one-example kernel
/// (on AVX2 and AVX-512).</para>
/// <para>Thread safety: a predictor is not thread safe, since its buffers hold one call's activations; give each
/// thread its own. A large product may share its work with the library's one GEMM worker thread; a caller that
/// finds the worker busy computes alone, and either way every output is the same to the bit: each output value is
/// one dot product summed in an order that depends only on the batch's size, not on the thread that computes it.</para>
/// <para>The outputs equal <see cref="Network{T}.Forward(ReadOnlySpan{T}, int)"/> to the bit for the same batch
/// (the packed weights are summed in the same order as packing per call).</para>
/// </remarks>
public sealed class Predictor<T> where T : IFloatingPointIeee754<T>
{
    readonly T[] even, odd;
    readonly LayerCopy[] layers;

    /// <summary>One layer as the predictor reads it: its own W and b, and W packed for the kernels (float only).</summary>
    readonly record struct LayerCopy(int InputSize, int OutputSize, Activation Activation, T[] Weights, T[] Biases, GemmPackedWeights? Packed);

    /// <summary>Copies the weights of <paramref name="network"/> and makes the buffers for batches of up to <paramref name="maximumBatch"/> examples.</summary>
    /// <param name="network">The network to run, as it is now (its weights are copied: later updates are not seen).</param>
    /// <param name="maximumBatch">The most examples one pass takes; a call with more is computed in passes of this many.</param>
    public Predictor(Network<T> network, int maximumBatch = 1) : this(network, maximumBatch, snapshot: true)
    {
    }

    /// <summary>
    /// With <paramref name="snapshot"/> false, reads the network's own weights, unpacked: for one call made at once
    /// (<see cref="Network{T}.Forward(ReadOnlySpan{T}, int)"/>), where copying and packing would be wasted.
    /// </summary>
    internal Predictor(Network<T> network, int maximumBatch, bool snapshot)
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
        layers = new LayerCopy[network.Layers.Count];
        for (int l = 0; l < layers.Length; l++)
        {
            var layer = network.Layers[l];
            GemmPackedWeights? packed = snapshot && typeof(T) == typeof(float)
                ? GemmPackedWeights.Pack(FloatView.Of<T>(layer.Weights), layer.OutputSize, layer.InputSize, GemmFloat.Current, oneRowOnly: maximumBatch == 1)
                : null;
            var weights = !snapshot ? layer.Weights : packed is not null ? (T[])(object)packed.Weights : (T[])layer.Weights.Clone();
            var biases = snapshot ? (T[])layer.Biases.Clone() : layer.Biases;
            layers[l] = new LayerCopy(layer.InputSize, layer.OutputSize, layer.Activation, weights, biases, packed);
        }
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
        ReadOnlySpan<T> previous = input;
        for (int l = 0; l < layers.Length; l++)
        {
            var layer = layers[l];
            int width = layer.OutputSize;
            var z = l == layers.Length - 1 ? output : (l % 2 == 0 ? even : odd).AsSpan(0, count * width);
            var layerInput = previous;
            previous = z;
            if (layer.Packed is { } packed)
            {
                // The bias, and a ReLU, finished in the product while each tile is in cache; another φ after it.
                bool relu = layer.Activation == Activation.Relu;
                GemmFloat.Layer(FloatView.Of(layerInput), packed, FloatView.Of<T>(layer.Biases), relu, FloatView.Of(z), count);
                if (!relu) layer.Activation.Forward<T>(z, z, width);
                continue;
            }
            Gemm.MultiplyTransposedB<T>(layerInput, layer.Weights, z, count, width, layer.InputSize, accumulate: false);
            for (int row = 0; row < z.Length; row += width)
                TensorPrimitives.Add(z.Slice(row, width), layer.Biases, z.Slice(row, width));
            layer.Activation.Forward<T>(z, z, width);
        }
    }
}
