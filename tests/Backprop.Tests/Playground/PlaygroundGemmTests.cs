using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Backprop.Tests.Playground;

/// <summary>
/// The matrix products in the browser: Chromium's WebAssembly has 128-bit SIMD without fused multiply-add, so the page
/// must run the library's 128-bit kernels with a multiply then an add, on the one thread there is (the library never
/// starts its GEMM worker there). The benchmarking switch gemm=scalar moves the page to the scalar tiles, says so, and
/// still trains; a bad value gets a message and changes nothing.
/// </summary>
[Collection("playground")]
public sealed class PlaygroundGemmTests(PlaygroundSite site)
{
    const string Default = "Matrix products: 128-bit SIMD (multiply, then add), one thread";

    static async Task<double> Number(IPage page, string id) =>
        double.Parse((await PlaygroundTests.Text(page, id)).TrimEnd('%'), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Chromium_runs_the_128_bit_path_with_multiply_then_add_on_one_thread()
    {
        var page = await site.OpenAsync("#epochs=100000");
        Assert.Equal(Default, await PlaygroundTests.Text(page, "gemm"));
        await page.GetByTestId("play").ClickAsync();
        // The speed line's first reading comes a second after play: products have run by then, on the same path.
        await page.WaitForFunctionAsync("() => parseFloat(document.querySelector('[data-testid=speed]').innerText) > 0");
        await page.GetByTestId("pause").ClickAsync();
        Assert.Equal(Default, await PlaygroundTests.Text(page, "gemm"));
        Assert.Empty(await PlaygroundTests.Text(page, "error"));
        await page.GetByTestId("gemm").Locator("xpath=..").ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "gemm-default.png") });
    }

    [Fact]
    public async Task The_gemm_scalar_switch_runs_the_scalar_tiles_says_so_and_trains_as_well()
    {
        // The same run as The_page_loads_and_training_lowers_the_cost (the CLI's: 90.4% after 50 epochs).
        var page = await site.OpenAsync("#epochs=50&gemm=scalar");
        Assert.Equal("Matrix products: scalar 4×4 tiles, one thread, by the benchmarking switch gemm= in the address "
                     + "(the default here: 128-bit SIMD (multiply, then add), one thread; results can differ from it in the last digits)",
            await PlaygroundTests.Text(page, "gemm"));
        await page.GetByTestId("gemm").Locator("xpath=..").ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "gemm-scalar.png") });
        double before = await Number(page, "test-cost");
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=epoch]').innerText.trim() === '50'"
                                        + " && document.querySelector('[data-testid=play]').disabled", null, new() { Timeout = 180_000 });
        double after = await Number(page, "test-cost");
        Assert.True(after < 0.5 * before, $"test cost {before} → {after} after 50 epochs on the scalar tiles");
        Assert.True(await Number(page, "test-accuracy") > 85, $"test accuracy {await PlaygroundTests.Text(page, "test-accuracy")}");
        Assert.Empty(await PlaygroundTests.Text(page, "error"));
    }

    [Theory]
    [InlineData("fast", "gemm=fast in the address is not an instruction set and was ignored: the benchmarking switch is gemm=scalar.")]
    [InlineData("vector512", "gemm=vector512 in the address was ignored: this browser accelerates Vector128 at most; write gemm=scalar.")]
    public async Task A_bad_gemm_value_gets_a_message_and_the_default_path_keeps_working(string value, string message)
    {
        var page = await site.OpenAsync($"#data=xor&examples=100&batch=10&epochs=3&gemm={value}");
        await Expect(page.GetByTestId("error")).ToContainTextAsync(message);
        Assert.Equal(Default, await PlaygroundTests.Text(page, "gemm"));
        await page.GetByTestId("step-epoch").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("1");
    }
}
