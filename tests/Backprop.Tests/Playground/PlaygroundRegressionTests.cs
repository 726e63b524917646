using System.Globalization;
using System.Text.Json;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Tests.Cli;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static Backprop.Tests.Playground.PlaygroundTests;

namespace Backprop.Tests.Playground;

/// <summary>Regression in the page: the plane and the sum of Gaussians, the predicted value shaded, R² shown, the CLI's run.</summary>
[Collection("playground")]
public sealed class PlaygroundRegressionTests(PlaygroundSite site, ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("backprop-playground-regression-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static async Task<double> Number(IPage page, string id) => double.Parse(await Text(page, id), CultureInfo.InvariantCulture);

    static async Task PlayToTheEnd(IPage page, int epochs)
    {
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=epoch]').innerText.trim() === '{epochs}'"
                                        + " && document.querySelector('[data-testid=play]').disabled", null, new() { Timeout = 300_000 });
    }

    /// <summary>The output map's colour (r, g, b) at a fraction of its width and height from the top left.</summary>
    static async Task<int[]> MapColour(IPage page, double across, double down) =>
        await page.EvaluateAsync<int[]>(FormattableString.Invariant(
            $"() => {{ const c = document.getElementById('output-map'); const d = c.getContext('2d').getImageData(Math.floor(c.width * {across}), Math.floor(c.height * {down}), 1, 1).data; return [d[0], d[1], d[2]]; }}"));

    [Fact]
    public async Task The_sum_of_gaussians_button_makes_a_regression_that_learns_the_bumps_and_shades_them()
    {
        var page = await site.OpenAsync("", 1400, 1000);
        await page.GetByTestId("data-gaussians").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=command]').innerText.includes('--data gaussians')");
        string command = await Text(page, "command");
        Assert.StartsWith("backprop train --data gaussians --task regression --examples 500 --test-fraction 0.5 --layers 2,8,8,1 --activation tanh "
                          + "--output-activation identity --cost quadratic", command);
        Assert.Equal("250 training and 250 test examples, a regression: one real target.", await Text(page, "data-summary"));
        Assert.Equal(0, await page.GetByTestId("test-accuracy").CountAsync());
        // The colour scale is full at the largest |y| of the training data: just under 1, the bumps' height.
        double before = await Number(page, "test-r2");

        await page.GetByTestId("stop-after").FillAsync("60");
        await page.GetByTestId("stop-after").PressAsync("Enter");
        await PlayToTheEnd(page, 60);
        double after = await Number(page, "test-r2");
        output.WriteLine($"gaussians, 2,8,8,1 tanh, adam 0.01, batch 16, 60 epochs, seed 1, in the browser: test R² {before} → {after}, test cost {await Text(page, "test-cost")}");
        Assert.True(after > 0.8 && after > before + 0.5, $"test R² {before} → {after} after 60 epochs on the sum of Gaussians");

        // The map shades the prediction: blue (positive) over the +1 bumps at (1, 1) and (−1, −1), orange over the −1 bumps.
        // The map spans the data's square with a margin on every side, so the quadrants' middles are at ¼ and ¾.
        foreach (var (across, down, positive) in new[] { (0.72, 0.28, true), (0.28, 0.72, true), (0.72, 0.72, false), (0.28, 0.28, false) })
        {
            var rgb = await MapColour(page, across, down);
            bool blue = rgb[2] > rgb[0] + 60, orange = rgb[0] > rgb[2] + 60;
            Assert.True(positive ? blue : orange, $"map at ({across}, {down}) is rgb({rgb[0]}, {rgb[1]}, {rgb[2]}); expected {(positive ? "blue" : "orange")}");
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "regression-gaussians.png"), FullPage = true });
        Assert.Empty(await Text(page, "error"));

        // Back to classes: softmax and cross-entropy again, accuracy instead of R².
        await page.GetByTestId("data-spiral").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=command]').innerText.includes('--data spiral')");
        Assert.Contains("--layers 2,8,8,2 --activation tanh --output-activation softmax --cost cross-entropy", await Text(page, "command"));
        Assert.DoesNotContain("--task", await Text(page, "command"));
        await Expect(page.GetByTestId("test-accuracy")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_plane_in_the_page_equals_its_command_and_evaluate_gives_the_page_s_r2()
    {
        var page = await site.OpenAsync("#data=plane&task=regression&noise=0.1&examples=200&test-fraction=0.25&standardize&layers=2,5,1&activation=tanh"
                                        + "&output-activation=identity&cost=quadratic&optimizer=adam&lr=0.03&batch=10&epochs=8&seed=3", 1400, 1000);
        Assert.Equal("backprop train --data plane --task regression --noise 0.1 --examples 200 --test-fraction 0.25 --standardize --layers 2,5,1 "
                     + "--activation tanh --output-activation identity --cost quadratic --optimizer adam --lr 0.03 --batch 10 --epochs 8 --seed 3 "
                     + "--out model.safetensors", await Text(page, "command"));
        await PlayToTheEnd(page, 8);
        double pageR2 = await Number(page, "test-r2");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "regression-plane.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-model").ClickAsync());
        string pageModel = Path.Combine(folder, "page.safetensors");
        await download.SaveAsAsync(pageModel);

        var words = PlaygroundTests.ShellWords(await Text(page, "command"));
        words[words.IndexOf("--out") + 1] = Path.Combine(folder, "cli.safetensors");
        var trained = BackpropProcess.Run(folder, [.. words.Skip(1), "--no-pictures"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());

        var fromPage = ModelFile.Load(pageModel);
        var fromCli = ModelFile.Load(Path.Combine(folder, "cli.safetensors"));
        Assert.Equal(LearningTask.Regression, fromPage.Task);
        Assert.Equal(fromCli.TargetScale!.Mean, fromPage.TargetScale!.Mean);
        Assert.Equal(fromCli.TargetScale.Deviation, fromPage.TargetScale.Deviation);
        double largest = 0;
        for (int l = 0; l < fromPage.Network.Layers.Count; l++)
        {
            largest = Math.Max(largest, PlaygroundTests.AllClose(fromCli.Network.Layers[l].Weights, fromPage.Network.Layers[l].Weights, $"W{l + 1}"));
            largest = Math.Max(largest, PlaygroundTests.AllClose(fromCli.Network.Layers[l].Biases, fromPage.Network.Layers[l].Biases, $"b{l + 1}"));
        }
        output.WriteLine($"plane, page against CLI after 8 epochs: largest |difference| of a parameter {largest:E2}; page test R² {pageR2}");

        var evaluated = BackpropProcess.Run(folder, "evaluate", "--model", pageModel, "--data", "plane", "--noise", "0.1", "--examples", "200",
            "--test-fraction", "0.25", "--seed", "3", "--json");
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        double r2 = JsonDocument.Parse(evaluated.OutputLines[^1]).RootElement.GetProperty("r2").GetDouble();
        Assert.True(Math.Abs(r2 - pageR2) <= 5e-5, $"evaluate R² {r2} against the page's {pageR2}");
        Assert.True(r2 > 0.9, $"test R² {r2} after 8 epochs on the plane");
    }

    [Fact]
    public async Task A_csv_file_opens_as_a_regression_learns_its_plane_and_its_model_file_opens_again()
    {
        // y = 2·x1 − x2 + noise, x uniform in [−1, 1]², noise uniform in ±0.05: a plane any network here can learn.
        var random = new Random(11);
        string table = Path.Combine(folder, "line.csv");
        File.WriteAllLines(table, new[] { "x1,x2,y" }.Concat(Enumerable.Range(0, 200).Select(_ =>
        {
            double x1 = 2 * random.NextDouble() - 1, x2 = 2 * random.NextDouble() - 1, noise = 0.1 * random.NextDouble() - 0.05;
            return FormattableString.Invariant($"{x1:F4},{x2:F4},{2 * x1 - x2 + noise:F4}");
        })));
        var page = await site.OpenAsync("", 1400, 1000);

        // Read as classes, the 200 different targets are refused, and the message names the switch beside the file.
        await page.GetByTestId("open-csv").SetInputFilesAsync(table);
        await Expect(page.GetByTestId("error")).ToContainTextAsync("numbers: a regression");
        Assert.Contains("--data spiral", await Text(page, "command"));
        // Choosing numbers reads the refused file again (a browser reports no change when the same file is chosen twice).
        await page.GetByTestId("csv-task").SelectOptionAsync("regression");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=command]').innerText.includes('csv:line.csv')"
                                        + " || document.querySelector('[data-testid=error]').innerText.trim() !== ''");
        Assert.Empty(await Text(page, "error"));
        Assert.StartsWith("backprop train --data csv:line.csv --task regression --test-fraction 0.5 --standardize --layers 2,8,8,1 --activation tanh "
                          + "--output-activation identity --cost quadratic", await Text(page, "command"));
        Assert.Equal("100 training and 100 test examples, a regression: one real target.", await Text(page, "data-summary"));
        await Expect(page.GetByTestId("target-column")).ToBeVisibleAsync();
        Assert.Empty(await Text(page, "error"));

        await page.GetByTestId("stop-after").FillAsync("30");
        await page.GetByTestId("stop-after").PressAsync("Enter");
        await PlayToTheEnd(page, 30);
        double r2 = await Number(page, "test-r2");
        output.WriteLine($"y = 2·x1 − x2 + noise from a CSV file, 2,8,8,1 tanh, adam 0.01, batch 16, 30 epochs, in the browser: test R² {r2}");
        Assert.True(r2 > 0.95, $"test R² {r2} after 30 epochs on a plane read from a CSV file");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "regression-csv.png"), FullPage = true });

        // Its model file opens again on the same file: the same weights give the same R², at epoch 0 of a new run.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-model").ClickAsync());
        string model = Path.Combine(folder, "line.safetensors");
        await download.SaveAsAsync(model);
        Assert.Equal(LearningTask.Regression, ModelFile.Load(model).Task);
        await page.GetByTestId("open-model").SetInputFilesAsync(model);
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("0");
        Assert.Equal(r2, await Number(page, "test-r2"), 4);
        Assert.Contains("--task regression", await Text(page, "command"));
        Assert.Empty(await Text(page, "error"));

        // The same file as classes is refused, and the file stays a regression.
        await page.GetByTestId("csv-task").SelectOptionAsync("classification");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("numbers: a regression");
        // On classes the regression model is refused with what to open instead (under another name: a browser reports no
        // change when the same file is chosen twice).
        await page.GetByTestId("data-spiral").ClickAsync();
        string again = Path.Combine(folder, "again.safetensors");
        File.Copy(model, again);
        await page.GetByTestId("open-model").SetInputFilesAsync(again);
        await Expect(page.GetByTestId("error")).ToContainTextAsync("again.safetensors is a regression model: open the CSV file it was trained on as a regression");
        Assert.Contains("--data spiral", await Text(page, "command"));
    }
}
