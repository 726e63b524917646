using System.Globalization;
using System.Text.Json;
using Backprop.Autodiff;
using Backprop.Tests.Cli;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Backprop.Tests.Playground;

/// <summary>
/// The descend panel: its steps against the CLI's `descend --json`, an overshooting η that zig-zags, a diverging η worded
/// as the CLI words it, a parse error that leaves the page working, and contour lines that lie on their levels.
/// </summary>
[Collection("playground")]
public sealed class PlaygroundDescendTests(PlaygroundSite site, ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("backprop-playground-descend-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Not symmetric in either axis, so a drawing flipped or shifted would be caught by the contour check.</summary>
    const string Function = "x1^2 + 3*x2^2 + sin(x1) + x2";

    static double Number(string? text) => double.Parse(text ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Each step row of the page: step, x1, x2, f, ∂f/∂x1, ∂f/∂x2 as the data-value attributes hold them (full doubles).</summary>
    static async Task<List<double[]>> Steps(IPage page)
    {
        var rows = new List<double[]>();
        foreach (var row in await page.GetByTestId("descend-step").AllAsync())
        {
            var cells = await row.Locator("td").AllAsync();
            var values = new double[6];
            values[0] = Number(await row.GetAttributeAsync("data-step"));
            for (int c = 1; c < 6; c++) values[c] = Number(await cells[c].GetAttributeAsync("data-value"));
            rows.Add(values);
        }
        return rows;
    }

    static async Task Type(IPage page, string id, string text)
    {
        var box = page.GetByTestId(id);
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await box.BlurAsync();
    }

    [Fact]
    public async Task The_steps_of_a_typed_function_equal_the_CLI_s_descend_and_its_contours_lie_on_their_levels()
    {
        var page = await site.OpenAsync("#descend-start=2,-1.5&descend-lr=0.1&descend-steps=15", 1400, 1000);
        await page.GetByTestId("descend-map").ScrollIntoViewIfNeededAsync();
        await Type(page, "descend-function", Function);
        // The command writes f as the parser prints it back (3 * x2^2), which parses to the same expression.
        string canonical = Expression.Parse(Function).ToString();
        await Expect(page.GetByTestId("descend-command")).ToHaveTextAsync($"backprop descend --function \"{canonical}\" --start 2,-1.5 --lr 0.1 --steps 15");
        Assert.Contains("descend-f=" + Uri.EscapeDataString(Function), page.Url);

        var shown = await Steps(page);
        var run = BackpropProcess.Run(folder, "descend", "--function", canonical, "--start", "2,-1.5", "--lr", "0.1", "--steps", "15", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(16, shown.Count);
        Assert.Equal(16, run.OutputLines.Length);
        for (int t = 0; t < 16; t++)
        {
            using var json = JsonDocument.Parse(run.OutputLines[t]);
            var cli = json.RootElement;
            var x = cli.GetProperty("x");
            var g = cli.GetProperty("gradient");
            double[] expected = [cli.GetProperty("step").GetInt32(), x[0].GetDouble(), x[1].GetDouble(), cli.GetProperty("value").GetDouble(), g[0].GetDouble(), g[1].GetDouble()];
            // The same library code on both sides; only sin in WebAssembly against the native one may differ in a last bit.
            for (int c = 0; c < 6; c++)
                Assert.True(Math.Abs(shown[t][c] - expected[c]) <= 1e-12 * Math.Max(1, Math.Abs(expected[c])),
                    $"step {t}, column {c}: the CLI says {expected[c]:R}, the page {shown[t][c]:R}");
        }
        output.WriteLine($"step 15: page x = ({shown[15][1]:R}, {shown[15][2]:R}), f = {shown[15][3]:R}");
        await Expect(page.GetByTestId("descend-summary")).ToContainTextAsync("after 15 steps f fell from");

        // The drawn contour lines, mapped back from pixels to (x1, x2) through the box the map states, lie on their level.
        var f = Expression.Parse(Function);
        var map = page.GetByTestId("descend-map");
        var box = (await map.GetAttributeAsync("data-box"))!.Split(' ').Select(Number).ToArray();
        var lines = await map.Locator("polyline.contour").AllAsync();
        Assert.True(lines.Count >= 6, $"only {lines.Count} contour lines drawn");
        double worst = 0;
        foreach (var line in lines)
        {
            double level = Number(await line.GetAttributeAsync("data-level"));
            var points = (await line.GetAttributeAsync("points"))!.Split(' ');
            for (int i = 0; i < points.Length; i += Math.Max(1, points.Length / 7))
            {
                var (x1, x2) = FromPixels(points[i], box);
                double value = f.Evaluate([x1, x2]);
                // A 90-point grid over 10 units: linear interpolation of 3·x2² along a cell edge is off by up to 3·h²/4 ≈ 0.01.
                worst = Math.Max(worst, Math.Abs(value - level));
                Assert.True(Math.Abs(value - level) <= 0.02 + 1e-3 * Math.Abs(level), $"a point of the contour at {level} is ({x1}, {x2}), where f = {value}");
            }
        }
        output.WriteLine($"{lines.Count} contour lines; the farthest sampled point is {worst:G3} off its level");
        Assert.True(await map.Locator("text.contour-label").CountAsync() >= 3, "fewer than three contour labels");
    }

    /// <summary>A drawn point "x,y" in pixels as (x1, x2), by the box "left right bottom top size".</summary>
    internal static (double X1, double X2) FromPixels(string point, double[] box)
    {
        var xy = point.Split(',');
        double x = Number(xy[0]), y = Number(xy[1]);
        return (box[0] + x / box[4] * (box[1] - box[0]), box[3] - y / box[4] * (box[3] - box[2]));
    }

    [Fact]
    public async Task An_overshooting_rate_zig_zags_across_the_minimum_and_a_diverging_one_is_worded_as_the_CLI_words_it()
    {
        var page = await site.OpenAsync("", 1400, 1000);
        await page.GetByTestId("descend-map").ScrollIntoViewIfNeededAsync();

        // η = 0.9 on x1² + x2²: x ← x − 0.9·2x = −0.8x, so every step lands on the other side of the minimum.
        await page.GetByTestId("descend-overshoot").ClickAsync();
        await Expect(page.GetByTestId("descend-command")).ToHaveTextAsync("backprop descend --function \"x1^2 + x2^2\" --start 3,4 --lr 0.9 --steps 20");
        var steps = await Steps(page);
        Assert.Equal(21, steps.Count);
        for (int t = 0; t < 21; t++)
        {
            Assert.Equal(3 * Math.Pow(-0.8, t), steps[t][1], 12);
            if (t > 0) Assert.True(Math.Sign(steps[t][1]) == -Math.Sign(steps[t - 1][1]), $"x1 keeps its sign from step {t - 1} to {t}: {steps[t - 1][1]} → {steps[t][1]}");
        }
        await Expect(page.GetByTestId("descend-summary")).ToContainTextAsync("f fell from 25 to");
        var numbers = await page.GetByTestId("descend-number").AllTextContentsAsync();
        Assert.True(numbers.Count >= 6, $"only steps {string.Join(", ", numbers)} are numbered on the map");
        Assert.Equal(["0", "1", "2", "3"], numbers.Take(4));
        await page.GetByTestId("descend-map").ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "descend-map.png") });
        await page.Locator(".descend-panel").ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "descend.png") });

        // η = 1.1: x ← −1.2x, f grows by 1.44 a step. The words are the CLI's, with η for --lr.
        await page.GetByTestId("descend-diverge").ClickAsync();
        var summary = page.GetByTestId("descend-summary");
        await Expect(summary).ToContainTextAsync("f rose from 25 to");
        await Expect(summary).ToContainTextAsync("the step is too large, each one overshoots the minimum; try a smaller η, like 0.11");
        var cli = BackpropProcess.Run(folder, "descend", "--lr", "1.1");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        string cliSummary = cli.OutputLines.Single(l => l.StartsWith("after ", StringComparison.Ordinal));
        Assert.Equal(cliSummary.Replace("--lr", "η"), (await summary.InnerTextAsync()).Trim());

        // A descent that overflows stops there, as the CLI's does.
        await Type(page, "descend-function", "exp(x1^2) + x2^2");
        await Type(page, "descend-lr", "0.5");
        await Expect(summary).ToContainTextAsync("the descent diverged at step");
        await Expect(summary).ToContainTextAsync("use a smaller η");

        // A typo is a message; the page keeps the last good f and goes on working.
        await Type(page, "descend-function", "x1^ + x2");
        await Expect(page.GetByTestId("descend-error")).ToContainTextAsync("f = x1^ + x2");
        await Expect(page.GetByTestId("descend-error")).ToContainTextAsync("The map still shows f = exp(x1^2) + x2^2");
        await Type(page, "descend-function", "x1^2 + x2^2");
        await Type(page, "descend-lr", "0.1");
        await Expect(page.GetByTestId("descend-error")).ToHaveCountAsync(0);
        await Expect(summary).ToContainTextAsync("after 20 steps f fell from 25 to 0.003323");

        // A click on the map starts there: a quarter across and three quarters down the box −5 … 5 is (−2.5, −2.5).
        var surface = page.GetByTestId("descend-surface");
        var size = (await surface.BoundingBoxAsync())!;
        await surface.ClickAsync(new() { Position = new() { X = size.Width / 4, Y = size.Height * 3 / 4 } });
        await Expect(page.GetByTestId("descend-command")).ToHaveTextAsync("backprop descend --function \"x1^2 + x2^2\" --start -2.5,-2.5 --lr 0.1 --steps 20");
        Assert.Contains("descend-start=-2.5%2C-2.5", page.Url);
    }
}
