using System.Numerics;
using Backprop.Layers;

namespace Backprop.Training;

/// <summary>Turns class labels into the target vectors y the cost compares against.</summary>
public static class Targets
{
    /// <summary>
    /// One-hot rows (y_j = 1 for the labelled class), except that a network with a single output neuron takes
    /// the label itself (0 or 1) as its target, as the seeds' one-neuron chain does.
    /// </summary>
    public static void Fill<T>(ReadOnlySpan<int> labels, Span<T> targets, int outputSize) where T : IFloatingPointIeee754<T>
    {
        if (outputSize == 1)
        {
            for (int i = 0; i < labels.Length; i++) targets[i] = T.CreateTruncating(labels[i]);
            return;
        }
        targets[..(labels.Length * outputSize)].Clear();
        for (int i = 0; i < labels.Length; i++) targets[i * outputSize + labels[i]] = T.One;
    }

    /// <summary>The target vectors y of <paramref name="labels"/>, examples × <paramref name="outputSize"/>, as <see cref="Fill"/> makes them.</summary>
    public static T[] Create<T>(ReadOnlySpan<int> labels, int outputSize) where T : IFloatingPointIeee754<T>
    {
        var targets = new T[labels.Length * outputSize];
        Fill<T>(labels, targets, outputSize);
        return targets;
    }

    /// <summary>The predicted class: the largest output, or for a single output neuron, 1 when a ≥ 0.5.</summary>
    public static int Predict<T>(ReadOnlySpan<T> outputs) where T : IFloatingPointIeee754<T>
    {
        if (outputs.Length == 1) return outputs[0] >= T.CreateTruncating(0.5) ? 1 : 0;
        int best = 0;
        for (int j = 1; j < outputs.Length; j++) if (outputs[j] > outputs[best]) best = j;
        return best;
    }

    /// <summary>
    /// Checks that <paramref name="data"/> fits the network: its features the inputs, and its targets the outputs —
    /// a class for every label (below), or one output per real target.
    /// </summary>
    public static void CheckFits(Architecture architecture, Data.Dataset data, string dataName, string? model = null)
    {
        if (data.Task == Data.LearningTask.Classification)
        {
            CheckFits(architecture, data.FeatureCount, data.Labels, dataName, model);
            return;
        }
        CheckFits(architecture, data.FeatureCount, [], dataName, model);
        if (architecture.OutputSize != data.TargetCount)
            throw new BackpropException(model is null
                ? $"{dataName} has {data.TargetCount} target{(data.TargetCount == 1 ? "" : "s")} per example but Architecture.Sizes ends with {architecture.OutputSize} outputs; end it with {data.TargetCount}"
                : $"{dataName} has {data.TargetCount} target{(data.TargetCount == 1 ? "" : "s")} per example but the model {model} predicts {architecture.OutputSize}; give it data shaped like the data it was trained on");
    }

    /// <summary>Checks that every label has an output to light up; names the fix otherwise. With
    /// <paramref name="model"/> (a trained model's file name) the fix is other data, not other --layers.</summary>
    public static void CheckFits(Architecture architecture, int featureCount, ReadOnlySpan<int> labels, string dataName, string? model = null)
    {
        if (featureCount != architecture.InputSize)
            throw new BackpropException(model is null
                ? $"{dataName} has {featureCount} features but Architecture.Sizes starts with {architecture.InputSize}; use Architecture.Sizes {featureCount},…"
                : $"{dataName} has {featureCount} features but the model {model} takes {architecture.InputSize} inputs; give it data shaped like the data it was trained on");
        int outputs = architecture.OutputSize;
        int largest = 0;
        foreach (int label in labels)
        {
            if (label < 0) throw new BackpropException($"{dataName} has a negative label {label}; labels must be 0, 1, 2, …");
            largest = Math.Max(largest, label);
        }
        if (model is not null && (outputs == 1 ? largest > 1 : largest >= outputs))
            throw new BackpropException($"{dataName} has labels up to {largest} but the model {model} predicts only {(outputs == 1 ? "0 and 1" : $"0…{outputs - 1}")}; give it data with those labels, or train a model on this data");
        if (outputs == 1 && largest > 1)
            throw new BackpropException($"{dataName} has labels up to {largest} but a single output neuron can only learn 0/1; end Architecture.Sizes with {largest + 1}");
        if (outputs > 1 && largest >= outputs)
            throw new BackpropException($"{dataName} has labels up to {largest} but Architecture.Sizes ends with {outputs} outputs; end it with {largest + 1}");
    }
}
