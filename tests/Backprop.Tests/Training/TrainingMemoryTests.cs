using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class TrainingMemoryTests
{
    static Architecture Shape(params int[] sizes) => new(sizes, Activation.Relu, Activation.Softmax, Cost.CrossEntropy);

    [Fact]
    public void The_estimate_counts_parameters_gradients_optimizer_state_and_batch_buffers()
    {
        // 2,3,2: P = 2·3 + 3 + 3·2 + 2 = 17; batch 4 of 10: 4·(2 + 3·(3 + 2) + 3 + 2) = 88 floats.
        var adam = new TrainingOptions { Optimizer = "adam", BatchSize = 4 };
        Assert.Equal(4.0 * (4 * 17 + 88), TrainingMemory.Bytes(Shape(2, 3, 2), adam, examples: 10));
        Assert.Equal(4.0 * (2 * 17 + 88), TrainingMemory.Bytes(Shape(2, 3, 2), adam with { Optimizer = "sgd" }, examples: 10));
        Assert.Equal(4.0 * (5 * 17 + 88), TrainingMemory.Bytes(Shape(2, 3, 2), adam with { Optimizer = "momentum" }, examples: 10, checkpoints: true)); // weights, gradients, velocity; a checkpoint copies weights and velocity
        // A batch larger than the data is allocated for the data.
        Assert.Equal(4.0 * (4 * 17 + 2 * 22), TrainingMemory.Bytes(Shape(2, 3, 2), adam with { BatchSize = 1000 }, examples: 2));
    }

    [Fact]
    public void A_network_too_large_for_the_process_is_refused_before_allocating()
    {
        using var limit = MemoryBudget.LimitForTests(4L << 30);
        var shape = Shape(2, 32768, 32768, 2).Validate();
        var error = Assert.Throws<BackpropException>(() => TrainingMemory.Require(shape, new TrainingOptions { Optimizer = "adam", BatchSize = 10 }, 1000));
        Assert.Equal("Architecture.Sizes 2,32768,32768,2: training 1,073,938,434 parameters with adam (weights, gradients, optimizer state and batch buffers) needs about 17.2 GB " +
                     "(17,192,190,384 bytes) of memory, but this process can have only 4.3 GB (4,294,967,296 bytes); use smaller layers, a smaller TrainingOptions.BatchSize, or TrainingOptions.Optimizer sgd (no state)", error.Message);
        TrainingMemory.Require(Shape(784, 30, 10), new TrainingOptions(), 60000);
    }
}
