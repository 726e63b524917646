using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Layers;

/// <summary>
/// The forward and backward pass over a whole mini-batch as matrices, with every buffer allocated once for a
/// largest batch size, so that a training step allocates nothing. Row r of every matrix is example r:
/// aˡ and zˡ are (batch × nˡ), a⁰ is the input.
/// </summary>
internal sealed class Propagator<T> where T : IFloatingPointIeee754<T>
{
    readonly Network<T> network;
    readonly T[][] z, a, delta, weightGradients, biasGradients;
    readonly T[] input, backGradient;

    /// <param name="network">The network whose weights the passes read (not copied: later updates are seen).</param>
    /// <param name="maximumBatch">The most examples one pass takes.</param>
    /// <param name="forwardOnly">Only the buffers of the forward pass (z, a): for evaluation and pictures, which never
    /// backpropagate — the weight-sized gradient buffers are then not allocated.</param>
    public Propagator(Network<T> network, int maximumBatch, bool forwardOnly = false)
    {
        this.network = network;
        MaximumBatch = maximumBatch;
        var sizes = network.Architecture.Sizes;
        int layerCount = network.Layers.Count;
        input = new T[(long)maximumBatch * sizes[0]];
        z = new T[layerCount][];
        a = new T[layerCount][];
        delta = new T[layerCount][];
        weightGradients = new T[layerCount][];
        biasGradients = new T[layerCount][];
        int widest = 0;
        for (int l = 0; l < layerCount; l++)
        {
            int width = sizes[l + 1];
            z[l] = new T[(long)maximumBatch * width];
            a[l] = new T[(long)maximumBatch * width];
            delta[l] = forwardOnly ? [] : new T[(long)maximumBatch * width];
            weightGradients[l] = forwardOnly ? [] : new T[network.Layers[l].Weights.Length];
            biasGradients[l] = forwardOnly ? [] : new T[width];
            widest = Math.Max(widest, width);
        }
        backGradient = forwardOnly ? [] : new T[(long)maximumBatch * widest];
        ForwardOnly = forwardOnly;
    }

    public int MaximumBatch { get; }
    public bool ForwardOnly { get; }

    /// <summary>a⁰: fill the first count × n⁰ values before <see cref="Forward"/>.</summary>
    public Span<T> Input => input;

    public ReadOnlySpan<T> Output(int count) => a[^1].AsSpan(0, count * network.OutputSize);
    public ReadOnlySpan<T> WeightedInput(int layer, int count) => z[layer].AsSpan(0, count * network.Layers[layer].OutputSize);
    public ReadOnlySpan<T> Activations(int layer, int count) => a[layer].AsSpan(0, count * network.Layers[layer].OutputSize);
    public ReadOnlySpan<T> Delta(int layer, int count) => delta[layer].AsSpan(0, count * network.Layers[layer].OutputSize);
    public ReadOnlySpan<T> WeightGradient(int layer) => weightGradients[layer];
    /// <summary>∂C/∂W of <paramref name="layer"/>, writable: the optimizer adds regularization terms in place.</summary>
    public Span<T> WeightGradientBuffer(int layer) => weightGradients[layer];
    public ReadOnlySpan<T> BiasGradient(int layer) => biasGradients[layer];

    ReadOnlySpan<T> PreviousActivations(int layer, int count) =>
        layer == 0 ? input.AsSpan(0, count * network.InputSize) : a[layer - 1].AsSpan(0, count * network.Layers[layer - 1].OutputSize);

    /// <summary>zˡ = aˡ⁻¹ Wˡᵀ + bˡ, aˡ = φ(zˡ), for l = 1 … L.</summary>
    public void Forward(int count)
    {
        CheckCount(count);
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            int width = layer.OutputSize;
            var zl = z[l].AsSpan(0, count * width);
            Gemm.MultiplyTransposedB<T>(PreviousActivations(l, count), layer.Weights, zl, count, width, layer.InputSize, accumulate: false);
            for (int row = 0; row < zl.Length; row += width)
                TensorPrimitives.Add(zl.Slice(row, width), layer.Biases, zl.Slice(row, width));
            layer.Activation.Forward<T>(zl, a[l].AsSpan(0, count * width), width);
        }
    }

    /// <summary>The mean cost of the batch after <see cref="Forward"/>.</summary>
    public T Cost(ReadOnlySpan<T> targets, int count)
    {
        int width = network.OutputSize;
        return network.Architecture.Cost.Total<T>(WeightedInput(network.Layers.Count - 1, count), Output(count), targets[..(count * width)], width)
               / T.CreateTruncating(count);
    }

    /// <summary>
    /// Backpropagation after <see cref="Forward"/>; returns the batch's mean cost. Each δ is computed once and
    /// recycled for the layer below:
    /// δᴸ from the cost; ∂C/∂Wˡ = δˡᵀ aˡ⁻¹ (summed over the batch); ∂C/∂bˡ = Σ δˡ; δˡ⁻¹ = (δˡ Wˡ) ⊙ φ′(zˡ⁻¹).
    /// δᴸ is divided by the batch size first, so every gradient after it is already the batch mean.
    /// </summary>
    public T Backward(ReadOnlySpan<T> targets, int count)
    {
        if (ForwardOnly) throw new InvalidOperationException("a forward-only propagator has no buffers for backpropagation");
        CheckCount(count);
        int last = network.Layers.Count - 1;
        int outputs = network.OutputSize;
        var cost = network.Architecture.Cost;
        var y = targets[..(count * outputs)];
        T total = cost.Total<T>(WeightedInput(last, count), Output(count), y, outputs);
        var deltaL = delta[last].AsSpan(0, count * outputs);
        cost.OutputDelta<T>(WeightedInput(last, count), Output(count), y, network.Layers[last].Activation, deltaL, outputs);
        T inverseCount = T.One / T.CreateTruncating(count);
        TensorPrimitives.Multiply(deltaL, inverseCount, deltaL);

        for (int l = last; l >= 0; l--)
        {
            var layer = network.Layers[l];
            int width = layer.OutputSize, inputs = layer.InputSize;
            var dl = delta[l].AsSpan(0, count * width);
            Gemm.MultiplyTransposedA<T>(dl, PreviousActivations(l, count), weightGradients[l], width, inputs, count, accumulate: false);
            var db = biasGradients[l].AsSpan();
            db.Clear();
            for (int row = 0; row < dl.Length; row += width) TensorPrimitives.Add(db, dl.Slice(row, width), db);
            if (l == 0) break;
            // ∂C/∂aˡ⁻¹ sums, for each neuron k, its influence through every neuron j it feeds: Σ_j W[j,k] δ_j.
            var g = backGradient.AsSpan(0, count * inputs);
            Gemm.Multiply<T>(dl, layer.Weights, g, count, inputs, width, accumulate: false);
            network.Layers[l - 1].Activation.Backward<T>(WeightedInput(l - 1, count), Activations(l - 1, count), g, delta[l - 1].AsSpan(0, count * inputs), inputs);
        }
        return total * inverseCount;
    }

    void CheckCount(int count)
    {
        if (count < 1 || count > MaximumBatch) throw new ArgumentOutOfRangeException(nameof(count), count, $"batch must be 1…{MaximumBatch}");
    }
}
