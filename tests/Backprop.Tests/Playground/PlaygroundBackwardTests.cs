using System.Globalization;
using System.Text.Json;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Tests.Cli;
using Backprop.Training;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Backprop.Tests.Playground;

/// <summary>The backward pass in the page: receipts against the CLI's explain, the step-through against the batched engine.</summary>
[Collection("playground")]
public sealed class PlaygroundBackwardTests(PlaygroundSite site, ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("backprop-playground-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    const string Moons = "data=moons&examples=200&test-fraction=0.5&layers=2,5,4,2&activation=tanh&batch=10&epochs=3&seed=2";
    static readonly string[] MoonsData = ["--data", "moons", "--examples", "200", "--test-fraction", "0.5", "--seed", "2"];

    static async Task<double> Value(ILocator locator) =>
        double.Parse(await locator.GetAttributeAsync("data-value") ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture);

    static void Relative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(Math.Abs(expected), 1e-12),
            $"{what}: expected {expected:R}, the page shows {actual:R} (relative tolerance {tolerance})");

    async Task<string> Download(IPage page, string name)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-model").ClickAsync());
        string path = Path.Combine(folder, name);
        await download.SaveAsAsync(path);
        return path;
    }

    async Task TwoEpochs(IPage page)
    {
        await page.GetByTestId("step-epoch").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("1");
        await page.GetByTestId("step-epoch").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task A_weights_receipt_equals_explain_on_the_downloaded_model_and_the_finite_difference()
    {
        var page = await site.OpenAsync("#" + Moons + "&example=7&weight=2:1:3");
        await TwoEpochs(page);
        var receipt = page.GetByTestId("receipt");
        await Expect(receipt).ToHaveAttributeAsync("data-parameter", "W2[1,3]");
        double gradient = await Value(page.GetByTestId("receipt-gradient"));
        double delta = await Value(page.GetByTestId("receipt-delta"));
        double numeric = await Value(page.GetByTestId("receipt-numeric"));
        var terms = new List<double>();
        for (int i = 0; i < 2; i++) terms.Add(double.Parse((await page.GetByTestId($"receipt-term-{i}").GetAttributeAsync("data-product"))!, CultureInfo.InvariantCulture));
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "receipt.png"), FullPage = true });

        string model = await Download(page, "page.safetensors");
        var explained = BackpropProcess.Run(folder, ["explain", "--model", model, .. MoonsData, "--weight", "2:1:3", "--example", "7", "--json"]);
        Assert.True(explained.ExitCode == 0, explained.ToString());
        var json = JsonDocument.Parse(explained.OutputLines[^1]).RootElement;
        output.WriteLine($"page ∂C/∂W2[1,3] = {gradient:R}, explain {json.GetProperty("derivative").GetDouble():R}, finite difference {numeric:R}");
        Relative(json.GetProperty("derivative").GetDouble(), gradient, 1e-6, "∂C/∂W2[1,3]");
        Relative(json.GetProperty("delta").GetDouble(), delta, 1e-6, "δ2[1]");
        var cliTerms = json.GetProperty("next_layer_terms").EnumerateArray().Select(t => t.GetProperty("product").GetDouble()).ToArray();
        Assert.Equal(2, cliTerms.Length);
        for (int i = 0; i < 2; i++) Relative(cliTerms[i], terms[i], 1e-6, $"W3[{i},1]·δ3[{i}]");
        Relative(gradient, numeric, 1e-5, "the finite difference beside it");
    }

    [Fact]
    public async Task A_bias_chosen_by_clicking_and_an_example_chosen_by_clicking_its_point_give_explains_numbers()
    {
        var page = await site.OpenAsync("#" + Moons);
        await TwoEpochs(page);
        await page.GetByTestId("point-11").DispatchEventAsync("click"); // points overlap: a real click may land on a neighbour
        await Expect(page.GetByTestId("example")).ToHaveValueAsync("11");
        await page.GetByLabel("b¹[4] =", new() { Exact = false }).ClickAsync();
        await Expect(page.GetByTestId("receipt")).ToHaveAttributeAsync("data-parameter", "b1[4]");
        Assert.Contains("example=11", page.Url);
        Assert.Contains("bias=1:4", page.Url);
        double gradient = await Value(page.GetByTestId("receipt-gradient"));
        // A parameter typed that the network lacks gets the library's message; the receipt stays.
        await page.GetByTestId("parameter").FillAsync("7:0");
        await page.GetByTestId("parameter").PressAsync("Enter");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("layer 7 does not exist");
        await Expect(page.GetByTestId("receipt")).ToHaveAttributeAsync("data-parameter", "b1[4]");

        string model = await Download(page, "page.safetensors");
        var explained = BackpropProcess.Run(folder, ["explain", "--model", model, .. MoonsData, "--bias", "1:4", "--example", "11", "--json"]);
        Assert.True(explained.ExitCode == 0, explained.ToString());
        Relative(JsonDocument.Parse(explained.OutputLines[^1]).RootElement.GetProperty("derivative").GetDouble(), gradient, 1e-6, "∂C/∂b1[4]");

        // Over the last mini-batch: the mean is the batched engine's gradient for those examples.
        await page.GetByTestId("step").ClickAsync();
        await page.GetByTestId("receipt-batch").CheckAsync();
        await Expect(page.GetByTestId("receipt")).ToHaveAttributeAsync("data-parameter", "b1[4]");
        double mean = await Value(page.GetByTestId("receipt-gradient"));
        string stepped = await Download(page, "stepped.safetensors");
        var run = TrainingRun.Start(RunSettings.FromQuery(Moons));
        run.StepEpoch();
        run.StepEpoch();
        run.StepBatch();
        int[] batch = run.LastBatch;
        var network = ModelFile.Load(stepped).Network.Convert<double>();
        var inputs = batch.SelectMany(i => run.Train.Example(i).ToArray().Select(v => (double)v)).ToArray();
        var targets = Targets.Create<double>(batch.Select(i => run.Train.Labels[i]).ToArray(), network.OutputSize);
        var (_, gradients) = network.Backpropagate(inputs, targets, batch.Length);
        Relative(gradients.Biases[0][4], mean, 1e-6, "the mean of ∂C_k/∂b1[4] over the last mini-batch");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "receipt-batch.png"), FullPage = true });
    }

    [Fact]
    public async Task The_step_through_shows_the_deltas_of_the_librarys_backward_pass_layer_by_layer()
    {
        var page = await site.OpenAsync("#" + Moons + "&example=4&weight=2:1:3");
        await TwoEpochs(page);
        var stage = page.GetByTestId("walk-stage");
        await Expect(stage).ToHaveAttributeAsync("data-phase", "Input");
        await page.GetByTestId("walk-next").ClickAsync();
        await page.GetByTestId("walk-next").ClickAsync();
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(stage).ToHaveAttributeAsync("data-phase", "Forward");
        await Expect(stage).ToHaveAttributeAsync("data-layer", "3");
        Assert.Equal("", await page.GetByTestId("walk-neuron-3-0").GetAttributeAsync("data-delta"));
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(stage).ToHaveAttributeAsync("data-phase", "Backward");
        await Expect(stage).ToHaveAttributeAsync("data-layer", "3");
        // The output's δ is known, the layers below are not reached yet.
        Assert.NotEqual("", await page.GetByTestId("walk-neuron-3-0").GetAttributeAsync("data-delta"));
        Assert.Equal("", await page.GetByTestId("walk-neuron-2-0").GetAttributeAsync("data-delta"));
        await page.GetByTestId("walk-next").ClickAsync();
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(stage).ToHaveAttributeAsync("data-layer", "1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "step-through.png"), FullPage = true });

        string model = await Download(page, "page.safetensors");
        var loaded = ModelFile.Load(model);
        var test = loaded.Prepare(DataSource.Test("moons", new DataOptions(Seed: 2, Examples: 200, TestFraction: 0.5))!);
        var network = loaded.Network.Convert<double>();
        var x = test.Example(4).ToArray().Select(v => (double)v).ToArray();
        var y = Targets.Create<double>([test.Labels[4]], network.OutputSize);
        // For one example the batched engine's ∂C/∂bˡ is δˡ.
        var (_, gradients) = network.Backpropagate(x, y, 1);
        for (int l = 1; l <= 3; l++)
            for (int j = 0; j < network.Layers[l - 1].OutputSize; j++)
                Relative(gradients.Biases[l - 1][j], await Value(page.GetByTestId($"walk-neuron-{l}-{j}"), "data-delta"), 1e-6, $"δ{l}[{j}]");
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(stage).ToHaveAttributeAsync("data-phase", "Update");
    }

    const string Plane = "data=plane&task=regression&noise=0.1&examples=200&test-fraction=0.25&standardize&layers=2,5,1&activation=tanh"
                         + "&output-activation=identity&cost=quadratic&optimizer=adam&lr=0.03&batch=10&epochs=8&seed=3";
    static readonly string[] PlaneData = ["--data", "plane", "--noise", "0.1", "--examples", "200", "--test-fraction", "0.25", "--seed", "3"];

    [Fact]
    public async Task A_regression_receipt_and_its_step_through_equal_explain_on_the_downloaded_regression_model()
    {
        var page = await site.OpenAsync("#" + Plane + "&example=9&weight=1:2:1");
        await TwoEpochs(page);
        var receipt = page.GetByTestId("receipt");
        await Expect(receipt).ToHaveAttributeAsync("data-parameter", "W1[2,1]");
        await Expect(receipt).ToContainTextAsync("target y = ");
        double gradient = await Value(page.GetByTestId("receipt-gradient"));
        double numeric = await Value(page.GetByTestId("receipt-numeric"));
        double cost = await Value(page.GetByTestId("receipt-cost"));
        // Step through to the output's δ, then to the first layer's.
        for (int i = 0; i < 3; i++) await page.GetByTestId("walk-next").ClickAsync();
        await Expect(page.GetByTestId("walk-stage")).ToHaveAttributeAsync("data-phase", "Backward");
        await Expect(page.GetByTestId("walk-stage")).ToHaveAttributeAsync("data-layer", "2");
        double outputDelta = await Value(page.GetByTestId("walk-neuron-2-0"), "data-delta");
        await page.GetByTestId("walk-next").ClickAsync();
        double delta = await Value(page.GetByTestId("walk-neuron-1-2"), "data-delta");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "receipt-regression.png"), FullPage = true });
        Assert.Empty(await page.GetByTestId("error").InnerTextAsync());

        string model = await Download(page, "plane.safetensors");
        var explained = BackpropProcess.Run(folder, ["explain", "--model", model, .. PlaneData, "--weight", "1:2:1", "--example", "9", "--json"]);
        Assert.True(explained.ExitCode == 0, explained.ToString());
        var json = JsonDocument.Parse(explained.OutputLines[^1]).RootElement;
        double cliDerivative = json.GetProperty("derivative").GetDouble();
        output.WriteLine($"plane, page ∂C/∂W1[2,1] = {gradient:R}, explain {cliDerivative:R}, finite difference {numeric:R}; C_k {cost:R}");
        Assert.True(Math.Abs(cliDerivative) > 1e-6, $"a derivative of {cliDerivative} would make the comparison empty");
        Relative(cliDerivative, gradient, 1e-6, "∂C/∂W1[2,1] of a regression");
        Relative(json.GetProperty("cost").GetDouble(), cost, 1e-6, "C_k = (a − y)²");
        Relative(json.GetProperty("delta").GetDouble(), delta, 1e-6, "δ1[2] in the step-through");
        var forward = json.GetProperty("forward").EnumerateArray().ToArray();
        Relative(forward[1].GetProperty("delta")[0].GetDouble(), outputDelta, 1e-6, "δ2[0] in the step-through");
        // At the identity output δ = 2(a − y), with y the standardised target explain reports.
        double a = forward[1].GetProperty("a")[0].GetDouble(), y = json.GetProperty("target")[0].GetDouble();
        Relative(2 * (a - y), outputDelta, 1e-6, "δ2[0] = 2(a − y)");
        Relative(gradient, numeric, 1e-5, "the finite difference beside it");
    }

    static async Task<double> Value(ILocator locator, string attribute) =>
        double.Parse(await locator.GetAttributeAsync(attribute) ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture);
}
