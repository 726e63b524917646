using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Layers;
using Backprop.Tests.Autodiff;
using Backprop.Training;

namespace Backprop.Tests.Explaining;

/// <summary>The playground's receipts and step-through, against the batched engine and finite differences.</summary>
public class ReceiptAndWalkTests
{
    /// <summary>A tanh network (smooth, so finite differences are exact to h²) trained a little on the moons.</summary>
    static (TrainingRun Run, Network<double> Exact) Trained()
    {
        var run = TrainingRun.Start(new RunSettings { Data = "moons", HiddenLayers = [5, 4], Activation = "tanh", Examples = 200, Batch = 10, Seed = 3 });
        for (int i = 0; i < 7; i++) run.StepBatch();
        return (run, run.Network.Convert<double>());
    }

    static (double[] Input, double[] Target) Example(Dataset data, int i, int outputs) =>
        (data.Example(i).ToArray().Select(v => (double)v).ToArray(), Targets.Create<double>([data.Labels[i]], outputs));

    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(2, 3, 0)]
    [InlineData(3, 1, 2)]
    [InlineData(2, 0, null)]
    public void A_receipt_equals_the_batched_engines_gradient_and_the_finite_difference(int layer, int neuron, int? input)
    {
        var (run, exact) = Trained();
        var parameter = new ParameterReference(layer, neuron, input);
        var receipt = ParameterReceipt.For(run.Network, run.Test!, 17, parameter);

        var (x, y) = Example(run.Test!, 17, exact.OutputSize);
        var (_, gradients) = exact.Backpropagate(x, y, 1);
        double batched = input is int k ? gradients.Weights[layer - 1][neuron * exact.Layers[layer - 1].InputSize + k] : gradients.Biases[layer - 1][neuron];
        Numeric.Close(batched, receipt.Derivative, 1e-12, $"{parameter}: receipt against the batched engine");
        Assert.True(receipt.RelativeDifference < 1e-6, $"{parameter}: backprop {receipt.Derivative}, finite difference {receipt.FiniteDifference}");
        Assert.Equal(run.Test!.Labels[17], receipt.Label);
        Assert.Equal(Targets.Predict<double>(exact.Forward(x, 1)), receipt.Predicted);
        if (layer < 3)
            Numeric.Close(receipt.Explanation.CostByActivation, receipt.Explanation.NextLayerTerms.Sum(t => t.Product), 1e-12, "Σ_i W[i,j]·δ_i");
    }

    [Fact]
    public void The_batch_mean_is_the_gradient_of_the_last_mini_batch_examples()
    {
        var (run, exact) = Trained();
        int[] batch = run.LastBatch;
        Assert.Equal(10, batch.Length);
        Assert.Equal(batch.Length, batch.Distinct().Count());
        var parameter = new ParameterReference(1, 4, 1);
        var mean = ParameterReceipt.OverBatch(run.Network, run.Train, batch, parameter);
        var inputs = batch.SelectMany(i => run.Train.Example(i).ToArray().Select(v => (double)v)).ToArray();
        var targets = Targets.Create<double>(batch.Select(i => run.Train.Labels[i]).ToArray(), exact.OutputSize);
        var (cost, gradients) = exact.Backpropagate(inputs, targets, batch.Length);
        Numeric.Close(gradients.Weights[0][4 * 2 + 1], mean.MeanDerivative, 1e-12, "mean of ∂C_k/∂w against the mini-batch gradient");
        Numeric.Close(cost, mean.MeanCost, 1e-12, "mean cost");
        Assert.Equal(batch, mean.Examples.Select(e => e.Index));
    }

    [Fact]
    public void Last_batch_names_each_batch_of_an_epoch_in_turn_and_together_they_are_every_example_once()
    {
        var run = TrainingRun.Start(new RunSettings { Data = "xor", Examples = 46, TestFraction = 0.5, Batch = 10, Seed = 2 });
        Assert.Empty(run.LastBatch);
        run.StepEpoch();
        var seen = new List<int[]>();
        bool ended;
        do
        {
            ended = run.StepBatch();
            seen.Add(run.LastBatch);
        } while (!ended);
        // 23 training examples: batches of 10, 10 and 3, the last one reported after the epoch ended.
        Assert.Equal([10, 10, 3], seen.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 23), seen.SelectMany(b => b).Order());
        Assert.Equal(0, run.Batch);
    }

    [Fact]
    public void The_walks_deltas_are_the_batched_engines_and_the_blame_adds_up_to_the_inputs_derivative()
    {
        var (run, exact) = Trained();
        var walk = BackpropagationWalk.Of(run.Network, run.Test!, 5, 0.1);
        var (x, y) = Example(run.Test!, 5, exact.OutputSize);
        var (_, gradients) = exact.Backpropagate(x, y, 1);
        // For one example ∂C/∂bˡ = δˡ: the batched engine's bias gradient is its δ.
        for (int l = 1; l <= exact.Layers.Count; l++)
            for (int j = 0; j < exact.Layers[l - 1].OutputSize; j++)
                Numeric.Close(gradients.Biases[l - 1][j], walk.Trace.Deltas[l - 1][j], 1e-12, $"δ{l}[{j}]");
        // Σ_j W¹[j,k]·δ¹_j is ∂C/∂x_k: a finite difference in the input, which no δ knows about.
        for (int k = 0; k < x.Length; k++)
        {
            double blame = Enumerable.Range(0, exact.Layers[0].OutputSize).Sum(j => walk.Blame(1, j, k));
            double numeric = Numeric.CentralDifference(v => { var moved = (double[])x.Clone(); moved[k] = v; return exact.Cost(moved, y, 1); }, x[k]);
            Numeric.Close(numeric, blame, 1e-6, $"∂C/∂x[{k}]");
        }
        // The update stage is one SGD step on this example.
        var step = GradientStep.Take(exact, new ParameterReference(2, 1, 3), 0.1, x, y, 1);
        Numeric.Close(step.CostAfter, walk.CostAfter, 1e-12, "cost after the step");
        Numeric.Close(step.After - step.Before, walk.WeightChange(2, 1, 3), 1e-12, "the change of W2[1,3]");
    }

    [Fact]
    public void The_walk_goes_forward_layer_by_layer_then_back_from_the_output_then_updates()
    {
        var network = Network<double>.Initialize(new Architecture([2, 3, 2], [Activation.Tanh], Activation.Softmax, Cost.CrossEntropy), 1);
        var walk = BackpropagationWalk.Of(network, [0.5, -1], [0, 1], 0.5);
        Assert.Equal(
            [(WalkPhase.Input, 0), (WalkPhase.Forward, 1), (WalkPhase.Forward, 2), (WalkPhase.Backward, 2), (WalkPhase.Backward, 1), (WalkPhase.Update, 0)],
            walk.Stages.Select(s => (s.Phase, s.Layer)));
        Assert.False(walk.HasActivations(1, 2));
        Assert.True(walk.HasActivations(2, 2));
        Assert.False(walk.HasDelta(2, 2));
        Assert.True(walk.HasDelta(3, 2));
        Assert.False(walk.HasDelta(3, 1));
        Assert.True(walk.HasDelta(4, 1));
        Assert.True(walk.HasDelta(5, 1));
        Assert.True(walk.CostAfter < walk.Trace.Cost, $"a small step on the example lowers its cost: {walk.Trace.Cost} → {walk.CostAfter}");
    }
}
