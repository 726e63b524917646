using System.Globalization;
using System.Text.Json;
using Backprop.Serialization;
using Backprop.Tests.Cli;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Backprop.Tests.Playground;

/// <summary>The playground in a real browser: Debian's Chromium on the published site, as a learner uses it.</summary>
[Collection("playground")]
public sealed class PlaygroundTests(PlaygroundSite site, ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("backprop-playground-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The trimmed text of the element with data-testid <paramref name="id"/>; the other playground test classes use it too.</summary>
    internal static async Task<string> Text(IPage page, string id) => (await page.GetByTestId(id).InnerTextAsync()).Trim();

    static async Task<double> Number(IPage page, string id) =>
        double.Parse((await Text(page, id)).TrimEnd('%'), CultureInfo.InvariantCulture);

    static async Task<int> Epoch(IPage page) => (int)await Number(page, "epoch");

    /// <summary>Plays until the run stops by itself after its epochs (the play button comes back disabled).</summary>
    static async Task PlayToTheEnd(IPage page, int epochs)
    {
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=epoch]').innerText.trim() === '{epochs}'"
                                        + " && document.querySelector('[data-testid=play]').disabled", null, new() { Timeout = 180_000 });
    }

    [Fact]
    public async Task The_page_loads_and_training_lowers_the_cost()
    {
        // A fixed number of epochs, run to its end: pausing "after 30" stopped wherever the clock fell (the test cost is
        // 0.54 at epoch 30 and 0.38 a few epochs later, so the assertion passed or failed with the machine's load).
        // The CLI's same run: 70.8% at epoch 30, 90.4% at epoch 50.
        var page = await site.OpenAsync("#epochs=50");
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("0");
        double before = await Number(page, "test-cost");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "start.png") });
        await PlayToTheEnd(page, 50);
        double after = await Number(page, "test-cost");
        Assert.True(after < 0.5 * before, $"test cost {before} → {after} after 50 epochs on the spiral");
        Assert.True(await Number(page, "test-accuracy") > 85, $"test accuracy {await Text(page, "test-accuracy")}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "trained.png"), FullPage = true });
        Assert.Empty(await Text(page, "error"));
    }

    [Fact]
    public async Task Step_advances_exactly_one_batch_and_step_epoch_finishes_the_epoch()
    {
        var page = await site.OpenAsync("#data=xor&examples=100&test-fraction=0.5&batch=10&epochs=3&seed=2");
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("0");
        string cost = await Text(page, "train-cost");
        await page.GetByTestId("step").ClickAsync();
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("train-cost")).Not.ToHaveTextAsync(cost);
        await page.GetByTestId("step").ClickAsync();
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("2");
        await page.GetByTestId("step-epoch").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("1");
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("0");
    }

    [Fact]
    public async Task An_address_restores_every_setting_and_the_command_says_them_all()
    {
        const string hash = "#data=moons&noise=0.2&examples=300&test-fraction=0.3&features=x1,x2,x1%5E2&layers=3,5,3,2&activation=relu,tanh"
                            + "&output-activation=softmax&cost=cross-entropy&optimizer=momentum&lr=0.05&momentum=0.8&l1=0.001&batch=8&epochs=7&seed=4";
        var page = await site.OpenAsync(hash);
        Assert.Equal("backprop train --data moons --noise 0.2 --examples 300 --test-fraction 0.3 --features 'x1,x2,x1^2' --layers 3,5,3,2 "
                     + "--activation relu,tanh --output-activation softmax --cost cross-entropy --optimizer momentum --lr 0.05 --momentum 0.8 "
                     + "--l1 0.001 --batch 8 --epochs 7 --seed 4 --out model.safetensors", await Text(page, "command"));
        Assert.Equal("momentum", await page.GetByTestId("optimizer").InputValueAsync());
        Assert.Equal("tanh", await page.GetByTestId("activation-2").InputValueAsync());
        Assert.Equal("210 training and 90 test examples, 2 classes.", await Text(page, "data-summary"));
        // The address the page writes back is the one it was opened with, keys in the same order.
        Assert.Equal(hash.Replace("%5E", "^"), Uri.UnescapeDataString(new Uri(page.Url).Fragment));
    }

    [Fact]
    public async Task A_bad_address_gets_a_message_and_the_defaults()
    {
        var page = await site.OpenAsync("#data=spiral&lr=fast");
        Assert.Contains("'lr' in the address should be a number, got 'fast'", await Text(page, "error"));
        Assert.StartsWith("backprop train --data spiral", await Text(page, "command"));
        await page.GetByTestId("step").ClickAsync();
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task A_good_csv_file_trains_and_a_bad_one_gets_one_message_while_the_page_keeps_working()
    {
        var page = await site.OpenAsync("#data=xor&examples=200&batch=10&epochs=2");
        string good = Path.Combine(folder, "points.csv");
        var random = new Random(5);
        File.WriteAllLines(good, new[] { "width,height,depth,label" }.Concat(Enumerable.Range(0, 120).Select(i =>
        {
            double a = random.NextDouble() * 4 - 2, b = random.NextDouble() * 4 - 2, c = random.NextDouble();
            return FormattableString.Invariant($"{a:F4},{b:F4},{c:F4},{(a * b > 0 ? 1 : 0)}");
        })));
        await page.GetByTestId("open-csv").SetInputFilesAsync(good);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=command]').innerText.includes('csv:points.csv')");
        await Expect(page.GetByTestId("data-summary")).ToHaveTextAsync("60 training and 60 test examples, 2 classes.");
        Assert.Equal("", await page.GetByTestId("open-csv").InputValueAsync()); // emptied: the same file can be chosen again
        Assert.Contains("--layers 3,", await Text(page, "command"));
        Assert.Contains("--standardize", await Text(page, "command"));
        await page.GetByTestId("step").ClickAsync();
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "csv.png"), FullPage = true });
        // A label column of measurements is refused by the reader; the run on the last column stays.
        await page.GetByTestId("label-column").FillAsync("0");
        await page.GetByTestId("label-column").PressAsync("Enter");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("points.csv: line 2, column 1: label");
        Assert.DoesNotContain("--label-column", await Text(page, "command"));
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("1");

        string bad = Path.Combine(folder, "broken.csv");
        File.WriteAllText(bad, "1,2,0\n3,4,1\n5,six,0\n");
        await page.GetByTestId("open-csv").SetInputFilesAsync(bad);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=error]').innerText.includes('broken.csv')");
        string message = await Text(page, "error");
        Assert.Contains("line 3, column 2: \"six\" is not a finite number", message);
        // The run before the bad file goes on.
        Assert.Contains("csv:points.csv", await Text(page, "command"));
        await page.GetByTestId("step").ClickAsync();
        await Expect(page.GetByTestId("batch")).ToHaveTextAsync("2");
    }

    [Fact]
    public async Task The_page_equals_its_command_and_its_model_gives_the_page_s_accuracy_in_evaluate()
    {
        var page = await site.OpenAsync("#data=circles&noise=0.1&examples=400&test-fraction=0.25&features=x1,x2,x1%5E2,x2%5E2&layers=4,6,4,2"
                                        + "&activation=tanh,relu&optimizer=adam&lr=0.03&l1=0.001&batch=10&epochs=5&seed=3");
        await PlayToTheEnd(page, 5);
        double pageAccuracy = await Number(page, "test-accuracy");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-model").ClickAsync());
        string pageModel = Path.Combine(folder, "page.safetensors");
        await download.SaveAsAsync(pageModel);

        // The command the page shows, run in a terminal.
        var words = ShellWords(await Text(page, "command"));
        Assert.Equal(["backprop", "train"], words[..2]);
        int outFlag = words.IndexOf("--out");
        words[outFlag + 1] = Path.Combine(folder, "cli.safetensors");
        var trained = BackpropProcess.Run(folder, [.. words.Skip(1), "--no-pictures"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());

        var fromPage = ModelFile.Load(pageModel).Network;
        var fromCli = ModelFile.Load(Path.Combine(folder, "cli.safetensors")).Network;
        Assert.True(fromPage.Architecture.SameShape(fromCli.Architecture), $"{fromPage.Architecture} against {fromCli.Architecture}");
        double largest = 0;
        for (int l = 0; l < fromPage.Layers.Count; l++)
        {
            largest = Math.Max(largest, AllClose(fromCli.Layers[l].Weights, fromPage.Layers[l].Weights, $"W{l + 1}"));
            largest = Math.Max(largest, AllClose(fromCli.Layers[l].Biases, fromPage.Layers[l].Biases, $"b{l + 1}"));
        }
        output.WriteLine($"page against CLI after 5 epochs: largest |difference| of a parameter {largest:E2}");

        var evaluated = BackpropProcess.Run(folder, "evaluate", "--model", pageModel, "--data", "circles", "--noise", "0.1", "--examples", "400",
            "--test-fraction", "0.25", "--seed", "3", "--json");
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        double accuracy = JsonDocument.Parse(evaluated.OutputLines[^1]).RootElement.GetProperty("accuracy").GetDouble();
        Assert.True(Math.Abs(100 * accuracy - pageAccuracy) <= 0.05, $"evaluate {100 * accuracy:F2}% against the page's {pageAccuracy}%");
    }

    [Fact]
    public async Task A_model_file_made_by_the_cli_opens_with_its_architecture_and_its_accuracy()
    {
        var trained = BackpropProcess.Run(folder, "train", "--data", "moons", "--examples", "500", "--test-fraction", "0.5", "--layers", "2,6,4,2",
            "--activation", "relu,tanh", "--epochs", "5", "--lr", "0.01", "--json", "--no-pictures", "--out", "cli.safetensors");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        double accuracy = JsonDocument.Parse(trained.OutputLines[^1]).RootElement.GetProperty("test_accuracy").GetDouble();
        var page = await site.OpenAsync("#data=moons&examples=500&test-fraction=0.5");
        await page.GetByTestId("open-model").SetInputFilesAsync(Path.Combine(folder, "cli.safetensors"));
        await Expect(page.GetByTestId("command")).ToContainTextAsync("--layers 2,6,4,2 --activation relu,tanh");
        Assert.Equal((100 * accuracy).ToString("0.0", CultureInfo.InvariantCulture) + "%", await Text(page, "test-accuracy"));
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("0");
        // The chooser is emptied, so choosing the same file again (after training on from it) is a change and reopens it.
        Assert.Equal("", await page.GetByTestId("open-model").InputValueAsync());
        // A model of other data is refused with the reason, and the page goes on.
        var other = BackpropProcess.Run(folder, "train", "--data", "blobs", "--layers", "2,3,3", "--epochs", "1", "--no-pictures", "--out", "blobs.safetensors");
        Assert.True(other.ExitCode == 0, other.ToString());
        await page.GetByTestId("open-model").SetInputFilesAsync(Path.Combine(folder, "blobs.safetensors"));
        await Expect(page.GetByTestId("error")).ToContainTextAsync("open data the model was trained on");
        Assert.Contains("--layers 2,6,4,2", await Text(page, "command"));
    }

    /// <summary>Same engine, different machine code (WebAssembly without FMA against AVX-512): 1e-4 relative, or 1e-3 absolute near 0.</summary>
    internal static double AllClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= 1e-4 * Math.Abs(expected[i]) || difference <= 1e-3,
                $"{what}[{i}]: CLI {expected[i]:R}, page {actual[i]:R}, difference {difference:E2}");
            largest = Math.Max(largest, difference);
        }
        return largest;
    }

    /// <summary>Splits a command as a POSIX shell would for what the page writes: words, and 'single-quoted' words.</summary>
    internal static List<string> ShellWords(string command)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in command)
        {
            if (c == '\'') { quoted = !quoted; any = true; }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return words;
    }

    [Fact]
    public async Task A_diverging_run_stops_with_a_message_and_a_reset_that_works()
    {
        var page = await site.OpenAsync("#data=xor&layers=2,3,2&activation=relu&output-activation=softmax&cost=cross-entropy&optimizer=sgd&lr=1000000&batch=10&epochs=50&examples=200");
        await page.GetByTestId("play").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=error]').innerText.includes('diverged')");
        Assert.Contains("lower the learning rate", await Text(page, "error"));
        await Expect(page.GetByTestId("play")).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "diverged.png") });
        await page.GetByTestId("error-reset").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("error")).ToHaveTextAsync("");
        await Expect(page.GetByTestId("play")).ToBeEnabledAsync();
    }

    [Fact]
    public async Task The_largest_network_trains_in_the_browser_without_a_second_thread()
    {
        // 6 × 32 neurons: its plane maps (80² points × 32 × 32) pass the product size at which the library would share
        // work with its GEMM thread on a desktop; in the browser it must stay on the one thread there is.
        var page = await site.OpenAsync("#data=spiral&examples=400&layers=2,32,32,32,32,32,32,2&activation=relu&lr=0.003&batch=32&epochs=3");
        await page.GetByTestId("step-epoch").ClickAsync();
        await Expect(page.GetByTestId("epoch")).ToHaveTextAsync("1");
        Assert.Empty(await Text(page, "error"));
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync());
        await Expect(page.GetByTestId("links-plain")).ToContainTextAsync("5248 links");
        Assert.Equal(0, await page.Locator(".link").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "largest.png"), FullPage = true });
    }

    [Fact]
    public async Task On_a_phone_nothing_runs_off_the_screen_and_every_control_has_a_name()
    {
        var page = await site.OpenAsync("", 390, 844);
        int width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page is {width} px wide on a 390 px screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PlaygroundSite.Shots, "phone.png"), FullPage = true });
        string[] unnamed = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('button, input, select')]
            .filter(e => !(e.getAttribute('aria-label') || e.labels?.length || e.innerText?.trim()))
            .map(e => e.outerHTML.slice(0, 80))");
        Assert.Empty(unnamed);
        // From the keyboard: focus Play and press Enter.
        await page.GetByTestId("play").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => +document.querySelector('[data-testid=epoch]').innerText >= 1");
        await page.GetByTestId("pause").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        // Paused: Play is offered again and the epoch no longer moves.
        await Expect(page.GetByTestId("play")).ToBeEnabledAsync();
        string epoch = await Text(page, "epoch");
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(epoch, await Text(page, "epoch"));
    }

    [Fact]
    public async Task The_network_grows_by_its_buttons_and_the_address_follows()
    {
        var page = await site.OpenAsync("#data=blobs&layers=2,4,3&activation=tanh&epochs=2");
        await page.GetByTestId("add-layer").ClickAsync();
        await Expect(page.GetByTestId("hidden-layers")).ToHaveTextAsync("2 hidden layers");
        await page.GetByTestId("add-neuron-1").ClickAsync();
        await page.GetByTestId("feature-x1^2").ClickAsync();
        await page.GetByTestId("activation-2").SelectOptionAsync("relu");
        await Expect(page.GetByTestId("command")).ToContainTextAsync("--layers 3,5,4,3 --activation tanh,relu");
        string command = await Text(page, "command");
        Assert.Contains("--features 'x1,x2,x1^2'", command);
        Assert.Contains("layers=3,5,4,3", Uri.UnescapeDataString(new Uri(page.Url).Fragment));
        // Editing a weight by hand: the page says the command no longer reproduces it.
        // From the keyboard, as every link can be chosen.
        await page.Locator(".link").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.GetByTestId("parameter-value").FillAsync("2.5");
        await page.GetByTestId("parameter-value").PressAsync("Enter");
        await page.GetByText("no longer reproduces").WaitForAsync();
    }
}
