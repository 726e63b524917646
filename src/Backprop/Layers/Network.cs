using System.Numerics;
using Backprop.Activations;

namespace Backprop.Layers;

/// <summary>
/// A fully connected network in precision <typeparamref name="T"/>: float for training, double for checking.
/// </summary>
public sealed class Network<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>A network of the given layers, which must fit <paramref name="architecture"/>.</summary>
    public Network(Architecture architecture, IReadOnlyList<Layer<T>> layers)
    {
        architecture.Validate();
        if (layers.Count != architecture.LayerCount)
            throw new BackpropException($"architecture {architecture.SizesText} has {architecture.LayerCount} weighted layers, got {layers.Count}");
        for (int l = 0; l < layers.Count; l++)
            if (layers[l].InputSize != architecture.Sizes[l] || layers[l].OutputSize != architecture.Sizes[l + 1])
                throw new BackpropException($"layer {l} is {layers[l].OutputSize}×{layers[l].InputSize} but architecture {architecture.SizesText} needs {architecture.Sizes[l + 1]}×{architecture.Sizes[l]}");
        Architecture = architecture;
        Layers = layers;
    }

    /// <summary>Sizes, activations and cost.</summary>
    public Architecture Architecture { get; }
    /// <summary>The weighted layers, l = 1 … L (index l − 1).</summary>
    public IReadOnlyList<Layer<T>> Layers { get; }
    /// <summary>n⁰, the size of an input.</summary>
    public int InputSize => Architecture.InputSize;
    /// <summary>nᴸ, the size of an output.</summary>
    public int OutputSize => Architecture.OutputSize;

    /// <summary>
    /// Seeded initialisation, biases zero. Rectifier layers get He: W ~ N(0, 2/n_in), which keeps the variance
    /// of z steady through ReLUs that zero half their inputs; the others get Xavier/Glorot uniform,
    /// W ~ U(−r, r) with r = √(6/(n_in + n_out)), which keeps sigmoid and tanh out of their flat tails.
    /// </summary>
    public static Network<T> Initialize(Architecture architecture, ulong seed)
    {
        architecture.Validate();
        var rng = new Rng(seed);
        var layers = new Layer<T>[architecture.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            int fanIn = architecture.Sizes[l], fanOut = architecture.Sizes[l + 1];
            var activation = architecture.ActivationOf(l);
            var weights = new T[(long)fanIn * fanOut];
            if (activation.IsRectifier)
            {
                double deviation = Math.Sqrt(2.0 / fanIn);
                for (int i = 0; i < weights.Length; i++) weights[i] = T.CreateTruncating(rng.NextGaussian() * deviation);
            }
            else
            {
                double range = Math.Sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < weights.Length; i++) weights[i] = T.CreateTruncating(rng.NextDouble(-range, range));
            }
            layers[l] = new Layer<T>(fanIn, fanOut, activation, weights, new T[fanOut]);
        }
        return new Network<T>(architecture, layers);
    }

    /// <summary>The same network in another precision (float → double for checking, and back).</summary>
    public Network<TOther> Convert<TOther>() where TOther : IFloatingPointIeee754<TOther> =>
        new(Architecture, Layers.Select(l => new Layer<TOther>(l.InputSize, l.OutputSize, l.Activation,
            l.Weights.Select(TOther.CreateTruncating).ToArray(), l.Biases.Select(TOther.CreateTruncating).ToArray())).ToArray());

    /// <summary>A deep copy.</summary>
    public Network<T> Clone() => Convert<T>();

    /// <summary>
    /// Output activations aᴸ for <paramref name="count"/> examples, (count × OutputSize), in a new array. Each call
    /// allocates its buffers: to predict again and again, make one <see cref="CreatePredictor"/> and reuse it.
    /// </summary>
    public T[] Forward(ReadOnlySpan<T> inputs, int count)
    {
        CheckInputs(inputs, count);
        var outputs = new T[(long)count * OutputSize];
        new Predictor<T>(this, count, snapshot: false).Forward(inputs, outputs);
        return outputs;
    }

    /// <summary>
    /// A reusable forward pass for up to <paramref name="maximumBatch"/> examples at a time that allocates nothing
    /// per call; one per thread (see <see cref="Predictor{T}"/>).
    /// </summary>
    public Predictor<T> CreatePredictor(int maximumBatch = 1) => new(this, maximumBatch);

    /// <summary>
    /// The mean cost over the examples and its gradient ∂C/∂W, ∂C/∂b, by backpropagation.
    /// <paramref name="targets"/> is (count × OutputSize).
    /// </summary>
    public (T Cost, Gradients<T> Gradients) Backpropagate(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count)
    {
        CheckInputs(inputs, count);
        if (targets.Length != (long)count * OutputSize)
            throw new BackpropException($"{count} examples need {(long)count * OutputSize} target values, got {targets.Length}");
        var pass = new Propagator<T>(this, count);
        inputs.CopyTo(pass.Input);
        pass.Forward(count);
        T cost = pass.Backward(targets, count);
        var gradients = new Gradients<T>(this);
        for (int l = 0; l < Layers.Count; l++)
        {
            pass.WeightGradient(l).CopyTo(gradients.Weights[l]);
            pass.BiasGradient(l).CopyTo(gradients.Biases[l]);
        }
        return (cost, gradients);
    }

    /// <summary>The mean cost over the examples, forward only.</summary>
    public T Cost(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count)
    {
        CheckInputs(inputs, count);
        var pass = new Propagator<T>(this, count, forwardOnly: true);
        inputs.CopyTo(pass.Input);
        pass.Forward(count);
        return pass.Cost(targets, count);
    }

    void CheckInputs(ReadOnlySpan<T> inputs, int count)
    {
        if (count < 1 || inputs.Length != (long)count * InputSize)
            throw new BackpropException($"{count} examples of {InputSize} inputs need {(long)count * InputSize} values, got {inputs.Length}");
    }
}
