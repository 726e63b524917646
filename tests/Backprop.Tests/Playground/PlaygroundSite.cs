using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Backprop.Tests.Cli;
using Microsoft.Playwright;

namespace Backprop.Tests.Playground;

/// <summary>
/// The published playground, served by `backprop playground` on a free localhost port, and Debian's Chromium driven
/// by Playwright. Publishing is incremental: after the first run it takes seconds.
/// </summary>
public sealed class PlaygroundSite : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    static readonly string Project = Path.Combine(BackpropProcess.Root, "src", "Backprop.Playground", "Backprop.Playground.csproj");
    public static readonly string Published = Path.Combine(BackpropProcess.Root, "src", "Backprop.Playground", "bin", "Release", "net10.0", "publish", "wwwroot");
    /// <summary>Screenshots the tests take, to look at.</summary>
    public static readonly string Shots = Path.Combine(Path.GetTempPath(), "backprop-playground-shots");

    Process? server;
    IPlaywright? playwright;
    public IBrowser Browser { get; private set; } = null!;
    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: the playground tests drive Debian's Chromium; apt-get install -y chromium");
        var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", "-c", "Release", Project, "--nologo", "-v", "quiet"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var log = publish.StandardOutput.ReadToEndAsync();
        string errors = await publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0) throw new InvalidOperationException($"dotnet publish of the playground failed:\n{await log}\n{errors}");

        int port = FreePort();
        Address = $"http://127.0.0.1:{port}/";
        server = BackpropProcess.Start(BackpropProcess.Root, "playground", "--port", port.ToString(), "--site", Published);
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(Address)).StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60)) { }
            if (server.HasExited) throw new InvalidOperationException($"backprop playground exited with {server.ExitCode}: {await server.StandardError.ReadToEndAsync()}");
            await Task.Delay(200);
        }
        Directory.CreateDirectory(Shots);
        // The page renders after a click on its own schedule; under a loaded machine that can take seconds.
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root Chromium needs --no-sandbox; the rest keeps it off a network this machine does not have.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A new page at the playground with <paramref name="hash"/>, once the engine has drawn its first network.</summary>
    public async Task<IPage> OpenAsync(string hash = "", int width = 1280, int height = 800)
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, AcceptDownloads = true });
        page.SetDefaultTimeout(120_000);
        await page.GotoAsync(Address + hash);
        await page.GetByTestId("command").WaitForAsync();
        return page;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (Browser != null) await Browser.CloseAsync();
        playwright?.Dispose();
        if (server is { HasExited: false })
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        server?.Dispose();
    }
}

[CollectionDefinition("playground")]
public sealed class PlaygroundCollection : ICollectionFixture<PlaygroundSite>;
