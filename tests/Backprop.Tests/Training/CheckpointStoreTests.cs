using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class CheckpointStoreTests
{
    static readonly Architecture Small = new([2, 3, 2], Activation.Relu, Activation.Softmax, Cost.CrossEntropy);

    /// <summary>Checkpoints of one run (batch 4, 10 examples: 3 batches an epoch) at every position it passes, keyed by (epoch, batch).</summary>
    static Dictionary<(int, int), Checkpoint> Positions()
    {
        var rng = new Rng(2);
        var x = Enumerable.Range(0, 20).Select(_ => (float)rng.NextGaussian()).ToArray();
        var data = new Dataset(x, Enumerable.Range(0, 10).Select(i => i % 2).ToArray(), 2, 2);
        var trainer = new Trainer(Network<float>.Initialize(Small, 1), new TrainingOptions { Epochs = 3, BatchSize = 4, Optimizer = "adam", LearningRate = 0.01 }, data);
        var all = new Dictionary<(int, int), Checkpoint> { [(0, 0)] = Checkpoint.Capture(trainer) };
        trainer.BetweenBatches = t => all[(t.Epoch, t.Batch)] = Checkpoint.Capture(t);
        foreach (var _ in trainer.Run()) all[(trainer.Epoch, 0)] = Checkpoint.Capture(trainer);
        return all;
    }

    static readonly Dictionary<(int, int), Checkpoint> At = Positions();

    static string[] Names(CheckpointStore store) => store.List().Select(f => Path.GetFileName(f)).ToArray();

    [Fact]
    public void Writing_keeps_the_newest_three_by_position()
    {
        using var folder = new TempDirectory();
        var store = new CheckpointStore(Path.Combine(folder.Path, "made-on-first-write"));
        Assert.Empty(store.List());
        foreach (var position in new[] { (0, 1), (0, 2), (1, 0), (1, 2), (2, 1) })
            Assert.Equal(Path.Combine(store.Directory, At[position].FileName), store.Write(At[position]));
        Assert.Equal(["checkpoint-000002-00000001.safetensors", "checkpoint-000001-00000002.safetensors", "checkpoint-000001-00000000.safetensors"], Names(store));
    }

    [Fact]
    public void Loading_passes_over_a_damaged_newest_checkpoint_to_the_one_before_and_says_why()
    {
        using var folder = new TempDirectory();
        var store = new CheckpointStore(folder.Path);
        store.Write(At[(1, 1)]);
        store.Write(At[(1, 2)]);
        var newest = store.Write(At[(2, 0)]);
        var bytes = File.ReadAllBytes(newest);
        bytes[^10] ^= 0x10; // in the data section: the file still parses, and only the checksum can tell
        File.WriteAllBytes(newest, bytes);

        var loaded = store.LoadNewest();

        Assert.Equal(Path.Combine(folder.Path, "checkpoint-000001-00000002.safetensors"), loaded.Path);
        Assert.Equal((1, 2), (loaded.Checkpoint.Epoch, loaded.Checkpoint.Batch));
        Assert.Equal([new SkippedCheckpoint(newest, "checksum mismatch")], loaded.Skipped);
    }

    [Fact]
    public void A_torn_temporary_file_is_ignored_and_removed_by_the_next_write()
    {
        using var folder = new TempDirectory();
        var store = new CheckpointStore(folder.Path);
        store.Write(At[(0, 2)]);
        var torn = Path.Combine(folder.Path, ".checkpoint-000001-00000000.safetensors.tmp-0123456789abcdef");
        File.WriteAllBytes(torn, At[(1, 0)].ToBytes()[..100]);

        Assert.Equal((0, 2), (store.LoadNewest().Checkpoint.Epoch, store.LoadNewest().Checkpoint.Batch));
        Assert.Empty(store.LoadNewest().Skipped);
        store.Write(At[(1, 0)]);
        Assert.False(File.Exists(torn), "the torn temporary file is still there");
    }

    [Fact]
    public void A_run_resumed_before_damaged_checkpoints_replaces_them_as_it_passes()
    {
        using var folder = new TempDirectory();
        var store = new CheckpointStore(folder.Path);
        store.Write(At[(0, 1)]);
        store.Write(At[(1, 1)]);
        var damaged = store.Write(At[(2, 0)]);
        File.WriteAllBytes(damaged, File.ReadAllBytes(damaged)[..^1]);
        Assert.Equal((1, 1), (store.LoadNewest().Checkpoint.Epoch, store.LoadNewest().Checkpoint.Batch));

        // The resumed run writes (1, 2): (2, 0) lies ahead on the stretch it replays, and goes.
        store.Write(At[(1, 2)]);
        Assert.Equal(["checkpoint-000001-00000002.safetensors", "checkpoint-000001-00000001.safetensors", "checkpoint-000000-00000001.safetensors"], Names(store));
    }

    [Fact]
    public void Loading_from_a_folder_with_nothing_usable_says_what_to_do()
    {
        using var folder = new TempDirectory();
        var empty = Assert.Throws<BackpropException>(() => new CheckpointStore(folder.Path).LoadNewest());
        Assert.Equal($"{folder.Path} holds no checkpoint (checkpoint-*.safetensors); start the run with CheckpointStore {folder.Path} instead", empty.Message);

        var missing = Assert.Throws<BackpropException>(() => new CheckpointStore(folder.File("nope")).LoadNewest());
        Assert.Equal($"{folder.File("nope")}: no such folder; give the folder a run wrote with CheckpointStore", missing.Message);

        File.WriteAllBytes(folder.File("checkpoint-000001-00000000.safetensors"), []);
        var broken = Assert.Throws<BackpropException>(() => new CheckpointStore(folder.Path).LoadNewest());
        Assert.Equal($"{folder.Path} holds no valid checkpoint, only damaged ones (checkpoint-000001-00000000.safetensors: empty file); start the run again", broken.Message);
    }

    [Fact]
    public void Positions_sort_by_number_even_past_the_padding()
    {
        using var folder = new TempDirectory();
        foreach (var name in new[] { "checkpoint-000009-00000002.safetensors", "checkpoint-1000000-00000000.safetensors", "checkpoint-000010-00000000.safetensors", "checkpoint-000009-100000000.safetensors", "notes.txt", "checkpoint-1-2.safetensors.bak" })
            File.WriteAllBytes(folder.File(name), []);
        Assert.Equal(["checkpoint-1000000-00000000.safetensors", "checkpoint-000010-00000000.safetensors", "checkpoint-000009-100000000.safetensors", "checkpoint-000009-00000002.safetensors"],
            Names(new CheckpointStore(folder.Path)));
    }

    [Fact]
    public void A_second_store_on_a_folder_in_use_is_refused_at_once_naming_the_holder()
    {
        using var folder = new TempDirectory();
        using var first = new CheckpointStore(folder.Path);
        first.Write(At[(0, 1)]);
        using var second = new CheckpointStore(folder.Path);
        var error = Assert.Throws<BackpropException>(second.Lock);
        Assert.StartsWith($"{folder.Path} is in use by another run (process {Environment.ProcessId}, since ", error.Message);
        Assert.Throws<BackpropException>(() => second.Write(At[(0, 2)]));
        Assert.Equal(["checkpoint-000000-00000001.safetensors"], Names(first));

        first.Dispose();
        second.Write(At[(0, 2)]);
        Assert.Equal(["checkpoint-000000-00000002.safetensors", "checkpoint-000000-00000001.safetensors"], Names(second));
    }

    [Fact]
    public void A_checkpoint_that_is_a_link_to_a_device_is_passed_over_without_reading_it()
    {
        using var folder = new TempDirectory();
        using (var store = new CheckpointStore(folder.Path)) store.Write(At[(0, 1)]);
        var link = folder.File("checkpoint-000009-00000000.safetensors");
        File.CreateSymbolicLink(link, "/dev/zero");
        var loaded = new CheckpointStore(folder.Path).LoadNewest();
        Assert.Equal((0, 1), (loaded.Checkpoint.Epoch, loaded.Checkpoint.Batch));
        Assert.Equal([new SkippedCheckpoint(link, "not a regular file")], loaded.Skipped);
        Assert.Contains("not a regular file", Assert.Throws<BackpropException>(() => Checkpoint.Read(link)).Message);
    }

    [Fact]
    public void A_checkpoint_larger_than_memory_is_refused_before_it_is_read()
    {
        using var folder = new TempDirectory();
        var path = folder.File("checkpoint-000001-00000000.safetensors");
        using (var sparse = File.Create(path)) sparse.SetLength(2_000_000_000);
        using var limit = MemoryBudget.LimitForTests(1_610_612_736);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<BackpropException>(() => new CheckpointStore(folder.Path).LoadNewest());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "allocated before refusing");
        Assert.Equal($"{path}: verifying a checkpoint of 2000000000 bytes (the file, its tensors and a copy to compare) needs about 6.0 GB (6,000,000,000 bytes) " +
                     "of memory, but this process can have only 1.6 GB (1,610,612,736 bytes); resume where more memory is available, or from an earlier checkpoint", error.Message);
        Assert.Equal(error.Message, Assert.Throws<BackpropException>(() => Checkpoint.Read(path)).Message);
    }
}
