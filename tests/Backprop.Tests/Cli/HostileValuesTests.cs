using System.Security.Cryptography;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>
/// Issue 15, "values and words": text from files shown safely (15), impossible values refused instead of
/// accepted as silent no-ops (16), and messages that name the real problem and a fix the command can take (17).
/// </summary>
public class HostileValuesTests
{
    static readonly Architecture TwoTwo = new([2, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);

    static string AssertOneErrorLine(RunResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, $"expected exit 2, actual {result}");
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.True(line.Contains(expected, StringComparison.Ordinal), $"expected \"…{expected}…\", actual: {line}");
        Assert.DoesNotContain("   at ", result.Error);
        return line;
    }

    static void AssertPrintable(string text)
    {
        int bad = text.TrimEnd('\n').IndexOfAny([.. Enumerable.Range(0, 32).Where(c => c != '\n').Select(c => (char)c), '\x7f']);
        Assert.True(bad < 0, $"a control character (U+{(bad < 0 ? 0 : (int)text[bad]):X4}) at {bad} reached the terminal: {text[..Math.Min(text.Length, 300)]}");
    }

    // ───────────── 15: text from files ─────────────

    [Fact]
    public void Model_metadata_with_escapes_and_100000_characters_is_cut_and_shown_with_question_marks()
    {
        using var folder = new TempDirectory();
        var network = Network<float>.Initialize(TwoTwo, 1);
        var tensors = Enumerable.Range(0, network.Layers.Count).SelectMany(l => new[]
        {
            new Tensor(ModelFile.WeightName(l), [network.Layers[l].OutputSize, network.Layers[l].InputSize], network.Layers[l].Weights),
            new Tensor(ModelFile.BiasName(l), [network.Layers[l].OutputSize], network.Layers[l].Biases),
        });
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "backprop", ["format_version"] = "1", ["layers"] = "2,3,2", ["output_activation"] = "softmax", ["cost"] = "cross-entropy",
            ["activation"] = "\u001b]0;owned\u0007\u001b[2J" + new string('A', 100_000),
        };
        SafeTensorsFile.Write(folder.File("m.safetensors"), tensors, metadata);

        var result = BackpropProcess.Run(folder.Path, "evaluate", "--model", "m.safetensors", "--data", "moons");

