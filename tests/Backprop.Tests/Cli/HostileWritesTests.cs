using System.Security.Cryptography;
using Backprop.Serialization;
using Backprop.Tests.Data;
using Backprop.Tests.Serialization;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>
/// What the tool writes, and what it may allocate, under hostile paths and files (issue 15, defects 1–11): every
/// refusal is exit code 2 with one line, before any work, and leaves every file as it was.
/// </summary>
public class HostileWritesTests
{
    static readonly string[] QuickTrain = ["train", "--data", "xor", "--epochs", "1", "--layers", "2,4,2"];

    static void AssertRefused(RunResult r, string phrase)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.True(line.Contains(phrase, StringComparison.Ordinal), $"expected \"{phrase}\" in:\n{line}");
        Assert.DoesNotContain("   at ", r.Error);
    }

    static Dictionary<string, string> Snapshot(TempDirectory folder) =>
        Directory.GetFileSystemEntries(folder.Path, "*", SearchOption.AllDirectories).ToDictionary(p => p, p =>
            new FileInfo(p) is { LinkTarget: { } target } ? "link → " + target
            : Directory.Exists(p) ? "folder" : FileStatus.Of(p, followLinks: false).Kind != FileKind.Regular ? "special" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));

    // ───────────── 1: only regular files are replaced ─────────────

    [Fact]
    public void Defect01_train_and_export_never_replace_a_fifo()
    {
        using var folder = new TempDirectory();
        OutputFileTests.MakeFifo(folder.File("pipe"));
        var before = Snapshot(folder);
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "pipe"]), "pipe: could not write the file (it is not a regular file");
        Assert.Equal(before, Snapshot(folder));

        Assert.Equal(0, BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors", "--no-pictures"]).ExitCode);
        before = Snapshot(folder);
        AssertRefused(BackpropProcess.Run(folder.Path, "export", "--model", "m.safetensors", "--onnx", "pipe"), "pipe: could not write the file (it is not a regular file");
        Assert.Equal(before, Snapshot(folder));
    }

    // ───────────── 2: never through a link ─────────────

    [Fact]
    public void Defect02_a_link_at_a_picture_path_is_refused_before_training_and_its_target_kept()
    {
        using var folder = new TempDirectory();
        folder.WriteText("precious.txt", "precious");
        File.CreateSymbolicLink(folder.File("m.curves.png"), "precious.txt");
        var before = Snapshot(folder);
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors"]), "m.curves.png: could not write the file (it is a symbolic link");
        Assert.Equal(before, Snapshot(folder));

        File.CreateSymbolicLink(folder.File("graph.svg"), "precious.txt");
        before = Snapshot(folder);
        AssertRefused(BackpropProcess.Run(folder.Path, "graph"), "graph.svg: could not write the file (it is a symbolic link");
        Assert.Equal(before, Snapshot(folder));
        Assert.Equal("precious", File.ReadAllText(folder.File("precious.txt")));
    }

    // ───────────── 3: an output equal to an input ─────────────

    [Fact]
    public void Defect03_an_output_that_is_an_input_is_refused_before_any_work()
    {
        using var folder = new TempDirectory();
        folder.WriteText("d.csv", "1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        Assert.Equal(0, BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors", "--no-pictures"]).ExitCode);
        var before = Snapshot(folder);

        AssertRefused(BackpropProcess.Run(folder.Path, "train", "--data", "csv:d.csv", "--out", "d.csv", "--epochs", "1"), "--out d.csv is the same file as --data d.csv");
        AssertRefused(BackpropProcess.Run(folder.Path, "export", "--model", "m.safetensors", "--onnx", "./m.safetensors"), "is the same file as --model m.safetensors");
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "c.safetensors", "--checkpoint-dir", "c.safetensors"]), "are the same file");
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "n.safetensors", "--init", "n.safetensors"]), "--out n.safetensors is the same file as --init n.safetensors");
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors", "--init", "m.safetensors"]), "is the same file as --init");
        Assert.Equal(before, Snapshot(folder));
    }

    // ───────────── 4: a failed run replaces nothing, crashes never ─────────────

    [Fact]
    public void Defect04_an_unwritable_picture_fails_before_training_and_keeps_the_previous_model()
    {
        using var folder = new TempDirectory();
        folder.WriteText("m.safetensors", "the previous model");
        Directory.CreateDirectory(folder.File("m.curves.png"));
        var before = Snapshot(folder);
        AssertRefused(BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors"]), "m.curves.png: could not write the file (it is a folder");
        Assert.Equal(before, Snapshot(folder));

        Directory.CreateDirectory(folder.File("descend.png"));
        AssertRefused(BackpropProcess.Run(folder.Path, "descend"), "descend.png: could not write the file (it is a folder");
        File.CreateSymbolicLink(folder.File("link.dot"), "m.safetensors");
        AssertRefused(BackpropProcess.Run(folder.Path, "graph", "--dot", "link.dot"), "link.dot: could not write the file (it is a symbolic link");
        Assert.False(File.Exists(folder.File("graph.svg")), "graph wrote the SVG before finding the DOT path unwritable");
        Assert.Equal("the previous model", File.ReadAllText(folder.File("m.safetensors")));
    }

    [Fact]
    public void Defect04_a_picture_that_fails_after_the_model_was_saved_is_a_warning_and_leaves_no_truncated_file()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, new Dictionary<string, string?> { ["BACKPROP_TEST_FAIL_PICTURE_WRITE"] = "m.boundary.png" },
            [.. QuickTrain, "--out", "m.safetensors", "--json"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var warning = Assert.Single(r.ErrorLines);
        Assert.StartsWith("warning: picture not written: m.boundary.png: could not write the file (No space left on device (simulated))", warning);
        Assert.Equal(["m.curves.png", "m.safetensors"], Directory.GetFiles(folder.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        Assert.Contains("\"pictures\":[\"m.curves.png\"]", r.OutputLines[^1]);
    }

    // ───────────── 5: a checkpoint folder is untrusted ─────────────

    /// <summary>Edits a checkpoint's metadata and signs it again, as anyone can: SHA-256 detects damage, not tampering.</summary>
    static void Forge(string path, string key, string value)
    {
        var file = SafeTensorsFile.Read(path);
        var metadata = file.Metadata.Where(p => p.Key != "checksum").ToDictionary(p => p.Key, p => p.Value);
        metadata[key] = value;
        metadata["checksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(file.Tensors, metadata)));
        File.WriteAllBytes(path, SafeTensorsFile.ToBytes(file.Tensors, metadata));
        Checkpoint.Read(path); // still verifies
    }

    static string Newest(string folder) => Directory.GetFiles(folder, "checkpoint-*.safetensors").Order(StringComparer.Ordinal).Last();

    [Fact]
    public void Defect05_resume_writes_only_beside_the_folder_or_to_out_never_where_the_checkpoint_says()
    {
        using var folder = new TempDirectory();
        var victim = folder.WriteText("elsewhere/victim.txt", "victim");
        Assert.Equal(0, BackpropProcess.Run(folder.Path, [.. QuickTrain, "--no-pictures", "--out", "m.safetensors", "--checkpoint-dir", "run"]).ExitCode);
        File.Delete(folder.File("m.safetensors"));
        Forge(Newest(folder.File("run")), "run.out", victim);

        var resumed = BackpropProcess.Run(folder.Path, "train", "--resume", "run");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal("victim", File.ReadAllText(victim));
        Assert.True(File.Exists(folder.File("model.safetensors")), resumed.ToString());

        Forge(Newest(folder.File("run")), "run.out", folder.File("elsewhere/other.safetensors"));
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--resume", "run").ExitCode);
        Assert.True(File.Exists(folder.File("other.safetensors")), "the stored file name, beside the folder");
        Assert.False(File.Exists(folder.File("elsewhere/other.safetensors")), "written where the checkpoint said");
    }

    [Fact]
    public void Defect05_resume_refuses_a_folder_holding_checkpoints_of_different_runs()
    {
        using var folder = new TempDirectory();
        folder.WriteText("a.csv", "1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        folder.WriteText("b.csv", "1,2,1\n3,4,0\n5,6,1\n7,8,0\n");
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--data", "csv:a.csv", "--epochs", "1", "--no-pictures", "--out", "a.safetensors", "--checkpoint-dir", "ca").ExitCode);
        Assert.Equal(0, BackpropProcess.Run(folder.Path, "train", "--data", "csv:b.csv", "--epochs", "2", "--no-pictures", "--out", "b.safetensors", "--checkpoint-dir", "cb").ExitCode);
        File.Copy(folder.File("cb/checkpoint-000002-00000000.safetensors"), folder.File("ca/checkpoint-000002-00000000.safetensors"));

        var r = BackpropProcess.Run(folder.Path, "train", "--resume", "ca");
        Assert.True(r.ErrorLines.Length == 1, r.ToString());
        AssertRefused(r, $"{folder.File("ca")} holds checkpoints of different runs: checkpoint-000002-00000000.safetensors has --data csv:{folder.File("b.csv")} but checkpoint-000001-00000000.safetensors has csv:{folder.File("a.csv")}");
    }

    // ───────────── 6: one run per checkpoint folder ─────────────

    [Fact]
    public void Defect06_a_second_run_on_a_checkpoint_folder_in_use_fails_at_once_naming_the_other()
    {
        using var folder = new TempDirectory();
        using var held = new CheckpointStore(folder.File("run"));
        held.Lock();
        var r = BackpropProcess.Run(folder.Path, [.. QuickTrain, "--checkpoint-dir", "run", "--out", "m.safetensors"]);
        AssertRefused(r, $"{folder.File("run")} is in use by another run (process {Environment.ProcessId}, since ");
        Assert.False(File.Exists(folder.File("m.safetensors")));
        Assert.Empty(held.List());
        AssertRefused(BackpropProcess.Run(folder.Path, "train", "--resume", "run"), "is in use by another run");
    }

    // ───────────── 7–11: memory and time, bounded before allocating ─────────────

    static Dictionary<string, string?> Limit(long bytes) => new() { ["DOTNET_GCHeapHardLimit"] = "0x" + bytes.ToString("x") };

    [Fact]
    public void Defect07_a_sparse_two_gigabyte_checkpoint_is_refused_under_a_memory_limit_and_a_link_to_dev_zero_passed_over()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("run"));
        using (var sparse = File.Create(folder.File("run/checkpoint-000001-00000000.safetensors"))) sparse.SetLength(2_000_000_000);
        var r = BackpropProcess.Run(folder.Path, Limit(1536L << 20), "train", "--resume", "run");
        AssertRefused(r, "verifying a checkpoint of 2000000000 bytes (the file, its tensors and a copy to compare) needs about 6.0 GB (6,000,000,000 bytes) of memory, but this process can have only 1.6 GB (1,610,612,736 bytes)");

        File.Delete(folder.File("run/checkpoint-000001-00000000.safetensors"));
        File.CreateSymbolicLink(folder.File("run/checkpoint-000001-00000000.safetensors"), "/dev/zero");
        AssertRefused(BackpropProcess.Run(folder.Path, "train", "--resume", "run"), "checkpoint-000001-00000000.safetensors: not a regular file");
    }

    [Fact]
    public void Defect08_a_huge_single_line_csv_and_dev_zero_blame_the_file()
    {
        using var folder = new TempDirectory();
        using (var writer = new StreamWriter(folder.File("line.csv")))
            for (int i = 0; i < 5_100_000; i++) writer.Write("1,");
        AssertRefused(BackpropProcess.Run(folder.Path, Limit(512L << 20), "train", "--data", "csv:line.csv", "--epochs", "1"), "line.csv: line 1 is longer than 10000000 characters");
        Assert.Equal(0, BackpropProcess.Run(folder.Path, [.. QuickTrain, "--out", "m.safetensors", "--no-pictures"]).ExitCode);
        AssertRefused(BackpropProcess.Run(folder.Path, Limit(512L << 20), "predict", "--model", "m.safetensors", "--input", "csv:line.csv"), "line.csv: line 1 is longer than");
        AssertRefused(BackpropProcess.Run(folder.Path, "train", "--data", "csv:/dev/zero", "--epochs", "1"), "/dev/zero: not a regular file");
    }

    [Fact]
    public void Defect09_an_honest_gzip_idx_set_larger_than_the_memory_limit_is_refused_naming_both_sizes()
    {
        using var folder = new TempDirectory();
        // 200,000 blank 28×28 images: 156.8 MB of pixels in ~150 kB of gzip, 627.2 MB as floats; the limit is 512 MiB.
        Idx.WriteSet(folder, "set", gzip: true);
        File.Delete(folder.File("set/train-images-idx3-ubyte.gz"));
        File.Delete(folder.File("set/train-labels-idx1-ubyte.gz"));
        folder.Write("set/train-labels-idx1-ubyte.gz", Idx.Gzip(Idx.Labels(new byte[200_000])));
        using (var file = File.Create(folder.File("set/train-images-idx3-ubyte.gz")))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            gzip.Write(Idx.Images(200_000, 28, 28, []));
            var zeros = new byte[1 << 20];
            for (long left = 200_000L * 784; left > 0; left -= zeros.Length) gzip.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        var r = BackpropProcess.Run(folder.Path, Limit(512L << 20), "train", "--data", "idx:set", "--epochs", "1");
        AssertRefused(r, "train-images-idx3-ubyte.gz: 200000 images of 28×28 as 4-byte floats needs about 627.2 MB (627,200,000 bytes) of memory, but this process can have only 536.9 MB (536,870,912 bytes)");
    }

    [Fact]
    public void Defect10_a_network_too_large_for_memory_is_refused_before_allocating()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, Limit(4L << 30), "train", "--data", "xor", "--layers", "2,32768,32768,2", "--epochs", "1");
        AssertRefused(r, "--layers 2,32768,32768,2: training 1,073,938,434 parameters with adam (weights, gradients, optimizer state and batch buffers) needs about 17.2 GB");
        Assert.Contains("this process can have only 4.3 GB (4,294,967,296 bytes)", r.Error);
    }

    [Fact]
    public void Defect11_cost_of_derivatives_with_ten_thousand_sizes_is_refused_at_once()
    {
        using var folder = new TempDirectory();
        var r = BackpropProcess.Run(folder.Path, "explain", "--cost-of-derivatives", "--layers", string.Join(",", Enumerable.Repeat("3", 10_000)));
        AssertRefused(r, "--cost-of-derivatives counts at most 100");
        var most = BackpropProcess.Run(folder.Path, "explain", "--cost-of-derivatives", "--layers", string.Join(",", Enumerable.Repeat("30", 101)));
        Assert.True(most.ExitCode == 0, most.ToString());
        Assert.True(most.Output.Length < 1_000_000, $"{most.Output.Length} characters");
    }
}
