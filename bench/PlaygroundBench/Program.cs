// bench/PlaygroundBench: the playground's speed in a real browser.
//   dotnet run -c Release --project bench/PlaygroundBench -- [ADDRESS] [SECONDS] [--gemm ROUNDS]
// ADDRESS is a running `backprop playground` (default http://127.0.0.1:5080/). For each network below it opens the
// page, presses Play, reads the page's own speed line (batches and frames over the last second, `data-testid=speed`)
// once a second for SECONDS (default 20), and prints the medians; then the bytes transferred to load the page
// (compressed, as the browser received them) and the time until the first network is drawn.
// With --gemm ROUNDS it measures instead the library's 128-bit matrix products against its scalar tiles, in this one
// browser on this one site: the default and the largest network, each ROUNDS times with and without the page's
// benchmarking switch gemm=scalar, alternating which goes first; per round the two medians and their ratio, then the
// medians over the rounds. Each measurement checks the page's `data-testid=gemm` line names the path it meant to time.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

int gemmAt = Array.IndexOf(args, "--gemm");
int gemmRounds = gemmAt >= 0 ? int.Parse(args[gemmAt + 1], CultureInfo.InvariantCulture) : 0;
if (gemmAt >= 0) args = args[..gemmAt];
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

if (gemmRounds > 0)
{
    await CompareGemm(gemmRounds);
    return;
}

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
    var (batches, frames, epoch, last, _) = await Measure(hash);
    Console.WriteLine($"{name}: median {Median(batches):F0} batches/s (min {batches.Min():F0}, max {batches.Max():F0}), " +
                      $"median {Median(frames):F1} frames/s (min {frames.Min():F1}, max {frames.Max():F1}); epoch {epoch} after {seconds + 2} s\n    last: {last}");
}

// Opens the page at hash, plays, and reads the speed line once a second for `seconds`; also the page's gemm line.
async Task<(List<double> Batches, List<double> Frames, string Epoch, string Last, string Gemm)> Measure(string hash)
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
    string gemm = await page.GetByTestId("gemm").InnerTextAsync();
    await page.CloseAsync();
    return (batches, frames, epoch, last, gemm);
}

// The 128-bit path against the scalar tiles: same browser, same site, alternating, several rounds.
async Task CompareGemm(int rounds)
{
    (string Name, string Hash)[] compared = [networks[0], networks[2]];
    var ratios = compared.ToDictionary(n => n.Name, _ => new List<double>());
    var vector = compared.ToDictionary(n => n.Name, _ => new List<double>());
    var scalar = compared.ToDictionary(n => n.Name, _ => new List<double>());
    Console.WriteLine($"{address}, {seconds} readings each, load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
    for (int round = 1; round <= rounds; round++)
    {
        foreach (var (name, hash) in compared)
        {
            bool scalarFirst = round % 2 == 0;
            double v = 0, s = 0;
            foreach (bool useScalar in scalarFirst ? new[] { true, false } : [false, true])
            {
                var (batches, _, _, _, gemm) = await Measure(hash + (useScalar ? "&gemm=scalar" : ""));
                string expected = useScalar ? "scalar 4×4 tiles" : "128-bit SIMD";
                if (!gemm.Contains(expected)) throw new InvalidOperationException($"the page ran another path than {expected}: {gemm}");
                if (useScalar) s = Median(batches); else v = Median(batches);
            }
            vector[name].Add(v);
            scalar[name].Add(s);
            ratios[name].Add(v / s);
            Console.WriteLine($"round {round} ({(scalarFirst ? "scalar first" : "128-bit first")}), {name}: 128-bit {v:F0} batches/s, scalar {s:F0}, ratio {v / s:F2}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }
    foreach (var (name, _) in compared)
        Console.WriteLine($"{name}: over {rounds} rounds, medians 128-bit {Median(vector[name]):F0} batches/s, scalar {Median(scalar[name]):F0}, " +
                          $"ratio {Median(ratios[name]):F2} (per round {string.Join(", ", ratios[name].Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})");
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
