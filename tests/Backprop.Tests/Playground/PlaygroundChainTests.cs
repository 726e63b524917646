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
        var page = await site.OpenAsync("", 1400, 1000);
        var chain = OneNeuronChain.Example;
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
}
