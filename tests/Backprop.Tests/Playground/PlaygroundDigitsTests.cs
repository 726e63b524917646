using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using static Backprop.Tests.Playground.PlaygroundTests;

namespace Backprop.Tests.Playground;

/// <summary>The digits in the page: trained in the browser to the issue's accuracy, read from a drawing, explained.</summary>
[Collection("playground")]
public sealed class PlaygroundDigitsTests(PlaygroundSite site, ITestOutputHelper output)
{
    [Fact]
    public async Task Digits_reach_94_percent_in_30_epochs_in_the_browser_and_the_page_reads_a_drawn_one()
    {
        var page = await site.OpenAsync("#data=digits&layers=64,16,10&activation=relu&optimizer=adam&lr=0.01&batch=32&epochs=30&seed=1", 1400, 1000);
        Assert.Equal("1438 training and 359 test examples, 10 classes.", await Text(page, "data-summary"));
        Assert.Contains("--data digits --layers 64,16,10 --activation relu", await Text(page, "command"));
        Assert.DoesNotContain("--test-fraction", await Text(page, "command"));
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=epoch]').innerText.trim() === '30'"
                                        + " && document.querySelector('[data-testid=play]').disabled", null, new() { Timeout = 600_000 });
        double accuracy = double.Parse((await Text(page, "test-accuracy")).TrimEnd('%'), CultureInfo.InvariantCulture);
        output.WriteLine($"digits 64,16,10, adam 0.01, batch 32, 30 epochs, seed 1, in the browser: test accuracy {accuracy}%");
        Assert.True(accuracy >= 94, $"test accuracy {accuracy}% after 30 epochs in the browser, expected at least 94%");

        // The confusion matrix counts all 359 test digits; its diagonal is the accuracy, the rest the misclassified.
        long total = 0, diagonal = 0;
        for (int a = 0; a < 10; a++)
            for (int p = 0; p < 10; p++)
            {
                string cell = await Text(page, $"confusion-{a}-{p}");
                long count = cell.Length == 0 ? 0 : long.Parse(cell, CultureInfo.InvariantCulture);
                total += count;
                if (a == p) diagonal += count;
            }
        Assert.Equal(359, total);
        Assert.Equal(Math.Round(accuracy, 1), Math.Round(100.0 * diagonal / 359, 1));
        Assert.Equal((359 - diagonal).ToString(CultureInfo.InvariantCulture), await Text(page, "misclassified-count"));
        Assert.Equal(16, await page.Locator("[data-testid^=weight-image-]").CountAsync());

        // The network drawing shows pixels as the image they are: no plane maps, no column of 64 rows.
        await Expect(page.GetByTestId("input-image")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("canvas[id^=input-], canvas[id^=neuron-]").CountAsync());
        var drawing = await page.Locator(".network").BoundingBoxAsync();
        output.WriteLine($"the network drawing of 64,16,10 is {drawing!.Width}×{drawing.Height} px");
        Assert.True(drawing.Height < 700, $"the network drawing is {drawing.Height} px tall");

        // Drawn digits are read as what they are: a vertical stroke as 1, a ring as 0, a bar with a slanted stem as 7.
        // The mouse works in the viewport's coordinates: the pad must be on screen first.
        await page.GetByTestId("pad").ScrollIntoViewIfNeededAsync();
        var pad = await page.GetByTestId("pad").BoundingBoxAsync();
        var ring = Enumerable.Range(0, 41).Select(i => (X: 0.5 + 0.22 * Math.Sin(2 * Math.PI * i / 40), Y: 0.5 - 0.33 * Math.Cos(2 * Math.PI * i / 40))).ToArray();
        foreach (var (digit, stroke) in new[]
                 {
                     ("1", Line((0.5, 0.15), (0.5, 0.85))),
                     ("0", ring),
                     ("7", Line((0.25, 0.15), (0.75, 0.15)).Concat(Line((0.75, 0.15), (0.42, 0.85))).ToArray()),
                 })
        {
            await page.GetByTestId("pad-clear").ClickAsync();
            await page.Mouse.MoveAsync((float)(pad!.X + pad.Width * stroke[0].X), (float)(pad.Y + pad.Height * stroke[0].Y));
            await page.Mouse.DownAsync();
            foreach (var (x, y) in stroke.Skip(1)) await page.Mouse.MoveAsync((float)(pad.X + pad.Width * x), (float)(pad.Y + pad.Height * y));
            await page.Mouse.UpAsync();
            await Expect(page.GetByTestId("pad-prediction")).ToBeVisibleAsync();
            var probabilities = new double[10];
            for (int k = 0; k < 10; k++)
                probabilities[k] = double.Parse((await page.GetByTestId($"pad-probability-{k}").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(probabilities.Sum() - 1) < 1e-9, $"the probabilities add to {probabilities.Sum()}");
            string read = await Text(page, "pad-prediction");
            output.WriteLine($"a drawn {digit} reads as {read}: {string.Join(" ", probabilities.Select((p, k) => FormattableString.Invariant($"{k}:{p:P1}")))}");
            Assert.Equal(digit, read);
            // The network drawing shows the drawing as its input layer.
            await Expect(page.GetByTestId("input-image")).ToContainTextAsync("the pad's drawing");
        }

        // A misclassified digit clicked becomes the example; a pixel of a weight image clicked becomes the weight.
        var wrong = page.GetByTestId("misclassified").Locator("button").First;
        string id = (await wrong.GetAttributeAsync("data-testid"))!;
        await wrong.ClickAsync();
        await Expect(page.GetByTestId("example")).ToHaveValueAsync(id["misclassified-".Length..]);
        await page.GetByTestId("weight-image-3").ScrollIntoViewIfNeededAsync();
        var image = await page.GetByTestId("weight-image-3").Locator("svg").BoundingBoxAsync();
        await page.Mouse.ClickAsync(image!.X + 6 * 5 + 3, image.Y + 6 * 2 + 3); // row 2, column 5: input 21
        await Expect(page.GetByTestId("receipt")).ToHaveAttributeAsync("data-parameter", "W1[3,21]");
        // The step-through of the example: the input as its 8×8 image, and numbers on the hidden neurons.
        await Expect(page.GetByTestId("walk-neuron-0-63")).ToBeVisibleAsync();
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(page.GetByTestId("walk-neuron-1-0")).ToContainTextAsync("z=");
        var walk = await page.Locator("svg.walk").BoundingBoxAsync();
        Assert.True(walk!.Height < 700, $"the step-through is {walk.Height} px tall");
        await page.GetByTestId("walk-next").ClickAsync();
        await page.GetByTestId("walk-next").ClickAsync();
        await Expect(page.GetByTestId("walk-neuron-2-0")).ToContainTextAsync("δ=");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "digits.png"), FullPage = true });
    }

    /// <summary>Points along a straight stroke from <paramref name="from"/> to <paramref name="to"/> (pad fractions), 20 steps.</summary>
    static (double X, double Y)[] Line((double X, double Y) from, (double X, double Y) to) =>
        Enumerable.Range(0, 21).Select(i => (from.X + (to.X - from.X) * i / 20, from.Y + (to.Y - from.Y) * i / 20)).ToArray();
}
