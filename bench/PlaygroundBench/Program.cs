// bench/PlaygroundBench: the playground's speed in a real browser.
//   dotnet run -c Release --project bench/PlaygroundBench -- [ADDRESS] [SECONDS]
// ADDRESS is a running `backprop playground` (default http://127.0.0.1:5080/). For each network below it opens the
// page, presses Play, reads the page's own speed line (batches and frames over the last second, `data-testid=speed`)
// once a second for SECONDS (default 20), and prints the medians; then the bytes transferred to load the page
// (compressed, as the browser received them) and the time until the first network is drawn.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

string address = args.Length > 0 ? args[0] : "http://127.0.0.1:5080/";
int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
(string Name, string Hash)[] networks =
[
    ("default 2,8,8,2 tanh, spiral 250, batch 16", "#epochs=100000"),
    ("TF Playground default 2,4,2,2 tanh, circles 250, batch 10, sgd 0.03", "#data=circles&examples=500&layers=2,4,2,2&activation=tanh&optimizer=sgd&lr=0.03&batch=10&epochs=100000"),
    ("largest 2,32×6,2 relu, spiral 250, batch 32", "#layers=2,32,32,32,32,32,32,2&activation=relu&lr=0.003&batch=32&epochs=100000"),
];

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium", Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// The download: every response's encoded body, on a fresh page with an empty cache.
{
    var page = await browser.NewPageAsync();
    long bytes = 0;
    int files = 0;
    page.RequestFinished += async (_, request) =>
    {
        var sizes = await request.SizesAsync();
        Interlocked.Add(ref bytes, sizes.ResponseBodySize + sizes.ResponseHeadersSize);
        Interlocked.Increment(ref files);
    };
    var clock = Stopwatch.StartNew();
    await page.GotoAsync(address);
    await page.GetByTestId("command").WaitForAsync(new() { Timeout = 120_000 });
    double ready = clock.Elapsed.TotalSeconds;
    await Task.Delay(1000);
    Console.WriteLine($"download: {bytes / 1024.0 / 1024.0:F2} MiB in {files} responses (compressed as transferred); first network drawn after {ready:F2} s");
    await page.CloseAsync();
}

foreach (var (name, hash) in networks)
{
    var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
    await page.GotoAsync(address + hash);
    await page.GetByTestId("command").WaitForAsync(new() { Timeout = 120_000 });
    await page.GetByTestId("play").ClickAsync();
    await Task.Delay(2000);  // the first second has no measurement yet
    var batches = new List<double>();
    var frames = new List<double>();
    for (int i = 0; i < seconds; i++)
    {
        await Task.Delay(1000);
        string line = await page.GetByTestId("speed").InnerTextAsync();
        var words = line.Split(' ');
        batches.Add(double.Parse(words[0], CultureInfo.InvariantCulture));
        frames.Add(double.Parse(words[2], CultureInfo.InvariantCulture));
    }
    string epoch = await page.GetByTestId("epoch").InnerTextAsync();
    string last = await page.GetByTestId("speed").InnerTextAsync();
    Console.WriteLine($"{name}: median {Median(batches):F0} batches/s (min {batches.Min():F0}, max {batches.Max():F0}), " +
                      $"median {Median(frames):F1} frames/s (min {frames.Min():F1}, max {frames.Max():F1}); epoch {epoch} after {seconds + 2} s\n    last: {last}");
    await page.CloseAsync();
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
