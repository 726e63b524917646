using System.Globalization;
using Backprop.Explaining;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Backprop.Tests.Playground;

/// <summary>The one-neuron chain in the page: its gradient against finite differences on the surface, its paths against the library's.</summary>
[Collection("playground")]
public sealed class PlaygroundChainTests(PlaygroundSite site, ITestOutputHelper output)
{
    static async Task<double> Value(IPage page, string id) =>
        double.Parse((await page.GetByTestId(id).GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_chain_s_gradient_equals_finite_differences_on_the_surface_and_its_steps_are_the_library_s_descent()
    {
        // The start and η from the address (chain-start, chain-lr), not the panel's defaults.
        var page = await site.OpenAsync("#chain-start=-1,-3&chain-lr=2", 1400, 1000);
        var chain = OneNeuronChain.Example;
        await Expect(page.GetByTestId("chain-start")).ToHaveTextAsync("-1, -3");
        for (int i = 0; i < 5; i++) await page.GetByTestId("chain-step").ClickAsync();
        await Expect(page.GetByTestId("chain-steps")).ToHaveTextAsync("5");
        double w1 = await Value(page, "chain-w1"), w2 = await Value(page, "chain-w2");
        var expected = chain.Descend(-1, -3, 2, chain.Count, 5)[^1];
        Assert.Equal(expected.W1, w1, 12);
        Assert.Equal(expected.W2, w2, 12);

        // The page's ∂C/∂w against central differences of the cost surface at the page's point, computed here.
        const double h = 1e-6;
        double n1 = (chain.Cost(w1 + h, w2) - chain.Cost(w1 - h, w2)) / (2 * h);
        double n2 = (chain.Cost(w1, w2 + h) - chain.Cost(w1, w2 - h)) / (2 * h);
        double g1 = await Value(page, "chain-gradient-w1"), g2 = await Value(page, "chain-gradient-w2");
        output.WriteLine($"after 5 full-batch steps (η = 2) at ({w1:R}, {w2:R}): ∂C/∂w1 {g1:R} (finite difference {n1:R}), ∂C/∂w2 {g2:R} (finite difference {n2:R})");
        Assert.True(Math.Abs(g1 - n1) <= 1e-7 * Math.Max(1, Math.Abs(n1)), $"∂C/∂w1: page {g1:R}, finite difference {n1:R}");
        Assert.True(Math.Abs(g2 - n2) <= 1e-7 * Math.Max(1, Math.Abs(n2)), $"∂C/∂w2: page {g2:R}, finite difference {n2:R}");
        Assert.Equal(chain.Cost(w1, w2), await Value(page, "chain-cost"), 14);

        // The receipts of example 4 at the page's point: ∂C/∂w2 = δ2·a1 and ∂C/∂w1 = δ2·w2·σ′(z1)·x with δ2 recycled.
        await page.GetByTestId("chain-example-4").ClickAsync();
        var receipt = chain.Backward(w1, w2, 4);
        await Expect(page.GetByTestId("chain-receipt-w2")).ToHaveAttributeAsync("data-value", receipt.DerivativeW2.ToString("R", CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("chain-receipt-w1")).ToHaveAttributeAsync("data-value", receipt.DerivativeW1.ToString("R", CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("chain-receipt-w1").Locator(".recycled-value")).ToHaveTextAsync(["δ2", NumberText.Of(receipt.Delta2, 4)]);
        Assert.Contains("chain-example=4", page.Url);
        Assert.Contains("chain-start=-1%2C-3", page.Url);

        // The drawn contours lie on their level of C.
        var map = page.GetByTestId("chain-map");
        var box = (await map.GetAttributeAsync("data-box"))!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var lines = await map.Locator("polyline.contour").AllAsync();
        Assert.True(lines.Count >= 6, $"only {lines.Count} contour lines drawn");
        foreach (var line in lines)
        {
            double level = double.Parse((await line.GetAttributeAsync("data-level"))!, CultureInfo.InvariantCulture);
            var points = (await line.GetAttributeAsync("points"))!.Split(' ');
            for (int i = 0; i < points.Length; i += Math.Max(1, points.Length / 5))
            {
                var (p1, p2) = PlaygroundDescendTests.FromPixels(points[i], box);
                double cost = chain.Cost(p1, p2);
                Assert.True(Math.Abs(cost - level) <= 0.03 * level, $"a point of the contour at C = {level} is ({p1}, {p2}), where C = {cost}");
            }
        }

        // The three paths have a point per step from the same start; the stochastic ones left the full-batch one.
        string fullPath = (await page.GetByTestId("chain-path-full").GetAttributeAsync("points"))!;
        string singlePath = (await page.GetByTestId("chain-path-single").GetAttributeAsync("points"))!;
        Assert.Equal(6, fullPath.Split(' ').Length);
        Assert.Equal(fullPath.Split(' ')[0], singlePath.Split(' ')[0]);
        Assert.NotEqual(fullPath, singlePath);

        await page.GetByTestId("chain-play").ClickAsync();
        await page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=chain-steps]').innerText >= 60", null, new() { Timeout = 120_000 });
        await page.GetByTestId("chain-pause").ClickAsync();
        await page.GetByTestId("chain-surface").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "chain.png"), FullPage = true });
        Assert.True(await Value(page, "chain-cost") < chain.Cost(-1, -3), "the full-batch cost fell");
    }

