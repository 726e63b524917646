using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Training;
using Backprop.Tests.Data;

namespace Backprop.Tests.Training;

public class TrainerTests
{
    static readonly Architecture Small = new([3, 4, 2], Activation.Sigmoid, Activation.Softmax, Cost.CrossEntropy);

    [Fact]
    public void An_epoch_steps_through_batches_in_order_and_keeps_the_last_partial_batch()
    {
        var data = TrainingData.Random(5, 3, 2, seed: 11);
        var trained = Network<float>.Initialize(Small, seed: 2);
        var expected = trained.Clone();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 2, LearningRate = 0.5, Optimizer = "sgd", Shuffle = false };

        var report = new Trainer(trained, options, data).RunEpoch();

        var optimizer = Optimizer<float>.Create("sgd", expected, 0.5);
        double costSum = 0;
        foreach (var (start, count) in new[] { (0, 2), (2, 2), (4, 1) })
        {
            var (cost, gradients) = expected.Backpropagate(data.Features.AsSpan(start * 3, count * 3),
                Targets.Create<float>(data.Labels.AsSpan(start, count), 2), count);
            costSum += cost * count;
            optimizer.Step(gradients);
        }
        for (int l = 0; l < 2; l++)
        {
            Assert.Equal(expected.Layers[l].Weights, trained.Layers[l].Weights);
            Assert.Equal(expected.Layers[l].Biases, trained.Layers[l].Biases);
        }
        Assert.Equal(costSum / 5, report.TrainCost, 12);
        Assert.Equal(1, report.Epoch);
    }

    [Fact]
    public void The_same_seed_gives_the_same_network_and_another_seed_a_different_one()
    {
        var data = TrainingData.Random(50, 3, 2, seed: 3);
        float[] Train(ulong seed)
        {
            var network = Network<float>.Initialize(Small, seed);
            foreach (var _ in new Trainer(network, new TrainingOptions { Epochs = 3, BatchSize = 7, LearningRate = 0.1, Optimizer = "adam", Seed = seed }, data).Run()) { }
            return network.Layers.SelectMany(l => l.Weights.Concat(l.Biases)).ToArray();
        }
        Assert.Equal(Train(5), Train(5));
        Assert.NotEqual(Train(5), Train(6));
    }

    [Fact]
    public void Shuffling_changes_the_result_and_no_shuffle_matches_file_order()
    {
        var data = TrainingData.Random(40, 3, 2, seed: 4);
        float[] Train(bool shuffle)
        {
            var network = Network<float>.Initialize(Small, 1);
            new Trainer(network, new TrainingOptions { Epochs = 1, BatchSize = 4, LearningRate = 0.3, Optimizer = "sgd", Shuffle = shuffle }, data).RunEpoch();
            return network.Layers[0].Weights;
        }
        Assert.NotEqual(Train(true), Train(false));
    }

    [Fact]
    public void A_diverging_run_stops_with_advice_to_lower_the_learning_rate()
    {
        var data = TrainingData.Random(20, 3, 2, seed: 5);
        var network = Network<float>.Initialize(new Architecture([3, 8, 1], Activation.Relu, Activation.Identity, Cost.Quadratic), 1);
        var trainer = new Trainer(network, new TrainingOptions { Epochs = 50, BatchSize = 4, LearningRate = 1e6, Optimizer = "sgd" }, data);
        var error = Assert.Throws<BackpropException>(() => { foreach (var _ in trainer.Run()) { } });
        Assert.Contains("diverged", error.Message);
        Assert.Contains("lower the learning rate", error.Message);
    }

    [Theory]
    [InlineData(0, 10, 3.0, "sgd", "TrainingOptions.Epochs")]
    [InlineData(5, 0, 3.0, "sgd", "TrainingOptions.BatchSize")]
    [InlineData(5, 10, -1.0, "sgd", "TrainingOptions.LearningRate")]
    [InlineData(5, 10, 0.0, "sgd", "TrainingOptions.LearningRate")]
    [InlineData(5, 10, double.NaN, "sgd", "TrainingOptions.LearningRate")]
    [InlineData(5, 10, 0.1, "rmsprop", "TrainingOptions.Optimizer")]
    public void Impossible_hyperparameters_are_refused_naming_the_option(int epochs, int batch, double lr, string optimizer, string flag)
    {
        var error = Assert.Throws<BackpropException>(() => new TrainingOptions { Epochs = epochs, BatchSize = batch, LearningRate = lr, Optimizer = optimizer }.Validate());
        Assert.Contains(flag, error.Message);
    }

    [Fact]
    public void Labels_that_do_not_fit_the_output_layer_are_refused()
    {
        var data = TrainingData.Random(10, 3, 5, seed: 6);
        var network = Network<float>.Initialize(Small, 1);
        var error = Assert.Throws<BackpropException>(() => new Trainer(network, new TrainingOptions(), data));
        Assert.Contains("end it with 5", error.Message);
        var wrongWidth = TrainingData.Random(10, 4, 2, seed: 6);
        Assert.Contains("Architecture.Sizes 4,", Assert.Throws<BackpropException>(() => new Trainer(network, new TrainingOptions(), wrongWidth)).Message);
    }

    [Fact]
    public void A_training_step_allocates_nothing_once_warm()
    {
        var data = TrainingData.Random(256, 20, 4, seed: 7);
        var network = Network<float>.Initialize(new Architecture([20, 16, 4], Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 1);
        var trainer = new Trainer(network, new TrainingOptions { BatchSize = 32, Optimizer = "adam", LearningRate = 0.01 }, data);
        var indices = Enumerable.Range(0, 32).ToArray();
        WarmUp.PastTieredCompilation(() => trainer.Step(indices));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) trainer.Step(indices);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_batch_of_int_max_is_one_batch_of_every_example_not_an_overflow_to_none()
    {
        var data = TrainingData.Random(1000, 2, 2, seed: 4);
        var architecture = new Architecture([2, 4, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
        var huge = new Trainer(Network<float>.Initialize(architecture, 1), new TrainingOptions { Epochs = 1, BatchSize = int.MaxValue, LearningRate = 0.1 }, data);
        var whole = new Trainer(Network<float>.Initialize(architecture, 1), new TrainingOptions { Epochs = 1, BatchSize = 1000, LearningRate = 0.1 }, data);

        Assert.Equal(1, huge.BatchCount);
        var (hugeReport, wholeReport) = (huge.RunEpoch(), whole.RunEpoch());

        Assert.True(hugeReport.TrainCost > 0, $"train cost {hugeReport.TrainCost}: no batch ran");
        Assert.Equal(wholeReport.TrainCost, hugeReport.TrainCost);
        Assert.Equal(whole.Network.Layers[0].Weights, huge.Network.Layers[0].Weights);
    }

    [Theory]
    [InlineData(1e-50)]
    [InlineData(1e-39)]
    [InlineData(1e39)]
    public void A_learning_rate_that_rounds_to_zero_or_infinity_in_float32_is_refused(double lr) =>
        Expect.Failure(() => new TrainingOptions { LearningRate = lr }.Validate(), $"TrainingOptions.LearningRate {lr} is outside float32's normal range");

    [Fact]
    public void The_smallest_normal_float32_learning_rate_is_accepted() =>
        Assert.Equal(TrainingOptions.MinimumLearningRate, (float)new TrainingOptions { LearningRate = TrainingOptions.MinimumLearningRate }.Validate().LearningRate);
}
