using System.Diagnostics;
using System.Globalization;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Tests.Cli;
using Backprop.Tests.Data;
using Backprop.Tests.Serialization;
using Xunit.Abstractions;

namespace Backprop.Tests.CrossCheck;

/// <summary>
/// A model file loads in PyTorch: tests/interop/load_in_torch.py rebuilds the network from nn.Linear layers and must
/// reproduce `backprop predict --json` to 1e-5. Runs Debian's /usr/bin/python3 with python3-torch (CI installs it);
/// without it these tests fail, never skip.
/// </summary>
public class ModelFileInTorchTests(ITestOutputHelper output) : IDisposable
{
    const string Python = "/usr/bin/python3";
    static readonly string Script = Path.Combine(BackpropProcess.Root, "tests", "interop", "load_in_torch.py");
    static readonly Lazy<string?> TorchProblem = new(FindTorchProblem);

    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    static string? FindTorchProblem()
    {
        if (!File.Exists(Python)) return $"{Python} does not exist; run `apt-get install python3-torch` (CI's .ci/run does)";
        var check = RunPython("-c", "import torch");
        return check.ExitCode == 0 ? null
            : $"{Python} cannot import torch ({check.Error.Trim().Split('\n')[^1]}); run `apt-get install python3-torch` (CI's .ci/run does)";
    }

    static RunResult RunPython(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new RunResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    RunResult LoadInTorch(string model, string inputs, string predictions)
    {
        if (TorchProblem.Value is { } problem) Assert.Fail(problem);
        return RunPython(Script, "--model", model, "--inputs", inputs, "--predictions", predictions);
    }

    /// <summary>Runs the real `backprop predict --json` on the CSV and saves what it prints; returns that file.</summary>
    string Predict(string model, string inputs)
    {
        var predict = BackpropProcess.Run(_directory.Path, "predict", "--model", model, "--input", "csv:" + inputs, "--json");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var path = _directory.File(Path.GetFileNameWithoutExtension(model) + ".jsonl");
        File.WriteAllText(path, predict.Output);
        return path;
    }

    void AssertMatches(RunResult torch)
    {
        Assert.True(torch.ExitCode == 0, $"load_in_torch.py: {torch}");
        var line = Assert.Single(torch.OutputLines);
        Assert.StartsWith("PyTorch matches backprop:", line);
        output.WriteLine(line);
    }

    [Fact]
    public void A_model_trained_by_backprop_gives_the_same_outputs_in_pytorch()
    {
        var model = _directory.File("moons.safetensors");
        var train = BackpropProcess.Run(_directory.Path, "train", "--data", "moons", "--layers", "2,8,2", "--epochs", "3", "--standardize", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        var inputs = _directory.File("inputs.csv");
        ExportCommandTests.WriteInputs(inputs, 1000, seed: 31);

        AssertMatches(LoadInTorch(model, inputs, Predict(model, inputs)));
    }

    [Theory]
    [InlineData("sigmoid", "sigmoid", false)]
    [InlineData("tanh", "identity", true)]
    [InlineData("leaky-relu", "softmax", true)]
    [InlineData("identity", "softmax", false)]
    [InlineData("relu", "identity", true)]
    public void Every_activation_is_rebuilt_from_the_metadata(string hidden, string outputActivation, bool standardize)
    {
        var network = OnnxExportTests.RandomNetwork([2, 6, 5, 3], hidden, outputActivation, seed: 32);
        var model = _directory.File("model.safetensors");
        // Roughly the inputs' own mean and spread, as training would fit: the outputs stay O(1), where 1e-5 is a real test.
        ModelFile.Save(model, network, standardize ? new Standardizer([0.5f, 0.25f], [1.15f, 0.72f]) : null);
        var inputs = _directory.File("inputs.csv");
        ExportCommandTests.WriteInputs(inputs, 1000, seed: 34);

        AssertMatches(LoadInTorch(model, inputs, Predict(model, inputs)));
    }

    [Fact]
    public void A_regression_model_gives_predicts_values_in_the_targets_units_in_pytorch()
    {
        var network = OnnxExportTests.RandomNetwork([2, 6, 2], "relu", "identity", seed: 37);
        var model = _directory.File("regression.safetensors");
        ModelFile.Save(model, new Model(network, new Standardizer([0.5f, 0.25f], [1.15f, 0.72f]), Task: LearningTask.Regression,
            TargetScale: new Standardizer([152f, -3f], [77f, 0.5f])));
        var inputs = _directory.File("inputs.csv");
        ExportCommandTests.WriteInputs(inputs, 1000, seed: 38);

        var torch = LoadInTorch(model, inputs, Predict(model, inputs));
        AssertMatches(torch);
        Assert.Contains("identity, standardized, regression", torch.Output);
    }

    [Fact]
    public void The_script_fails_when_one_output_is_off_by_more_than_the_tolerance()
    {
        var model = _directory.File("model.safetensors");
        ModelFile.Save(model, OnnxExportTests.RandomNetwork([2, 4, 2], "tanh", "softmax", seed: 35));
        var inputs = _directory.File("inputs.csv");
        ExportCommandTests.WriteInputs(inputs, 10, seed: 36);
        var predictions = Predict(model, inputs);
        // Nudge output [7, 1] by 1e-4: ten times the tolerance, far above float rounding.
        var lines = File.ReadAllLines(predictions);
        var outputs = System.Text.Json.JsonDocument.Parse(lines[7]).RootElement.GetProperty("outputs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        string Json(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        lines[7] = $"{{\"index\":7,\"class\":0,\"outputs\":[{Json(outputs[0])},{Json(outputs[1] + 1e-4f)}]}}";
        File.WriteAllLines(predictions, lines);

        var torch = LoadInTorch(model, inputs, predictions);

        Assert.True(torch.ExitCode == 1, torch.ToString());
        Assert.StartsWith("mismatch: 10 inputs through 2,4,2 tanh/softmax: output [7, 1]", Assert.Single(torch.ErrorLines));
    }
}
