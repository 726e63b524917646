using System.Numerics;
using Backprop.Activations;

namespace Backprop.Layers;

/// <summary>
/// One weighted layer: z = W a_prev + b, a = φ(z). <see cref="Weights"/> is (out × in), row-major, so
/// W[j,k] = Weights[j*InputSize + k] connects neuron k of the layer before to neuron j of this one
/// (the seeds' w_jk, and PyTorch's nn.Linear layout).
/// </summary>
public sealed class Layer<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>A layer of <paramref name="outputSize"/> neurons over <paramref name="inputSize"/> inputs: W (out × in, row-major) and b (out), kept, not copied.</summary>
    public Layer(int inputSize, int outputSize, Activation activation, T[] weights, T[] biases)
    {
        if (weights.Length != (long)inputSize * outputSize)
            throw new BackpropException($"a {outputSize}×{inputSize} layer needs {(long)inputSize * outputSize} weights, got {weights.Length}");
        if (biases.Length != outputSize)
            throw new BackpropException($"a layer of {outputSize} neurons needs {outputSize} biases, got {biases.Length}");
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        Weights = weights;
        Biases = biases;
    }

    /// <summary>Inputs: the size of a_prev.</summary>
    public int InputSize { get; }
    /// <summary>Neurons: the size of z and a.</summary>
    public int OutputSize { get; }
    /// <summary>φ, applied to z.</summary>
    public Activation Activation { get; }
    /// <summary>W, (OutputSize × InputSize), row-major.</summary>
    public T[] Weights { get; }
    /// <summary>b, (OutputSize).</summary>
    public T[] Biases { get; }

    /// <summary>W[j,k]: from input k to neuron j.</summary>
    public T Weight(int j, int k) => Weights[j * InputSize + k];
}
