using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Serialization;

/// <summary>What a model says of one example, in the data's own terms.</summary>
/// <param name="Outputs">A classification's class scores aᴸ — with softmax the class probabilities, with one sigmoid
/// output the probability of class 1 — or a regression's predicted values in the targets' own units (standardisation undone).</param>
/// <param name="Class">The predicted class (the largest score; for one output, 1 when a ≥ 0.5), or null for a regression.</param>
/// <param name="ClassName">The predicted class as a user reads it: its name, or its number; null for a regression.</param>
public sealed record Prediction(float[] Outputs, int? Class, string? ClassName)
{
    /// <summary>
    /// The predicted class's output: its probability after softmax; with one sigmoid output a, a for class 1 and
    /// 1 − a for class 0; null for a regression.
    /// </summary>
    public float? Probability => Class is not { } k ? null : Outputs.Length == 1 ? (k == 1 ? Outputs[0] : 1 - Outputs[0]) : Outputs[k];
}

/// <summary>
/// A model's whole inference pipeline, reusable: raw examples as they come from the data (x1, x2 for a model of
/// plane features) → the model's features → its standardisation → the network → outputs in the data's own terms.
/// Its buffers are allocated once for <see cref="MaximumBatch"/> examples, so that after its first calls on a
/// thread a call allocates nothing. Larger calls are computed in passes of <see cref="MaximumBatch"/> examples.
/// </summary>
/// <remarks>
/// Not thread safe: one per thread (see <see cref="Predictor{T}"/>, which it uses: the outputs are the same to the
/// bit whichever thread computes them). Like it, a snapshot of the model's weights when made. <see cref="Model.Predict(ReadOnlySpan{float})"/> and the other methods of
/// <see cref="Model"/> make a new one per call and may be called from any thread.
/// </remarks>
public sealed class ModelPredictor
{
    readonly Predictor<float> network;
    readonly float[] prepared, scores;

    /// <param name="model">The model to run.</param>
    /// <param name="maximumBatch">The most examples one pass takes.</param>
    /// <param name="snapshot">Copy and pack the weights once (<see cref="Predictor{T}"/>); false reads them in place, for one call.</param>
    internal ModelPredictor(Model model, int maximumBatch, bool snapshot = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        network = new Predictor<float>(model.Network, maximumBatch, snapshot);
        Model = model;
        prepared = new float[(long)maximumBatch * model.Network.InputSize];
        scores = new float[(long)maximumBatch * model.Network.OutputSize];
    }

    /// <summary>The model this predictor runs.</summary>
    public Model Model { get; }

    /// <summary>The most examples one pass takes.</summary>
    public int MaximumBatch => network.MaximumBatch;

    /// <summary>Values of one raw example: 2 (x1, x2) for a model of plane features, else the network's inputs.</summary>
    public int InputSize => Model.RawFeatureCount;

    /// <summary>Values of one example's outputs: class scores or regression targets.</summary>
    public int OutputSize => Model.Network.OutputSize;

    /// <summary>
    /// The outputs, in the data's own terms (see <see cref="Prediction.Outputs"/>), of every raw example of
    /// <paramref name="inputs"/> (count × <see cref="InputSize"/>, row-major), into <paramref name="outputs"/>
    /// (count × <see cref="OutputSize"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The inputs are not whole examples, or the outputs do not hold exactly one row per example.</exception>
    public void PredictOutputs(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int count = CountOf(inputs);
        if (outputs.Length != (long)count * OutputSize)
            throw new ArgumentException($"{count} examples of {OutputSize} outputs need {(long)count * OutputSize} output values, got {outputs.Length}", nameof(outputs));
        for (int start = 0; start < count; start += MaximumBatch)
        {
            int n = Math.Min(MaximumBatch, count - start);
            Pass(inputs.Slice(start * InputSize, n * InputSize), outputs.Slice(start * OutputSize, n * OutputSize), n);
        }
    }

    /// <summary>The predicted class of every raw example of <paramref name="inputs"/> into <paramref name="classes"/> (one per example).</summary>
    /// <exception cref="BackpropException">The model is a regression, which predicts values, not classes.</exception>
    /// <exception cref="ArgumentException">The inputs are not whole examples, or <paramref name="classes"/> does not hold one per example.</exception>
    public void PredictClasses(ReadOnlySpan<float> inputs, Span<int> classes)
    {
        RequireClassification();
        int count = CountOf(inputs);
        if (classes.Length != count)
            throw new ArgumentException($"{count} examples need {count} classes, got room for {classes.Length}", nameof(classes));
        for (int start = 0; start < count; start += MaximumBatch)
        {
            int n = Math.Min(MaximumBatch, count - start);
            var rows = scores.AsSpan(0, n * OutputSize);
            Pass(inputs.Slice(start * InputSize, n * InputSize), rows, n);
            for (int i = 0; i < n; i++) classes[start + i] = Targets.Predict<float>(rows.Slice(i * OutputSize, OutputSize));
        }
    }

    /// <summary>The predicted class of one raw example (<see cref="InputSize"/> values).</summary>
    /// <exception cref="BackpropException">The model is a regression, which predicts values, not classes.</exception>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not one example.</exception>
    public int PredictClass(ReadOnlySpan<float> input)
    {
        RequireClassification();
        if (input.Length != InputSize)
            throw new ArgumentException($"one example has {InputSize} values, got {input.Length}", nameof(input));
        var row = scores.AsSpan(0, OutputSize);
        Pass(input, row, 1);
        return Targets.Predict<float>(row);
    }

    /// <summary>What the model says of one raw example (<see cref="InputSize"/> values), in a new <see cref="Prediction"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not one example.</exception>
    public Prediction Predict(ReadOnlySpan<float> input)
    {
        if (input.Length != InputSize)
            throw new ArgumentException($"one example has {InputSize} values, got {input.Length}", nameof(input));
        var outputs = new float[OutputSize];
        Pass(input, outputs, 1);
        if (Model.Task == LearningTask.Regression) return new Prediction(outputs, null, null);
        int k = Targets.Predict<float>(outputs);
        return new Prediction(outputs, k, Model.ClassName(k));
    }

    /// <summary>One pass of <paramref name="count"/> ≤ <see cref="MaximumBatch"/> examples: features, standardisation, network, targets' units.</summary>
    void Pass(ReadOnlySpan<float> raw, Span<float> outputs, int count)
    {
        int inputs = Model.Network.InputSize;
        var x = prepared.AsSpan(0, count * inputs);
        if (Model.Features is { } features)
            for (int i = 0; i < count; i++) features.Apply(raw[2 * i], raw[2 * i + 1], x.Slice(i * inputs, inputs));
        else
            raw.CopyTo(x);
        Model.Standardizer?.Apply(x);
        network.Forward(x, outputs);
        if (Model.Task == LearningTask.Regression) Model.TargetScale?.Unapply(outputs);
    }

    int CountOf(ReadOnlySpan<float> inputs)
    {
        if (inputs.Length == 0 || inputs.Length % InputSize != 0)
            throw new ArgumentException($"the inputs must be whole raw examples of {InputSize} values each, got {inputs.Length} values", nameof(inputs));
        return inputs.Length / InputSize;
    }

    void RequireClassification()
    {
        if (Model.Task == LearningTask.Regression)
            throw new BackpropException("a regression model predicts values, not classes; use PredictOutputs (or Predict) for its values");
    }
}
