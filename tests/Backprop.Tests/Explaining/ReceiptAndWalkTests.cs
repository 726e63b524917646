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

    /// <summary>A regression of the sum of Gaussians (identity output, quadratic cost, standardised targets) trained a little.</summary>
    static TrainingRun TrainedRegression()
    {
        var run = TrainingRun.Start(new RunSettings
        {
            Data = "gaussians", HiddenLayers = [5, 4], Activation = "tanh", OutputActivation = "identity", Cost = "quadratic",
            Standardize = true, Examples = 200, Batch = 10, Seed = 4,
        });
        for (int i = 0; i < 9; i++) run.StepBatch();
        return run;
    }

    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(2, 3, 0)]
    [InlineData(3, 0, 2)]
    [InlineData(3, 0, null)]
    [InlineData(1, 4, null)]
    public void A_regression_receipt_follows_the_real_target_and_equals_the_batched_engine_and_the_finite_difference(int layer, int neuron, int? input)
    {
        var run = TrainedRegression();
        var exact = run.Network.Convert<double>();
        var test = run.Test!;
        Assert.Equal(LearningTask.Regression, test.Task);
        var parameter = new ParameterReference(layer, neuron, input);
        var receipt = ParameterReceipt.For(run.Network, test, 11, parameter);

        var x = test.Example(11).ToArray().Select(v => (double)v).ToArray();
        double[] y = [test.Values![11]];
        Assert.Equal(y, receipt.Explanation.Trace.Target);
        // C_k = (aᴸ − y)² with the identity output aᴸ = zᴸ: the cost the trainer averages.
        double a = exact.Forward(x, 1)[0];
        Numeric.Close((a - y[0]) * (a - y[0]), receipt.Explanation.Trace.Cost, 1e-12, "C_k = (a − y)²");
        if (layer == 3) Numeric.Close(2 * (a - y[0]), receipt.Explanation.Delta, 1e-12, "δᴸ = 2(a − y)·1 at an identity output");
        var (_, gradients) = exact.Backpropagate(x, y, 1);
        double batched = input is int k ? gradients.Weights[layer - 1][neuron * exact.Layers[layer - 1].InputSize + k] : gradients.Biases[layer - 1][neuron];
        Numeric.Close(batched, receipt.Derivative, 1e-12, $"{parameter}: receipt against the batched engine");
        Assert.True(receipt.RelativeDifference < 1e-6, $"{parameter}: backprop {receipt.Derivative}, finite difference {receipt.FiniteDifference}");
        Assert.True(Math.Abs(receipt.Derivative) > 1e-6, $"{parameter}: a derivative of {receipt.Derivative} would make the comparison empty");
        Assert.Equal(-1, receipt.Label);
        Assert.Equal(-1, receipt.Predicted);
    }

    [Fact]
    public void A_regression_batch_mean_is_the_mini_batch_gradient_and_its_walk_has_the_engines_deltas()
    {
        var run = TrainedRegression();
        var exact = run.Network.Convert<double>();
        int[] batch = run.LastBatch;
        var parameter = new ParameterReference(2, 1, 3);
        var mean = ParameterReceipt.OverBatch(run.Network, run.Train, batch, parameter);
        var inputs = batch.SelectMany(i => run.Train.Example(i).ToArray().Select(v => (double)v)).ToArray();
        var targets = batch.Select(i => (double)run.Train.Values![i]).ToArray();
        var (cost, gradients) = exact.Backpropagate(inputs, targets, batch.Length);
        Numeric.Close(gradients.Weights[1][1 * 5 + 3], mean.MeanDerivative, 1e-12, "mean of ∂C_k/∂w against the mini-batch gradient");
        Numeric.Close(cost, mean.MeanCost, 1e-12, "mean cost (1/m) Σ_k (a_k − y_k)²");
        Assert.All(mean.Examples, e => Assert.Equal(-1, e.Label));

        var walk = BackpropagationWalk.Of(run.Network, run.Test!, 3, 0.05);
        var x = run.Test!.Example(3).ToArray().Select(v => (double)v).ToArray();
        double[] y = [run.Test.Values![3]];
        var (_, one) = exact.Backpropagate(x, y, 1);
        for (int l = 1; l <= exact.Layers.Count; l++)
            for (int j = 0; j < exact.Layers[l - 1].OutputSize; j++)
                Numeric.Close(one.Biases[l - 1][j], walk.Trace.Deltas[l - 1][j], 1e-12, $"δ{l}[{j}]");
        var step = GradientStep.Take(exact, parameter, 0.05, x, y, 1);
        Numeric.Close(step.CostAfter, walk.CostAfter, 1e-12, "cost after the step");
    }

    [Fact]
    public void A_receipt_refuses_regression_data_whose_targets_do_not_fit_the_outputs()
    {
        var network = Network<float>.Initialize(new Architecture([2, 3, 2], [Activation.Tanh], Activation.Identity, Cost.Quadratic), 1);
        var data = Dataset.FromArrays(new float[,] { { 0.5f, 1 } }, [2f]);
        var e = Assert.Throws<BackpropException>(() => ParameterReceipt.For(network, data, 0, new ParameterReference(1, 0, 0)));
        Assert.Contains("1 targets per example but the network has 2 outputs", e.Message);
    }
}
