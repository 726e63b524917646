using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>`backprop download` run as a user runs it, against a loopback server given as --base-url. The published
/// checksums are those of the real files, which the tests cannot serve, so these cover what the user sees when a
/// download fails; <see cref="DownloadTests"/> covers success, resuming and retrying.</summary>
public class DownloadCommandTests
{
    static readonly string[] Names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    static void AssertOneErrorLine(RunResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, $"expected exit 2, actual {result}");
        Assert.True(result.ErrorLines.Length == 1, $"expected one line on stderr, actual {result}");
        Assert.True(result.ErrorLines[0].StartsWith("error: ") && result.ErrorLines[0].Contains(expected),
            $"expected \"error: …{expected}…\", actual: {result.ErrorLines[0]}");
    }

    [Fact]
    public void A_file_the_server_does_not_have_is_exit_2_with_the_address_and_status()
    {
        using var server = new LoopbackHttpServer([]);
        using var directory = new TempDirectory();

        var result = BackpropProcess.Run(directory.Path, "download", "mnist", "--data-dir", directory.Path, "--base-url", server.BaseAddress.AbsoluteUri);

        AssertOneErrorLine(result, $"{server.BaseAddress}{Names[0]}: the server answered HTTP 404 Not Found");
        Assert.Equal($"mnist: 4 files from {server.BaseAddress} into {Path.Combine(directory.Path, "mnist")}", result.OutputLines[0]);
        Assert.Empty(Directory.GetFiles(Path.Combine(directory.Path, "mnist")));
    }

    [Fact]
    public void A_corrupted_file_is_exit_2_checksum_mismatch_and_leaves_no_file()
    {
        // Made-up bytes where the real file should be: the published SHA-256 cannot match.
        var files = Names.ToDictionary(n => n, n => new byte[1000]);
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();

        var result = BackpropProcess.Run(directory.Path, "download", "fashion-mnist", "--data-dir", directory.Path, "--base-url", server.BaseAddress.AbsoluteUri);

        AssertOneErrorLine(result, $"{server.BaseAddress}{Names[0]}: checksum mismatch: the downloaded file's SHA-256 is " +
            "541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53, not the published 3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84, twice");
        Assert.Equal(2, server.Requests.Count);
        Assert.Empty(Directory.GetFiles(Path.Combine(directory.Path, "fashion-mnist")));
        // Not a terminal: plain lines, the file's size as the server announced it, then the error.
        Assert.Equal($"{Names[0]}: 1000 bytes", result.OutputLines[1]);
    }

    [Fact]
    public void A_transfer_cut_on_every_attempt_is_exit_2_and_keeps_the_part_to_resume()
    {
        var files = Names.ToDictionary(n => n, n => new byte[100_000]);
        using var server = new LoopbackHttpServer(files);
        for (int i = 0; i < 3; i++) server.CutAfter(Names[0], 25_000);
        using var directory = new TempDirectory();

        var result = BackpropProcess.Run(directory.Path, "download", "mnist", "--data-dir", directory.Path, "--base-url", server.BaseAddress.AbsoluteUri);

        AssertOneErrorLine(result, "the transfer was cut 3 times, the last after 75000 of 9912422 bytes");
        Assert.Equal(75_000, new FileInfo(Path.Combine(directory.Path, "mnist", Names[0] + ".part")).Length);
        Assert.Equal([$"GET /{Names[0]}", $"GET /{Names[0]} Range: bytes=25000-", $"GET /{Names[0]} Range: bytes=50000-"], server.Requests);
        Assert.Equal([$"{Names[0]}: 100000 bytes", $"{Names[0]}: 25%", $"{Names[0]}: 50%", $"{Names[0]}: 75%"], result.OutputLines[1..]);
    }

    [Fact]
    public void A_redirect_to_a_local_file_is_exit_2_with_one_line_not_a_trace()
    {
        using var server = new LoopbackHttpServer([]);
        server.Redirect(Names[0], "file:///etc/passwd");
        using var directory = new TempDirectory();

        var result = BackpropProcess.Run(directory.Path, "download", "mnist", "--data-dir", directory.Path, "--base-url", server.BaseAddress.AbsoluteUri);

        AssertOneErrorLine(result, $"{server.BaseAddress}{Names[0]}: the server redirects to \"file:///etc/passwd\", which is not an http:// or https:// address; refused");
        Assert.Empty(Directory.GetFiles(Path.Combine(directory.Path, "mnist")));
    }

    [Fact]
    public void An_unknown_dataset_is_exit_2_naming_the_ones_that_exist()
    {
        using var directory = new TempDirectory();
        var result = BackpropProcess.Run(directory.Path, "download", "cifar10");
        AssertOneErrorLine(result, "unknown dataset \"cifar10\"; downloadable datasets: mnist, fashion-mnist");
    }

    [Fact]
    public void A_base_url_that_is_not_http_is_exit_2()
    {
        using var directory = new TempDirectory();
        var result = BackpropProcess.Run(directory.Path, "download", "mnist", "--base-url", "ftp://mirror/mnist");
        AssertOneErrorLine(result, "--base-url ftp://mirror/mnist is not an http:// or https:// address");
    }
}
