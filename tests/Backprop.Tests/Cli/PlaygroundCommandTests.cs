using System.Net;
using System.Net.Sockets;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>`backprop playground` serves a folder of static files on 127.0.0.1, as a browser needs them.</summary>
public class PlaygroundCommandTests
{
    [Fact]
    public async Task It_serves_the_site_with_the_right_types_prefers_brotli_and_never_leaves_the_folder()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("site/_framework"));
        File.WriteAllText(folder.File("site/index.html"), "<html>playground</html>");
        File.WriteAllBytes(folder.File("site/_framework/dotnet.native.wasm"), [0, 0x61, 0x73, 0x6d]);
        File.WriteAllBytes(folder.File("site/_framework/dotnet.native.wasm.br"), [1, 2, 3]);
        File.WriteAllText(folder.File("secret.txt"), "outside the site");
        int port = FreePort();
        using var server = BackpropProcess.Start(folder.Path, "playground", "--port", port.ToString(), "--site", folder.File("site"));
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
            string address = $"http://127.0.0.1:{port}/";
            HttpResponseMessage? index = null;
            for (int attempt = 0; attempt < 300 && index is null; attempt++)
            {
                try { index = await http.GetAsync(address); }
                catch (HttpRequestException) { await Task.Delay(100); }
            }
            Assert.NotNull(index);
            Assert.Equal("text/html; charset=utf-8", index!.Content.Headers.ContentType!.ToString());
            Assert.Equal("<html>playground</html>", await index.Content.ReadAsStringAsync());

            var plain = await http.GetAsync(address + "_framework/dotnet.native.wasm");
            Assert.Equal("application/wasm", plain.Content.Headers.ContentType!.MediaType);
            Assert.Equal([0, 0x61, 0x73, 0x6d], await plain.Content.ReadAsByteArrayAsync());

            var request = new HttpRequestMessage(HttpMethod.Get, address + "_framework/dotnet.native.wasm");
            request.Headers.AcceptEncoding.ParseAdd("gzip, br");
            var compressed = await http.SendAsync(request);
            Assert.Equal("br", Assert.Single(compressed.Content.Headers.ContentEncoding));
            Assert.Equal([1, 2, 3], await compressed.Content.ReadAsByteArrayAsync());

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address + "..%2Fsecret.txt")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address + "missing.js")).StatusCode);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync(address, new StringContent(""))).StatusCode);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public void A_folder_without_a_site_or_an_impossible_port_is_exit_2_with_one_line()
    {
        using var folder = new TempDirectory();
        var noSite = BackpropProcess.Run(folder.Path, "playground", "--site", folder.Path);
        Assert.Equal(2, noSite.ExitCode);
        Assert.Contains("holds no index.html; give the wwwroot folder of a published playground", noSite.Error);
        Assert.Single(noSite.ErrorLines);
        var badPort = BackpropProcess.Run(folder.Path, "playground", "--port", "70000");
        Assert.Equal(2, badPort.ExitCode);
        Assert.Contains("--port must be 1 to 65535, got 70000", badPort.Error);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
