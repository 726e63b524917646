using System.Globalization;
using System.Security.Cryptography;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class CheckpointTests
{
    static readonly Architecture Small = new([3, 4, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);

    // 53 examples in batches of 5: 11 batches, the last one partial.
    static readonly Dataset Data = TrainingData.Random(53, 3, 2, seed: 8);

    static TrainingOptions Options(string optimizer) => new()
    {
        Epochs = 4, BatchSize = 5, LearningRate = optimizer == "adam" ? 0.05 : 0.2, Optimizer = optimizer, Momentum = 0.8,
        WeightDecay = 0.01, Seed = 9, Shuffle = true,
    };

    /// <summary>The checkpoint's bytes at <paramref name="epoch"/> epochs and <paramref name="batch"/> batches done of a fresh run.</summary>
    static byte[] CheckpointAt(TrainingOptions options, int epoch, int batch, IReadOnlyDictionary<string, string>? run = null)
    {
        var trainer = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        byte[]? saved = null;
        trainer.BetweenBatches = t => { if (t.Epoch == epoch && t.Batch == batch) saved = Checkpoint.Capture(t, run).ToBytes(); };
        while (saved is null && trainer.Epoch < options.Epochs)
        {
            if (batch == 0 && trainer.Epoch == epoch) saved = Checkpoint.Capture(trainer, run).ToBytes();
            else trainer.RunEpoch();
        }
        return saved ?? throw new InvalidOperationException($"the run never stood at epoch {epoch}, batch {batch}");
    }

    static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length expected {expected.Length}, actual {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}[{i}]: expected {expected[i]:R}, actual {actual[i]:R}");
    }

    [Theory]
    [InlineData("sgd", 1, 7)]
    [InlineData("sgd", 2, 0)]
    [InlineData("momentum", 0, 1)]
    [InlineData("momentum", 2, 0)]
    [InlineData("momentum", 3, 10)]
    [InlineData("adam", 0, 10)]
    [InlineData("adam", 1, 3)]
    [InlineData("adam", 1, 0)]
    public void A_run_resumed_from_a_checkpoint_ends_with_the_same_bits_as_the_run_left_alone(string optimizer, int epoch, int batch)
    {
        var options = Options(optimizer);
        var alone = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        var aloneReports = alone.Run().ToList();

        var bytes = CheckpointAt(options, epoch, batch);
        // Other initial weights: everything the resumed run computes must come from the checkpoint.
        var resumed = new Trainer(Network<float>.Initialize(Small, 77), options, Data);
        Checkpoint.FromBytes(bytes, "test checkpoint").Restore(resumed);
        var resumedReports = resumed.Run().ToList();

        Assert.Equal(aloneReports.Skip(epoch).Select(r => r.Epoch), resumedReports.Select(r => r.Epoch));
        // The resumed epoch's train cost continues the stored running sum, so even it agrees to the bit.
        Assert.Equal(aloneReports.Skip(epoch).Select(r => r.TrainCost), resumedReports.Select(r => r.TrainCost));
        for (int l = 0; l < Small.LayerCount; l++)
        {
            AssertSameBits(alone.Network.Layers[l].Weights, resumed.Network.Layers[l].Weights, $"layer {l} weights");
            AssertSameBits(alone.Network.Layers[l].Biases, resumed.Network.Layers[l].Biases, $"layer {l} biases");
        }
        Assert.Equal(alone.Optimizer.StepCount, resumed.Optimizer.StepCount);
        for (int i = 0; i < alone.Optimizer.State.Count; i++)
            AssertSameBits(alone.Optimizer.State[i], resumed.Optimizer.State[i], $"optimizer buffer {i}");
    }

    [Fact]
    public void Every_stored_piece_of_state_matters_to_the_result()
    {
        // The resume test above would pass vacuously if restoring made no difference; here each piece, left
        // out, changes the outcome — so the test above does test them.
        var options = Options("adam");
        var alone = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        foreach (var _ in alone.Run()) { }
        var checkpoint = Checkpoint.FromBytes(CheckpointAt(options, 1, 3), "test checkpoint");

        float[] ResumeWith(Action<Trainer> spoil)
        {
            var trainer = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
            checkpoint.Restore(trainer);
            spoil(trainer);
            foreach (var _ in trainer.Run()) { }
            return trainer.Network.Layers[0].Weights;
        }
        var expected = alone.Network.Layers[0].Weights;
        Assert.Equal(expected, ResumeWith(_ => { }));
        Assert.NotEqual(expected, ResumeWith(t => t.Optimizer.StepCount -= 1));
        Assert.NotEqual(expected, ResumeWith(t => t.Optimizer.State[0][0] += 0.5f));
        Assert.NotEqual(expected, ResumeWith(t => t.Random.NextUInt64()));
        Assert.NotEqual(expected, ResumeWith(t => (t.Order[0], t.Order[20]) = (t.Order[20], t.Order[0])));
    }

    [Fact]
    public void A_checkpoint_taken_after_a_cancelled_epoch_resumes_where_the_cancellation_stopped()
    {
        var options = Options("momentum");
        var alone = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        foreach (var _ in alone.Run()) { }

        using var cancel = new CancellationTokenSource();
        var stopped = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        stopped.RunEpoch();
        stopped.BetweenBatches = t => { if (t.Batch == 4) cancel.Cancel(); };
        Assert.Throws<OperationCanceledException>(() => stopped.RunEpoch(cancellation: cancel.Token));
        Assert.Equal((1, 4), (stopped.Epoch, stopped.Batch));

        var bytes = Checkpoint.Capture(stopped).ToBytes();
        var resumed = new Trainer(Network<float>.Initialize(Small, 5), options, Data);
        Checkpoint.FromBytes(bytes, "test checkpoint").Restore(resumed);
        foreach (var _ in resumed.Run()) { }
        for (int l = 0; l < Small.LayerCount; l++)
            AssertSameBits(alone.Network.Layers[l].Weights, resumed.Network.Layers[l].Weights, $"layer {l} weights");
    }

    [Fact]
    public void Between_batches_is_called_after_every_batch_but_an_epochs_last()
    {
        var trainer = new Trainer(Network<float>.Initialize(Small, 3), Options("sgd"), Data);
        var seen = new List<(int, int)>();
        trainer.BetweenBatches = t => seen.Add((t.Epoch, t.Batch));
        trainer.RunEpoch();
        trainer.RunEpoch();
        var expected = Enumerable.Range(1, 10).Select(b => (0, b)).Concat(Enumerable.Range(1, 10).Select(b => (1, b)));
        Assert.Equal(expected, seen);
        Assert.Equal((2, 0), (trainer.Epoch, trainer.Batch));
    }

    [Fact]
    public void A_checkpoint_round_trips_to_the_same_bytes_and_the_same_state()
    {
        var run = new Dictionary<string, string> { ["data"] = "csv:/tmp/x.csv", ["lr"] = "0.05" };
        var bytes = CheckpointAt(Options("adam"), 2, 6, run);
        var checkpoint = Checkpoint.FromBytes(bytes, "test checkpoint");

        Assert.Equal(bytes, checkpoint.ToBytes());
        Assert.Equal((2, 6, 2L * 11 + 6), (checkpoint.Epoch, checkpoint.Batch, checkpoint.StepCount));
        Assert.Equal("checkpoint-000002-00000006.safetensors", checkpoint.FileName);
        Assert.Equal(run, checkpoint.Run);
        Assert.Equal(Options("adam"), checkpoint.Options);
        Assert.Equal(Small.ToString(), checkpoint.Architecture.ToString());
        Assert.Equal(Small.SizesText, checkpoint.Architecture.SizesText);
        Assert.Equal(2, checkpoint.LastReport?.Epoch);

        // Restoring into a fresh trainer and capturing again gives the very same file: nothing is lost on the way.
        var trainer = new Trainer(Network<float>.Initialize(Small, 1), checkpoint.Options, Data);
        checkpoint.Restore(trainer);
        Assert.Equal(bytes, Checkpoint.Capture(trainer, run).ToBytes());
    }

    [Fact]
    public void The_file_is_safetensors_laid_out_as_documented()
    {
        var options = Options("momentum");
        var trainer = new Trainer(Network<float>.Initialize(Small, 3), options, Data);
        trainer.RunEpoch();
        var order = (int[])trainer.Order.Clone();
        var state = trainer.Random.State;
        var file = SafeTensorsFile.Read(Checkpoint.Capture(trainer).ToBytes(), "test checkpoint");

        Assert.Equal(trainer.Network.Layers[1].Weights, file.Find("layers.1.weight")!.Data);
        Assert.Equal(new[] { 2, 4 }, file.Find("layers.1.weight")!.Shape);
        Assert.Equal(trainer.Optimizer.State[3], file.Find("optimizer.3")!.Data);
        Assert.Null(file.Find("optimizer.4"));
        Assert.Equal(order, file.Find("trainer.order")!.Data.Select(v => (int)v));
        var m = file.Metadata;
        Assert.Equal(("backprop-checkpoint", "1", "1", "0", "11"), (m["format"], m["format_version"], m["epoch"], m["batch"], m["step_count"]));
        Assert.Equal(string.Join(",", state.Select(w => w.ToString(CultureInfo.InvariantCulture))), m["rng"]);
        Assert.Equal(("3,4,2", "tanh", "momentum", "5", "53", "true"), (m["layers"], m["activation"], m["optimizer"], m["batch_size"], m["examples"], m["shuffle"]));

        // The checksum is SHA-256 of the file written without it.
        var without = m.Where(p => p.Key != "checksum").ToDictionary(p => p.Key, p => p.Value);
        var hash = Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(file.Tensors, without)));
        Assert.Equal("sha256:" + hash, m["checksum"]);
    }

    [Fact]
    public void Every_single_flipped_bit_is_detected()
    {
        var bytes = CheckpointAt(Options("adam"), 1, 2);
        foreach (byte mask in new byte[] { 0x01, 0x80 })
            for (int i = 0; i < bytes.Length; i++)
            {
                var damaged = (byte[])bytes.Clone();
                damaged[i] ^= mask;
                var checkpoint = Checkpoint.TryFromBytes(damaged, "damaged", out var problem);
                Assert.True(checkpoint is null, $"byte {i} of {bytes.Length} xor 0x{mask:x2} went unnoticed");
                Assert.True(problem is "checksum mismatch" or "no checksum" or "truncated or not a safetensors file", $"byte {i}: problem '{problem}'");
            }
    }

    [Fact]
    public void Every_truncation_is_detected_and_named()
    {
        var bytes = CheckpointAt(Options("sgd"), 0, 4);
        for (int length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<BackpropException>(() => Checkpoint.FromBytes(bytes.AsSpan(0, length), "checkpoint-000000-00000004.safetensors"));
            Assert.True(error.Message.StartsWith("checkpoint-000000-00000004.safetensors: corrupt (", StringComparison.Ordinal), $"length {length}: {error.Message}");
        }
    }

    [Fact]
    public void A_checkpoint_whose_checksum_holds_but_whose_version_is_unknown_is_refused_not_skipped()
    {
        var file = SafeTensorsFile.Read(CheckpointAt(Options("sgd"), 0, 4), "original");
        var metadata = file.Metadata.Where(p => p.Key != "checksum").ToDictionary(p => p.Key, p => p.Value);
        metadata["format_version"] = "2";
        metadata["checksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(file.Tensors, metadata)));
        var bytes = SafeTensorsFile.ToBytes(file.Tensors, metadata);

        var error = Assert.Throws<BackpropException>(() => Checkpoint.TryFromBytes(bytes, "future.safetensors", out _));
        Assert.Contains("checkpoint format version 2; this backprop reads version 1", error.Message);
    }

    [Theory]
    [InlineData("batch size")]
    [InlineData("optimizer")]
    [InlineData("training examples")]
    [InlineData("the network")]
    [InlineData("learning rate")]
    [InlineData("momentum")]
    [InlineData("weight decay")]
    [InlineData("shuffle")]
    public void Restoring_into_a_different_run_is_refused_naming_the_difference(string difference)
    {
        // Momentum is checked only for the momentum optimizer, whose update uses it.
        string optimizer = difference == "momentum" ? "momentum" : "adam";
        var checkpoint = Checkpoint.FromBytes(CheckpointAt(Options(optimizer), 1, 3), "test checkpoint");
        var options = Options(optimizer);
        var architecture = Small;
        var data = Data;
        switch (difference)
        {
            case "batch size": options = options with { BatchSize = 6 }; break;
            case "optimizer": options = options with { Optimizer = "sgd" }; break;
            case "training examples": data = TrainingData.Random(52, 3, 2, seed: 8); break;
            case "the network": architecture = new Architecture(Small.Sizes, Activation.Sigmoid, Small.OutputActivation, Small.Cost); break;
            case "learning rate": options = options with { LearningRate = options.LearningRate * 1.0000001 }; break;
            case "momentum": options = options with { Momentum = 0.81 }; break;
            case "weight decay": options = options with { WeightDecay = 0 }; break;
            case "shuffle": options = options with { Shuffle = false }; break;
        }
        var trainer = new Trainer(Network<float>.Initialize(architecture, 3), options, data);
        var error = Assert.Throws<BackpropException>(() => checkpoint.Restore(trainer));
        Assert.Contains($"was taken with {difference}", error.Message);
    }

    [Fact]
    public void A_checkpoint_whose_checksum_holds_but_whose_order_repeats_an_example_is_refused()
    {
        var file = SafeTensorsFile.Read(CheckpointAt(Options("sgd"), 1, 4), "original");
        var tensors = file.Tensors.Select(t => t.Name != "trainer.order" ? t
            : new Tensor(t.Name, t.Shape, t.Data.Select((v, i) => i == 7 ? t.Data[3] : v).ToArray())).ToList();
        var metadata = file.Metadata.Where(p => p.Key != "checksum").ToDictionary(p => p.Key, p => p.Value);
        metadata["checksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(tensors, metadata)));
        var bytes = SafeTensorsFile.ToBytes(tensors, metadata);
        var duplicate = file.Find("trainer.order")!.Data[3];

        var error = Assert.Throws<BackpropException>(() => Checkpoint.TryFromBytes(bytes, "repeated.safetensors", out _));

        Assert.Contains($"'trainer.order' is not an order of 53 examples (value {duplicate} at index 7)", error.Message);
    }
}