        var line = AssertOneErrorLine(result, "unknown activation '?]0;owned??[2JAAAA");
        AssertPrintable(result.Error);
        Assert.True(line.Length < 400, $"the error line is {line.Length} characters: the value was not cut");
    }

    [Fact]
    public void Checkpoint_metadata_with_escapes_is_cut_and_shown_with_question_marks()
    {
        using var folder = new TempDirectory();
        // A checkpoint whose checksum holds, with a hostile format version.
        var metadata = new Dictionary<string, string> { ["format"] = Checkpoint.FormatName, ["format_version"] = "\u001b[31m\u0007" + new string('9', 100_000) };
        Tensor[] tensors = [new Tensor("trainer.order", [1], [0f])];
        metadata["checksum"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(SafeTensorsFile.ToBytes(tensors, metadata)));
        Directory.CreateDirectory(folder.File("checkpoints"));
        File.WriteAllBytes(folder.File("checkpoints/checkpoint-000001-00000000.safetensors"), SafeTensorsFile.ToBytes(tensors, metadata));

        var result = BackpropProcess.Run(folder.Path, "train", "--resume", "checkpoints");

        var line = AssertOneErrorLine(result, "checkpoint format version ?[31m?9999");
        AssertPrintable(result.Error);
        Assert.True(line.Length < 400, $"the error line is {line.Length} characters: the value was not cut");
    }

    [Fact]
    public void A_data_path_from_a_checkpoints_metadata_is_printed_with_question_marks_on_resume()
    {
        using var folder = new TempDirectory();
        string name = "d\u001b[31m\u0007.csv";
        folder.WriteText(name, "0,0,0\n1,1,1\n0,1,1\n1,0,0\n");
        var fresh = BackpropProcess.Run(folder.Path, "train", "--data", "csv:" + name, "--layers", "2,3,2", "--epochs", "1", "--checkpoint-dir", "ck", "--no-pictures");
        Assert.True(fresh.ExitCode == 0, fresh.ToString());

        // The run's data path now comes from the checkpoint's run.data entry.
        var resumed = BackpropProcess.Run(folder.Path, "train", "--resume", "ck", "--out", "again.safetensors");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        AssertPrintable(resumed.Output);
        Assert.Contains(resumed.OutputLines, l => l.Contains("d?[31m?.csv", StringComparison.Ordinal));
    }

    // ───────────── 16: impossible values ─────────────

    [Fact]
    public void A_batch_of_int_max_on_1000_examples_trains_one_batch_of_all_like_batch_1000()
    {
        using var folder = new TempDirectory();
        string[] common = ["train", "--data", "xor", "--layers", "2,8,2", "--epochs", "2", "--seed", "3", "--no-pictures"];

        var huge = BackpropProcess.Run(folder.Path, [.. common, "--batch", "2147483647", "--out", "huge.safetensors"]);
        var whole = BackpropProcess.Run(folder.Path, [.. common, "--batch", "1000", "--out", "whole.safetensors"]);

        Assert.True(huge.ExitCode == 0, huge.ToString());
        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.DoesNotContain(huge.OutputLines, l => l.Contains("cost 0.000000", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(folder.File("whole.safetensors")), File.ReadAllBytes(folder.File("huge.safetensors")));
    }

    [Theory]
    [InlineData("1e-50")]
    [InlineData("1e-40")]
    [InlineData("1e39")]
    public void A_learning_rate_that_float32_cannot_hold_is_exit_2(string lr)
    {
        using var folder = new TempDirectory();
        var result = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--epochs", "1", "--lr", lr, "--out", "m.safetensors");
        AssertOneErrorLine(result, "is outside float32's normal range");
        Assert.False(File.Exists(folder.File("m.safetensors")));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("infinity")]
    public void A_gradcheck_tolerance_that_no_check_could_meet_is_bad_input_not_a_failed_check(string tolerance)
    {
        using var folder = new TempDirectory();
        var result = BackpropProcess.Run(folder.Path, "gradcheck", "--tolerance", tolerance);
        AssertOneErrorLine(result, "--tolerance must be a relative error above 0 and at most 1");
    }

    // ───────────── 17: messages ─────────────

    [Fact]
    public void Init_weights_holding_nan_are_named_not_blamed_on_the_learning_rate()
    {
        using var folder = new TempDirectory();
        var network = Network<float>.Initialize(TwoTwo, 1);
        network.Layers[1].Weights[4] = float.NaN;
        ModelFile.Save(folder.File("init.safetensors"), network);

        var result = BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--layers", "2,3,2", "--activation", "tanh", "--epochs", "1", "--init", "init.safetensors", "--out", "m.safetensors");

        var line = AssertOneErrorLine(result, "init.safetensors: tensor 'layers.1.weight' holds NaN at index 4; a network needs finite weights and biases");
        Assert.DoesNotContain("learning rate", line);
    }

    [Fact]
    public void Epochs_past_int_max_are_out_of_range_not_not_a_whole_number()
    {
        using var folder = new TempDirectory();
        var result = BackpropProcess.Run(folder.Path, "train", "--epochs", "1000000000000");
        AssertOneErrorLine(result, "--epochs 1000000000000 is out of range: it takes a whole number up to 2147483647");
    }

    [Fact]
    public void Evaluate_and_explain_name_the_model_instead_of_advising_layers()
    {
        using var folder = new TempDirectory();
        ModelFile.Save(folder.File("two.safetensors"), Network<float>.Initialize(TwoTwo, 1));
        folder.WriteText("three.csv", "1,2,3,0\n4,5,6,1\n");

        var labels = BackpropProcess.Run(folder.Path, "evaluate", "--model", "two.safetensors", "--data", "blobs");
        var features = BackpropProcess.Run(folder.Path, "evaluate", "--model", "two.safetensors", "--data", "csv:three.csv");
        var explain = BackpropProcess.Run(folder.Path, "explain", "--model", "two.safetensors", "--data", "blobs", "--weight", "1:0:0");

        foreach (var result in new[] { labels, features, explain }) Assert.DoesNotContain("--layers", result.Error);
        AssertOneErrorLine(labels, "the test part of blobs has labels up to 2 but the model two.safetensors predicts only 0…1; give it data with those labels, or train a model on this data");
        AssertOneErrorLine(features, "the file of csv:three.csv has 3 features but the model two.safetensors takes 2 inputs; give it data shaped like the data it was trained on");
        AssertOneErrorLine(explain, "the model two.safetensors predicts only 0…1");
    }

    [Fact]
    public void Idx_train_and_test_images_of_different_sizes_are_named_as_such()
    {
        using var folder = new TempDirectory();
        folder.Write("set/train-images-idx3-ubyte", Idx.Images(3, 4, 4, new byte[48]));
        folder.Write("set/train-labels-idx1-ubyte", Idx.Labels(0, 1, 0));
        folder.Write("set/t10k-images-idx3-ubyte", Idx.Images(2, 5, 5, new byte[50]));
        folder.Write("set/t10k-labels-idx1-ubyte", Idx.Labels(1, 0));

        var result = BackpropProcess.Run(folder.Path, "train", "--data", "idx:set", "--epochs", "1", "--out", "m.safetensors");

        var line = AssertOneErrorLine(result, "set: the test part has 25 features per example but the training part has 16; both parts must come from one dataset");
        Assert.DoesNotContain("--layers 25", line);
    }

    [Fact]
    public void Sixty_thousand_layers_are_refused_before_training_not_at_save()
    {
        using var folder = new TempDirectory();
        string layers = "2," + string.Join(",", Enumerable.Repeat("1", 59_999)) + ",2";

        var result = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", layers, "--epochs", "1", "--out", "m.safetensors");

        var line = AssertOneErrorLine(result, "--layers gives 60000 weighted layers; a model file holds at most 50000 (two tensors each, 100000 per file); use fewer layers");
        Assert.True(line.Length < 300, line);
        Assert.DoesNotContain("epoch", result.Output);
    }

    [Fact]
    public void Layers_too_many_for_a_checkpoint_are_refused_before_training_with_checkpoint_dir()
    {
        using var folder = new TempDirectory();
        // 20,000 layers fit a model file (40,000 tensors) but not an Adam checkpoint (6 per layer, and the order).
        string layers = "2," + string.Join(",", Enumerable.Repeat("1", 19_999)) + ",2";

        var result = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", layers, "--epochs", "1", "--checkpoint-dir", "checkpoints", "--out", "m.safetensors");

        AssertOneErrorLine(result, "a checkpoint of this run would hold 120001 tensors (40000 weights and biases, 80000 optimizer buffers, the example order), more than the 100000 a file may hold");
        Assert.DoesNotContain("epoch", result.Output);
        Assert.False(File.Exists(folder.File("m.safetensors")));
    }

    [Fact]
    public void A_function_starting_with_a_minus_sign_is_a_function_not_a_short_option()
    {
        using var folder = new TempDirectory();
        var result = BackpropProcess.Run(folder.Path, "descend", "--function", "-x1^2", "--start", "1", "--steps", "2", "--out", "d.png");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("f(x1) = -x1^2", result.OutputLines[0]);
        Assert.Contains(result.OutputLines, l => l.StartsWith("step 2  x = (1.44)", StringComparison.Ordinal));
    }
}
