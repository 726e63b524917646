using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>
/// Serves the published playground (static files: the engine runs in the browser) on this machine only, and prints
/// its address. In a source checkout it publishes the playground first when no published copy exists.
/// </summary>
public sealed class PlaygroundCommand : Command<PlaygroundCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port on 127.0.0.1")]
        [DefaultValue(5080)]
        public int Port { get; init; } = 5080;

        [CommandOption("--site <DIR>")]
        [Description("The published site (the wwwroot folder of `dotnet publish -c Release src/Backprop.Playground`); default: found beside the source")]
        public string? Site { get; init; }
    }

    /// <summary>Where a source checkout publishes the site, relative to the folder holding backprop.dll (src/Backprop.Cli/bin/CONFIG/net10.0).</summary>
    const string PublishedFromCli = "../../../../Backprop.Playground/bin/Release/net10.0/publish/wwwroot";
    const string ProjectFromCli = "../../../../Backprop.Playground/Backprop.Playground.csproj";

    static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript", [".css"] = "text/css",
        [".json"] = "application/json", [".wasm"] = "application/wasm", [".dat"] = "application/octet-stream",
        [".png"] = "image/png", [".svg"] = "image/svg+xml", [".ico"] = "image/x-icon", [".txt"] = "text/plain; charset=utf-8",
    };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Port is < 1 or > 65535) throw new BackpropException($"--port must be 1 to 65535, got {settings.Port}");
        string site = FindSite(settings.Site);
        using var listener = new HttpListener();
        string address = $"http://127.0.0.1:{settings.Port}/";
        listener.Prefixes.Add(address);
        try { listener.Start(); }
        catch (HttpListenerException e)
        {
            throw new BackpropException($"cannot listen on {address}: {e.Message}; choose another --port");
        }
        Console.Out.WriteLine($"Backprop playground at {address} (serving {site}; Ctrl-C stops it)");

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext signal) { signal.Cancel = true; stop.Cancel(); }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        stop.Token.Register(listener.Stop);
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext request;
            try { request = listener.GetContext(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { break; }
            ThreadPool.QueueUserWorkItem(_ => Serve(request, site));
        }
        return 0;
    }

    static string FindSite(string? given)
    {
        if (given != null)
            return File.Exists(Path.Combine(given, "index.html")) ? Path.GetFullPath(given)
                : throw new BackpropException($"--site {given} holds no index.html; give the wwwroot folder of a published playground");
        string here = AppContext.BaseDirectory;
        string published = Path.GetFullPath(Path.Combine(here, PublishedFromCli));
        if (File.Exists(Path.Combine(published, "index.html"))) return published;
        string project = Path.GetFullPath(Path.Combine(here, ProjectFromCli));
        if (!File.Exists(project))
            // An installed tool: the site is not carried (it would add 7.2 MB to the package without its Brotli and gzip
            // copies, 20.5 MB with them, and a ~1 min WebAssembly publish to every pack).
            throw new BackpropException("this backprop has no playground site beside it (an installed tool does not carry one); in a checkout of Backprop run " +
                "`dotnet publish -c Release src/Backprop.Playground`, then `backprop playground --site src/Backprop.Playground/bin/Release/net10.0/publish/wwwroot`");
        Console.Out.WriteLine($"publishing the playground once (dotnet publish -c Release {project}) …");
        using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", "-c", "Release", project, "--nologo", "-v", "quiet"]))!;
        publish.WaitForExit();
        if (publish.ExitCode != 0 || !File.Exists(Path.Combine(published, "index.html")))
            throw new BackpropException($"publishing the playground failed (exit {publish.ExitCode}); run `dotnet publish -c Release {project}` to see why");
        return published;
    }

    /// <summary>One GET: the file under the site (index.html for a folder), precompressed with Brotli or gzip when the browser takes it.</summary>
    static void Serve(HttpListenerContext context, string site)
    {
        var response = context.Response;
        try
        {
            if (context.Request.HttpMethod is not ("GET" or "HEAD")) { response.StatusCode = 405; return; }
            string relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
            string path = Path.GetFullPath(Path.Combine(site, relative));
            // Inside the site folder only (its own path followed by a separator, so /site2 is not inside /site).
            if (path != site && !path.StartsWith(Path.TrimEndingDirectorySeparator(site) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                response.StatusCode = 404;
                return;
            }
            if (Directory.Exists(path)) path = Path.Combine(path, "index.html");
            if (!File.Exists(path)) { response.StatusCode = 404; return; }
            response.ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            string accepted = context.Request.Headers["Accept-Encoding"] ?? "";
            string served = path;
            if (accepted.Contains("br") && File.Exists(path + ".br")) { served = path + ".br"; response.AddHeader("Content-Encoding", "br"); }
            else if (accepted.Contains("gzip") && File.Exists(path + ".gz")) { served = path + ".gz"; response.AddHeader("Content-Encoding", "gzip"); }
            response.AddHeader("Cache-Control", "no-cache");
            var bytes = File.ReadAllBytes(served);
            response.ContentLength64 = bytes.Length;
            if (context.Request.HttpMethod == "GET") response.OutputStream.Write(bytes);
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException)
        {
            // The browser went away mid-answer, or a file could not be read: that request fails, the server goes on.
            try { response.StatusCode = 500; } catch (InvalidOperationException) { }
        }
        finally
        {
            try { response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        }
    }
}
