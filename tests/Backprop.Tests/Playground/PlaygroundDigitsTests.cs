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

        // A vertical stroke down the middle of the pad is read, and the probabilities are a distribution.
        // The mouse works in the viewport's coordinates: the pad must be on screen first.
        await page.GetByTestId("pad").ScrollIntoViewIfNeededAsync();
        var pad = await page.GetByTestId("pad").BoundingBoxAsync();
        await page.Mouse.MoveAsync(pad!.X + pad.Width / 2, pad.Y + pad.Height * 0.15f);
        await page.Mouse.DownAsync();
        for (int step = 1; step <= 20; step++) await page.Mouse.MoveAsync(pad.X + pad.Width / 2, pad.Y + pad.Height * (0.15f + 0.7f * step / 20));
        await page.Mouse.UpAsync();
        await Expect(page.GetByTestId("pad-prediction")).ToBeVisibleAsync();
        double sum = 0;
        for (int k = 0; k < 10; k++)
            sum += double.Parse((await page.GetByTestId($"pad-probability-{k}").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(sum - 1) < 1e-9, $"the probabilities add to {sum}");
        output.WriteLine($"a vertical stroke reads as {await Text(page, "pad-prediction")}");

        // A misclassified digit clicked becomes the example; a pixel of a weight image clicked becomes the weight.
        var wrong = page.GetByTestId("misclassified").Locator("button").First;
        string id = (await wrong.GetAttributeAsync("data-testid"))!;
        await wrong.ClickAsync();
        await Expect(page.GetByTestId("example")).ToHaveValueAsync(id["misclassified-".Length..]);
        await page.GetByTestId("weight-image-3").ScrollIntoViewIfNeededAsync();
        var image = await page.GetByTestId("weight-image-3").Locator("svg").BoundingBoxAsync();
        await page.Mouse.ClickAsync(image!.X + 6 * 5 + 3, image.Y + 6 * 2 + 3); // row 2, column 5: input 21
        await Expect(page.GetByTestId("receipt")).ToHaveAttributeAsync("data-parameter", "W1[3,21]");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "digits.png"), FullPage = true });
    }
}
