using Backprop.Activations;
using Backprop.Costs;
using Backprop.Kernels;
using Backprop.Layers;

namespace Backprop.Tests.Layers;

public class PredictorTests
{
    static Network<float> Make(int[] sizes, Activation hidden, Activation output, ulong seed)
    {
        var network = Network<float>.Initialize(new Architecture(sizes, hidden, output, output == Activation.Softmax ? Cost.CrossEntropy : Cost.Quadratic), seed);
        // Nonzero biases, so that a pass that forgot them would differ.
        var rng = new Rng(seed + 100);
        foreach (var layer in network.Layers)
            for (int j = 0; j < layer.Biases.Length; j++) layer.Biases[j] = (float)rng.NextDouble(-0.5, 0.5);
        return network;
    }

    static float[] Inputs(int count, int size, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count * size).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    /// <summary>The training pass's outputs for the same batch: the reference the predictor must match to the bit.</summary>
    static float[] TrainingForward(Network<float> network, float[] inputs, int count)
    {
        var pass = new Propagator<float>(network, count);
        inputs.CopyTo(pass.Input);
        pass.Forward(count);
        return pass.Output(count).ToArray();
    }

    static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: output {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Theory]
    [InlineData(new[] { 3, 2 }, "identity", "sigmoid", 1)]
    [InlineData(new[] { 5, 7, 3 }, "tanh", "softmax", 4)]
    [InlineData(new[] { 6, 9, 4, 8, 2 }, "relu", "identity", 17)]
    [InlineData(new[] { 784, 30, 10 }, "sigmoid", "sigmoid", 10)]
    [InlineData(new[] { 200, 130, 70, 10 }, "leaky-relu", "softmax", 33)]
    [InlineData(new[] { 784, 256, 128, 10 }, "relu", "softmax", 256)] // weights packed once, two threads; training packs per call, each thread its half
    [InlineData(new[] { 784, 1024, 1024, 10 }, "relu", "softmax", 1)] // the matrix-vector kernel on the predictor's copy of W
    public void Outputs_equal_the_training_forward_pass_to_the_bit(int[] sizes, string hidden, string output, int count)
    {
        var network = Make(sizes, Activation.Parse(hidden), Activation.Parse(output), 3);
        var x = Inputs(count, sizes[0], 4);
        var outputs = new float[count * network.OutputSize];
        network.CreatePredictor(count).Forward(x, outputs);
        AssertBits(TrainingForward(network, x, count), outputs, $"{string.Join(",", sizes)} batch {count}");
    }

    [Fact]
    public void A_two_layer_network_gives_the_values_worked_by_hand()
    {
        // z¹ = W¹x + b¹ with W¹ = [[1, 2], [−1, 0.5]], b¹ = (0.5, −1); a¹ = relu(z¹); z² = W²a¹ + b², W² = [2, −3], b² = 0.25.
        // x = (1, 3): z¹ = (7.5, −0.5), a¹ = (7.5, 0), z² = 15 + 0.25 = 15.25. x = (0.5, 4): z¹ = (9, 0.5), a¹ = (9, 0.5),
        // z² = 18 − 1.5 + 0.25 = 16.75. x = (2, −4): z¹ = (−5.5, −5), a¹ = 0, z² = 0.25.
        var architecture = new Architecture([2, 2, 1], Activation.Relu, Activation.Identity, Cost.Quadratic);
        var network = new Network<float>(architecture,
        [
            new Layer<float>(2, 2, Activation.Relu, [1, 2, -1, 0.5f], [0.5f, -1]),
            new Layer<float>(2, 1, Activation.Identity, [2, -3], [0.25f]),
        ]);
        var outputs = new float[3];
        network.CreatePredictor(3).Forward([1, 3, 0.5f, 4, 2, -4], outputs);
        Assert.Equal([15.25f, 16.75f, 0.25f], outputs);
    }

