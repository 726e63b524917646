using System.Numerics;

namespace Backprop.Layers;

/// <summary>∂C/∂Wˡ and ∂C/∂bˡ for every layer, shaped like the parameters they belong to.</summary>
public sealed class Gradients<T> where T : IFloatingPointIeee754<T>
{
    /// <summary>Zeroed ∂C/∂W and ∂C/∂b for every layer of <paramref name="network"/>.</summary>
    public Gradients(Network<T> network)
    {
        Weights = network.Layers.Select(l => new T[l.Weights.Length]).ToArray();
        Biases = network.Layers.Select(l => new T[l.Biases.Length]).ToArray();
    }

    /// <summary>∂C/∂W per layer, (out × in) row-major.</summary>
    public T[][] Weights { get; }
    /// <summary>∂C/∂b per layer.</summary>
    public T[][] Biases { get; }
}
