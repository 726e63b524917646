using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Serialization;
using Backprop.Tests.Data;
using Backprop.Tests.Serialization;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Backprop.Tests.Cli;

/// <summary>`backprop export`: a trained model, exported, runs in ONNX Runtime exactly as `backprop predict` runs it.</summary>
public class ExportCommandTests(ITestOutputHelper output) : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>Writes <paramref name="count"/> rows of two features as CSV, each float written so it parses back exactly.</summary>
    internal static float[] WriteInputs(string path, int count, ulong seed)
    {
        var rng = new Rng(seed);
        var inputs = new float[2 * count];
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < count; i++)
        {
            inputs[2 * i] = (float)rng.NextDouble(-1.5, 2.5);
            inputs[2 * i + 1] = (float)rng.NextDouble(-1.0, 1.5);
            text.Append(inputs[2 * i].ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(inputs[2 * i + 1].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return inputs;
    }

    /// <summary>The "outputs" arrays of `predict --json`, in order, flattened row-major.</summary>
    internal static float[] ParsePredictions(RunResult predict, int count)
    {
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal(count, predict.OutputLines.Length);
        var outputs = new List<float>();
        for (int i = 0; i < count; i++)
        {
            using var line = JsonDocument.Parse(predict.OutputLines[i]);
            Assert.Equal(i, line.RootElement.GetProperty("index").GetInt32());
            outputs.AddRange(line.RootElement.GetProperty("outputs").EnumerateArray().Select(v => v.GetSingle()));
        }
        return [.. outputs];
    }

    [Fact]
    public void A_trained_model_exported_to_onnx_matches_predict_on_1000_inputs()
    {
        var model = _directory.File("moons.safetensors");
        var train = BackpropProcess.Run(_directory.Path, "train", "--data", "moons", "--layers", "2,8,2", "--epochs", "3", "--standardize", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        var inputs = WriteInputs(_directory.File("inputs.csv"), 1000, seed: 21);
        var expected = ParsePredictions(BackpropProcess.Run(_directory.Path, "predict", "--model", model, "--input", "csv:inputs.csv", "--json"), 1000);

        var export = BackpropProcess.Run(_directory.Path, "export", "--model", model, "--onnx", "moons.onnx");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal("wrote moons.onnx: 2,8,2 relu/softmax, standardisation as Sub/Div; ONNX opset 17, input 'input' [batch, 2], output 'output' [batch, 2]",
            Assert.Single(export.OutputLines));
        Assert.Equal("", export.Error);
        using var session = new InferenceSession(_directory.File("moons.onnx"));
        var actual = OnnxRunner.Run(session, inputs, 1000);
        double largest = OnnxRunner.AssertClose(expected, actual, 2, 1e-5, "ONNX Runtime vs backprop predict");
        output.WriteLine($"max |onnx - backprop predict| = {largest:G3} over 1000 inputs");
    }

    [Fact]
    public void The_onnx_file_is_what_the_library_writes_for_the_model()
    {
        var network = OnnxExportTests.RandomNetwork([3, 4, 2], "tanh", "sigmoid", seed: 22);
        var standardizer = OnnxExportTests.RandomStandardizer(3, seed: 23);
        ModelFile.Save(_directory.File("m.safetensors"), network, standardizer);

        var export = BackpropProcess.Run(_directory.Path, "export", "--model", "m.safetensors", "--onnx", "m.onnx");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(OnnxExport.ToBytes(network, standardizer), File.ReadAllBytes(_directory.File("m.onnx")));
    }

    [Fact]
    public void An_existing_output_is_replaced_and_no_temporary_file_is_left()
    {
        ModelFile.Save(_directory.File("m.safetensors"), OnnxExportTests.RandomNetwork([2, 3, 2], "relu", "softmax", seed: 24));
        File.WriteAllText(_directory.File("m.onnx"), "stale");

        var export = BackpropProcess.Run(_directory.Path, "export", "--model", "m.safetensors", "--onnx", "m.onnx");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.NotEqual("stale", File.ReadAllText(_directory.File("m.onnx")));
        Assert.Equal(["m.onnx", "m.safetensors"], Directory.GetFiles(_directory.Path).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    [Fact]
    public void A_file_that_is_not_a_model_exits_2_with_one_line_and_writes_nothing()
    {
        File.WriteAllText(_directory.File("bad.safetensors"), "this is not a safetensors file");

        var export = BackpropProcess.Run(_directory.Path, "export", "--model", "bad.safetensors", "--onnx", "out.onnx");

        Assert.Equal(2, export.ExitCode);
        var line = Assert.Single(export.ErrorLines);
        Assert.StartsWith("error: bad.safetensors", line);
        Assert.Equal("", export.Output);
        Assert.False(File.Exists(_directory.File("out.onnx")));
    }

    [Theory]
    [InlineData(new[] { "export", "--onnx", "out.onnx" }, "error: export needs --model FILE, a model written by `backprop train`")]
    [InlineData(new[] { "export", "--model", "m.safetensors" }, "error: export needs --onnx OUT.onnx, the file to write")]
    public void A_missing_flag_exits_2_naming_it(string[] args, string message)
    {
        ModelFile.Save(_directory.File("m.safetensors"), OnnxExportTests.RandomNetwork([2, 3, 2], "relu", "softmax", seed: 25));

        var export = BackpropProcess.Run(_directory.Path, args);

        Assert.Equal(2, export.ExitCode);
        Assert.Equal(message, Assert.Single(export.ErrorLines));
    }

    [Fact]
    public void An_output_in_a_missing_directory_exits_2_with_the_fix()
    {
        ModelFile.Save(_directory.File("m.safetensors"), OnnxExportTests.RandomNetwork([2, 3, 2], "relu", "softmax", seed: 26));

        var export = BackpropProcess.Run(_directory.Path, "export", "--model", "m.safetensors", "--onnx", "nowhere/m.onnx");

        Assert.Equal(2, export.ExitCode);
        var line = Assert.Single(export.ErrorLines);
        Assert.StartsWith("error: nowhere/m.onnx: could not write the file", line);
        Assert.EndsWith("check that the directory exists, is writable and has free space", line);
    }
}