    [Fact]
    public void More_examples_than_the_batch_are_computed_in_passes_of_the_batch()
    {
        var network = Make([12, 8, 3], Activation.Tanh, Activation.Softmax, 5);
        var x = Inputs(10, 12, 6);
        var outputs = new float[10 * 3];
        network.CreatePredictor(4).Forward(x, outputs);
        // Passes of 4, 4 and 2 examples.
        var expected = TrainingForward(network, x[..48], 4).Concat(TrainingForward(network, x[48..96], 4)).Concat(TrainingForward(network, x[96..], 2)).ToArray();
        AssertBits(expected, outputs, "passes of 4");
        // Softmax rows are probabilities: each sums to 1.
        for (int i = 0; i < 10; i++) Assert.Equal(1.0, outputs[(3 * i)..(3 * i + 3)].Sum(v => (double)v), 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    public void A_call_allocates_nothing_after_warm_up(int batch)
    {
        // 784,256,128,10 at batch 256 is 51 M multiply-adds in its first product: the GEMM worker shares it.
        var network = Make([784, 256, 128, 10], Activation.Relu, Activation.Softmax, 7);
        var predictor = network.CreatePredictor(batch);
        var x = Inputs(batch, 784, 8);
        var outputs = new float[batch * 10];
        WarmUp.PastTieredCompilation(() => predictor.Forward(x, outputs));
        long sharedBefore = GemmWorker.Available ? GemmWorker.JobsSharedByCurrentThread : 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) predictor.Forward(x, outputs);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"50 calls at batch {batch} allocated {allocated} bytes");
        if (batch == 256 && GemmWorker.Available)
            Assert.True(GemmWorker.JobsSharedByCurrentThread > sharedBefore, "the worker never took part: the test did not cover the two-thread path");
    }

    [Fact]
    public void Many_threads_each_with_a_predictor_give_the_single_threaded_results_to_the_bit()
    {
        // 784,1024,1024,10 at passes of 16: products of 13 M and 17 M multiply-adds, which the GEMM worker shares with
        // whichever thread gets it first while the others compute alone.
        var network = Make([784, 1024, 1024, 10], Activation.Relu, Activation.Softmax, 9);
        const int examples = 64, batch = 16, threads = 4, rounds = 5;
        var x = Inputs(examples, 784, 10);
        var expected = new float[examples * 10];
        network.CreatePredictor(batch).Forward(x, expected);

        var results = new float[threads][];
        var failures = new Exception?[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                var predictor = network.CreatePredictor(batch);
                var outputs = new float[examples * 10];
                start.SignalAndWait();
                for (int round = 0; round < rounds; round++)
                {
                    predictor.Forward(x, outputs);
                    for (int i = 0; i < outputs.Length; i++)
                        if (BitConverter.SingleToInt32Bits(outputs[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                            throw new Xunit.Sdk.XunitException($"thread {t} round {round}: output {i} is {outputs[i]:R}, single-threaded {expected[i]:R}");
                }
                results[t] = outputs;
            }
            catch (Exception e) { failures[t] = e; }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        Assert.All(failures, f => Assert.Null(f));
        Assert.All(results, r => AssertBits(expected, r, "a thread's last round"));
    }

    [Fact]
    public void A_predictor_keeps_the_weights_it_was_made_with()
    {
        // It copies and packs W and b when made: training the network afterwards changes a new predictor's outputs only.
        var network = Make([50, 40, 3], Activation.Tanh, Activation.Softmax, 12);
        var x = Inputs(30, 50, 13);
        var before = new float[30 * 3];
        var predictor = network.CreatePredictor(30);
        predictor.Forward(x, before);
        foreach (var layer in network.Layers)
        {
            for (int i = 0; i < layer.Weights.Length; i++) layer.Weights[i] *= 0.5f;
            layer.Biases[0] += 1;
        }
        var again = new float[30 * 3];
        predictor.Forward(x, again);
        AssertBits(before, again, "the first predictor after the weights changed");
        var fresh = new float[30 * 3];
        network.CreatePredictor(30).Forward(x, fresh);
        AssertBits(TrainingForward(network, x, 30), fresh, "a predictor made after the change");
        Assert.NotEqual(before, fresh);
    }

    [Fact]
    public void Inputs_that_are_not_whole_examples_are_refused_naming_the_sizes()
    {
        var network = Make([3, 4, 2], Activation.Tanh, Activation.Softmax, 1);
        var predictor = network.CreatePredictor(2);
        var e = Assert.Throws<ArgumentException>(() => predictor.Forward(new float[7], new float[4]));
        Assert.Equal("inputs", e.ParamName);
        Assert.StartsWith("the inputs must be whole examples of 3 values each, got 7 values", e.Message);
        var o = Assert.Throws<ArgumentException>(() => predictor.Forward(new float[6], new float[3]));
        Assert.Equal("outputs", o.ParamName);
        Assert.StartsWith("2 examples of 2 outputs need 4 output values, got 3", o.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => network.CreatePredictor(0));
    }
}
