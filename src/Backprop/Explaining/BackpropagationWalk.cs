using Backprop.Layers;

namespace Backprop.Explaining;

/// <summary>What a stage of <see cref="BackpropagationWalk"/> has just computed.</summary>
public enum WalkPhase
{
    /// <summary>Only the input x = a⁰ is known.</summary>
    Input,
    /// <summary>zˡ = Wˡaˡ⁻¹ + bˡ and aˡ = φ(zˡ) of one layer.</summary>
    Forward,
    /// <summary>δˡ = ∂C/∂zˡ of one layer, from the layer above (or the cost, at the output).</summary>
    Backward,
    /// <summary>Every parameter's step w ← w − η·∂C/∂w.</summary>
    Update,
}

/// <summary>One stage: the phase and the layer (1-based; 0 for the input and the update) it reached.</summary>
public sealed record WalkStage(int Index, WalkPhase Phase, int Layer);

/// <summary>
/// One example through backpropagation in stages, for stepping through: the input; the forward pass layer by layer
/// (zˡ, aˡ); the backward pass from the output down (δˡ on every neuron, and on every link Wˡ[j,k]·δˡ_j, the share of
/// the blame that link passes back to neuron k of layer l−1, whose ∂C/∂aˡ⁻¹_k is the sum of its links' shares); then
/// one plain gradient step on this example, w ← w − η·∂C/∂w with ∂C/∂Wˡ[j,k] = δˡ_j · aˡ⁻¹_k.
/// </summary>
public sealed class BackpropagationWalk
{
    BackpropagationWalk(NetworkTrace trace, double learningRate, double costAfter)
    {
        Trace = trace;
        LearningRate = learningRate;
        CostAfter = costAfter;
        int layers = trace.Network.Layers.Count;
        var stages = new List<WalkStage> { new(0, WalkPhase.Input, 0) };
        for (int l = 1; l <= layers; l++) stages.Add(new(stages.Count, WalkPhase.Forward, l));
        for (int l = layers; l >= 1; l--) stages.Add(new(stages.Count, WalkPhase.Backward, l));
        stages.Add(new(stages.Count, WalkPhase.Update, 0));
        Stages = stages;
    }

    /// <summary>Every z, a and δ of the example (double precision).</summary>
    public NetworkTrace Trace { get; }

    /// <summary>η of the update stage.</summary>
    public double LearningRate { get; }

    /// <summary>The input, L forward stages, L backward stages (layer L first), the update: 2L + 2 stages.</summary>
    public IReadOnlyList<WalkStage> Stages { get; }

    /// <summary>This example's cost C_k after the update stage's step.</summary>
    public double CostAfter { get; }

    /// <summary>Whether layer <paramref name="layer"/>'s z and a are known at stage <paramref name="stage"/> (the input always).</summary>
    public bool HasActivations(int stage, int layer) => layer == 0 || stage >= layer;

    /// <summary>Whether layer <paramref name="layer"/>'s δ is known at stage <paramref name="stage"/>: the backward pass reached it.</summary>
    public bool HasDelta(int stage, int layer)
    {
        var s = Stages[Math.Clamp(stage, 0, Stages.Count - 1)];
        return layer >= 1 && (s.Phase == WalkPhase.Update || s.Phase == WalkPhase.Backward && layer >= s.Layer);
    }

    /// <summary>Wˡ[j,k] · δˡ_j: the part of ∂C/∂aˡ⁻¹_k that comes back along the link from neuron k of layer l−1 to neuron j of layer l.</summary>
    public double Blame(int layer, int j, int k) => Trace.Network.Layers[layer - 1].Weight(j, k) * Trace.Deltas[layer - 1][j];

    /// <summary>∂C/∂Wˡ[j,k] = δˡ_j · aˡ⁻¹_k.</summary>
    public double WeightDerivative(int layer, int j, int k) => Trace.Deltas[layer - 1][j] * Trace.PreviousActivations(layer)[k];

    /// <summary>The update's change of Wˡ[j,k]: −η · δˡ_j · aˡ⁻¹_k.</summary>
    public double WeightChange(int layer, int j, int k) => -LearningRate * WeightDerivative(layer, j, k);

    /// <summary>The update's change of bˡ[j]: −η · δˡ_j (∂C/∂bˡ_j = δˡ_j).</summary>
    public double BiasChange(int layer, int j) => -LearningRate * Trace.Deltas[layer - 1][j];

    /// <summary>Traces <paramref name="input"/> with target <paramref name="target"/> through <paramref name="network"/> and
    /// takes the update on a copy (the network itself is left as it is).</summary>
    public static BackpropagationWalk Of(Network<double> network, double[] input, double[] target, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "η must be a positive number");
        var trace = NetworkTrace.Compute(network, input, target);
        var stepped = network.Clone();
        for (int l = 1; l <= stepped.Layers.Count; l++)
        {
            var layer = stepped.Layers[l - 1];
            double[] delta = trace.Deltas[l - 1], previous = trace.PreviousActivations(l);
            for (int j = 0; j < layer.OutputSize; j++)
            {
                for (int k = 0; k < layer.InputSize; k++) layer.Weights[j * layer.InputSize + k] -= learningRate * delta[j] * previous[k];
                layer.Biases[j] -= learningRate * delta[j];
            }
        }
        return new BackpropagationWalk(trace, learningRate, stepped.Cost(input, target, 1));
    }

    /// <summary>The walk of example <paramref name="example"/> of <paramref name="data"/> (as the network takes it).</summary>
    public static BackpropagationWalk Of(Network<float> network, Data.Dataset data, int example, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (example < 0 || example >= data.Count)
            throw new ArgumentOutOfRangeException(nameof(example), example, $"the data holds examples 0…{data.Count - 1}");
        var exact = network.Convert<double>();
        var (input, target) = ParameterReceipt.ExampleOf(exact, data, example);
        return Of(exact, input, target, learningRate);
    }
}