    [Fact]
    public async Task Biases_from_the_address_move_the_surface_and_the_path_follows_the_library_s_biased_chain()
    {
        var page = await site.OpenAsync("#chain-biases=0.5,-1.5&chain-paths=full", 1400, 1000);
        var chain = OneNeuronChain.Example.WithBiases(0.5, -1.5);
        await Expect(page.GetByTestId("chain-biases")).ToBeCheckedAsync();
        await Expect(page.GetByTestId("chain-path-single")).ToHaveCountAsync(0);   // chain-paths=full: one path only
        for (int i = 0; i < 3; i++) await page.GetByTestId("chain-step").ClickAsync();
        await Expect(page.GetByTestId("chain-steps")).ToHaveTextAsync("3");
        var expected = chain.Descend(-2, 5, 5, chain.Count, 3)[^1];
        Assert.Equal(expected.W1, await Value(page, "chain-w1"), 12);
        Assert.Equal(expected.W2, await Value(page, "chain-w2"), 12);
        Assert.Equal(chain.Cost(expected.W1, expected.W2), await Value(page, "chain-cost"), 14);
        var receipt = chain.Backward(expected.W1, expected.W2, 3);
        await Expect(page.GetByTestId("chain-receipt-biases")).ToContainTextAsync($"∂C/∂b2 = δ2 = {NumberText.Of(receipt.Delta2, 4)}");
    }

    [Fact]
    public async Task The_default_view_starts_on_the_plateau_and_the_full_batch_path_walks_down_into_the_valley()
    {
        var page = await site.OpenAsync("", 1400, 1000);
        var chain = OneNeuronChain.Example;
        await page.GetByTestId("chain-map").ScrollIntoViewIfNeededAsync();
        await page.GetByTestId("chain-play").ClickAsync();
        await page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=chain-steps]').innerText >= 150", null, new() { Timeout = 120_000 });
        await page.GetByTestId("chain-pause").ClickAsync();
        int steps = int.Parse(await page.GetByTestId("chain-steps").InnerTextAsync(), CultureInfo.InvariantCulture);

        // The default start (−2, 5) and η = 5: the library's full-batch path, and a cost well down from the plateau's.
        var expected = chain.Descend(-2, 5, 5, chain.Count, steps)[^1];
        Assert.Equal(expected.W1, await Value(page, "chain-w1"), 12);
        Assert.Equal(expected.W2, await Value(page, "chain-w2"), 12);
        double cost = await Value(page, "chain-cost");
        output.WriteLine($"after {steps} steps from (−2, 5): C = {cost:R} (start {chain.Cost(-2, 5):R}) at ({expected.W1:R}, {expected.W2:R})");
        Assert.True(cost < 0.25 * chain.Cost(-2, 5), $"C {chain.Cost(-2, 5)} → {cost}: the full-batch path did not reach the valley");
        // The three paths end in different places: the stochastic ones stumble.
        var ends = new List<string>();
        foreach (var id in new[] { "chain-path-full", "chain-path-batch", "chain-path-single" })
            ends.Add((await page.GetByTestId(id).GetAttributeAsync("points"))!.Split(' ')[^1]);
        Assert.Equal(3, ends.Distinct().Count());
        await page.Locator(".chain-panel").ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "chain-panel.png") });

        // A start typed in (the keyboard's way to the map's click) restarts all three from there, and the address keeps it.
        var startBox = page.GetByTestId("chain-start-input");
        await startBox.FillAsync("1.5,-2");
        await startBox.PressAsync("Enter");
        await startBox.BlurAsync();
        await Expect(page.GetByTestId("chain-steps")).ToHaveTextAsync("0");
        Assert.Equal(1.5, await Value(page, "chain-w1"));
        Assert.Equal(-2, await Value(page, "chain-w2"));
        Assert.Contains("chain-start=1.5%2C-2", page.Url);
    }
}
