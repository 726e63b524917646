using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Explaining;

/// <summary>
/// What a network makes of one input: every layer's activations aˡ (layer 1 first; the last are the output, for
/// softmax the class probabilities) and the class it predicts — for a drawn digit, live.
/// </summary>
public sealed record InputReading(IReadOnlyList<double[]> Activations, int Predicted)
{
    /// <summary>The forward pass of <paramref name="input"/> (as the network takes it) in double precision.</summary>
    public static InputReading Of(Network<float> network, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (input.Length != network.InputSize)
            throw new ArgumentException($"the network takes {network.InputSize} inputs, got {input.Length}", nameof(input));
        var x = new double[input.Length];
        for (int i = 0; i < x.Length; i++) x[i] = input[i];
        // The activations do not depend on the target; any target of the right length traces them.
        var trace = NetworkTrace.Compute(network.Convert<double>(), x, new double[network.OutputSize]);
        return new InputReading(trace.Activations, Targets.Predict<double>(trace.Activations[^1]));
    }

    /// <summary>The class the network predicts for every example of <paramref name="data"/>, in order.</summary>
    public static int[] Predictions(Network<float> network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        var predictions = new int[data.Count];
        if (data.Count == 0) return predictions;
        var outputs = network.Forward(data.Features, data.Count);
        for (int i = 0; i < data.Count; i++)
            predictions[i] = Targets.Predict<float>(outputs.AsSpan(i * network.OutputSize, network.OutputSize));
        return predictions;
    }
}
