using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Backprop.Data;

namespace Backprop.Tests.Data;

/// <summary>
/// The downloader against a real HTTP server on 127.0.0.1 serving small made-up files (their checksums put in a
/// <see cref="DatasetRelease"/>): good files, transfers cut mid-way, a server that ignores Range, a stalled
/// connection, corrupted files and 404s.
/// </summary>
public class DownloadTests
{
    static readonly string[] Names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>Four files of distinct made-up bytes; the first is the big one the cuts happen in.</summary>
    static Dictionary<string, byte[]> MadeUpFiles()
    {
        var random = new Rng(42);
        int[] lengths = [200_000, 1_000, 50_000, 10];
        return Names.Select((name, i) => (name, bytes: Enumerable.Range(0, lengths[i]).Select(_ => (byte)random.NextInt(256)).ToArray()))
            .ToDictionary(p => p.name, p => p.bytes);
    }

    static DatasetRelease ReleaseOf(LoopbackHttpServer server, Dictionary<string, byte[]> files) =>
        new("made-up", server.BaseAddress, [.. files.Select(f => new DatasetFile(f.Key, Convert.ToHexStringLower(SHA256.HashData(f.Value)), f.Value.Length))]);

    /// <summary>A downloader on a clock that moves only when a test advances it, so no timeout fires by itself
    /// however loaded the machine is.</summary>
    static DatasetDownloader Downloader(ManualClock? clock = null) => new() { Clock = clock ?? new ManualClock() };

    static void AssertFilesAre(Dictionary<string, byte[]> expected, string directory)
    {
        foreach (var (name, bytes) in expected)
        {
            string path = Path.Combine(directory, name);
            Assert.True(File.Exists(path), $"{name} was not written");
            var actual = File.ReadAllBytes(path);
            Assert.True(bytes.AsSpan().SequenceEqual(actual), $"{name}: expected {bytes.Length} bytes as served, actual {actual.Length} bytes that differ");
        }
        Assert.Empty(Directory.GetFiles(directory, "*.part"));
    }

    sealed class Recorder : IProgress<DownloadProgress>
    {
        public readonly List<DownloadProgress> Reports = [];
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public async Task Every_file_is_fetched_verified_and_reported_to_its_full_length()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        var progress = new Recorder();

        var result = await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path, progress);

        AssertFilesAre(files, directory.Path);
        Assert.Equal(Names, result.Select(r => r.Name));
        Assert.All(result, r => Assert.False(r.AlreadyComplete));
        Assert.Equal(files.Values.Select(b => (long)b.Length), result.Select(r => r.Transferred));
        Assert.Equal(Names.Select(n => $"GET /{n}"), server.Requests);
        foreach (var (name, bytes) in files)
        {
            var last = progress.Reports.Last(r => r.File == name);
            Assert.Equal(new DownloadProgress(name, bytes.Length, bytes.Length), last);
        }
    }

    [Fact]
    public async Task Complete_files_with_the_right_checksum_are_not_fetched_again()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        var release = ReleaseOf(server, files);
        await Downloader().DownloadAsync(release, directory.Path);
        server.Requests.Clear();

        var again = await Downloader().DownloadAsync(release, directory.Path);

        Assert.Empty(server.Requests);
        Assert.All(again, r => Assert.True(r.AlreadyComplete, $"{r.Name} was fetched again"));
        AssertFilesAre(files, directory.Path);
    }

    [Fact]
    public async Task A_transfer_cut_midway_is_resumed_with_a_range_request()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        server.CutAfter(Names[0], 70_000);
        using var directory = new TempDirectory();

        var result = await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path);

        AssertFilesAre(files, directory.Path);
        Assert.Equal([$"GET /{Names[0]}", $"GET /{Names[0]} Range: bytes=70000-"], server.Requests.Take(2));
        Assert.Equal(200_000, result[0].Transferred);
    }

    [Fact]
    public async Task A_download_cut_on_every_attempt_fails_keeping_the_part_and_the_next_run_resumes_it()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        for (int i = 0; i < DatasetDownloader.MaxAttempts; i++) server.CutAfter(Names[0], 30_000);
        using var directory = new TempDirectory();
        var release = ReleaseOf(server, files);

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(release, directory.Path));
        Assert.Contains($"the transfer was cut 3 times, the last after 90000 of 200000 bytes", error.Message);
        Assert.Contains("run the download again to resume", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        string part = directory.File(Names[0] + ".part");
        Assert.Equal(90_000, new FileInfo(part).Length);
        Assert.False(File.Exists(directory.File(Names[0])));
        server.Requests.Clear();

        var result = await Downloader().DownloadAsync(release, directory.Path);

        AssertFilesAre(files, directory.Path);
        Assert.Equal($"GET /{Names[0]} Range: bytes=90000-", server.Requests[0]);
        Assert.Equal((90_000L, 110_000L), (result[0].ResumedFrom, result[0].Transferred));
    }

    [Fact]
    public async Task A_server_that_ignores_range_sends_the_whole_file_which_replaces_the_part()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files) { IgnoreRange = true };
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File(Names[0] + ".part"), files[Names[0]][..5_000]);

        var result = await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path);

        AssertFilesAre(files, directory.Path);
        Assert.Equal($"GET /{Names[0]} Range: bytes=5000-", server.Requests[0]);
        Assert.Equal(200_000, result[0].Transferred);
    }

    /// <summary>Calls <paramref name="action"/> once, the first time a report matches <paramref name="when"/>; reports
    /// come synchronously from the downloader, between its reads.</summary>
    sealed class OnReport(Func<DownloadProgress, bool> when, Action action) : IProgress<DownloadProgress>
    {
        bool done;
        public void Report(DownloadProgress value)
        {
            if (done || !when(value)) return;
            done = true;
            action();
        }
    }

    [Fact]
    public async Task A_stalled_connection_is_abandoned_and_resumed()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        server.StallAfter(Names[0], 20_000);
        using var directory = new TempDirectory();
        var clock = new ManualClock();
        // Once the 20,000 bytes are in, a whole window passes with nothing more.
        var progress = new OnReport(p => p.File == Names[0] && p.Done == 20_000, () => clock.Advance(DatasetDownloader.RateWindow));

        await Downloader(clock).DownloadAsync(ReleaseOf(server, files), directory.Path, progress);

        AssertFilesAre(files, directory.Path);
        Assert.Equal($"GET /{Names[0]} Range: bytes=20000-", server.Requests[1]);
    }

    /// <summary>Moves the clock on 5 s per byte of <see cref="Names"/>[0] received, up to <paramref name="upTo"/>
    /// bytes: a server sending a byte every 5 s, on a clock no machine load can move.</summary>
    sealed class FiveSecondsPerByte(ManualClock clock, long upTo) : IProgress<DownloadProgress>
    {
        long last;
        public void Report(DownloadProgress value)
        {
            if (value.File != Names[0] || value.Done <= last || value.Done > upTo) return;
            clock.Advance(TimeSpan.FromSeconds(5 * (value.Done - last)));
            last = value.Done;
        }
    }

    [Fact]
    public async Task A_server_sending_a_byte_every_5_s_falls_below_the_minimum_rate_and_is_resumed()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        server.Trickle(Names[0], 20);
        using var directory = new TempDirectory();
        var clock = new ManualClock();

        // Never silent for 60 s, but 12 bytes a minute: far below 61,440.
        var result = await Downloader(clock).DownloadAsync(ReleaseOf(server, files), directory.Path, new FiveSecondsPerByte(clock, 20));

        AssertFilesAre(files, directory.Path);
        Assert.Matches($"^GET /{Names[0]} Range: bytes=(1[2-9]|20)-$", server.Requests[1]);
        Assert.Equal(200_000, result[0].Transferred);
    }

    [Fact]
    public async Task A_server_that_trickles_on_every_attempt_is_an_error_naming_the_minimum_rate()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        for (int i = 0; i < DatasetDownloader.MaxAttempts; i++) server.Trickle(Names[0], 20);
        using var directory = new TempDirectory();
        var clock = new ManualClock();

        var error = await Assert.ThrowsAsync<BackpropException>(() =>
            Downloader(clock).DownloadAsync(ReleaseOf(server, files), directory.Path, new FiveSecondsPerByte(clock, 60)));

        Assert.Matches($@"^{Regex.Escape(server.BaseAddress + Names[0])}: the transfer was cut 3 times, the last after \d+ of 200000 bytes " +
            $@"\(fewer than 61440 bytes in 60 s\); run the download again to resume from {Regex.Escape(directory.File(Names[0]))}\.part$", error.Message);
    }

    [Fact]
    public async Task A_server_that_never_sends_headers_is_an_error_after_the_header_timeout()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        var clock = new ManualClock();
        server.SendNoHeaders(Names[0], () => clock.Advance(DatasetDownloader.HeaderTimeout));
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader(clock).DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[0]}: the server sent no response headers within 30 s; check the address (--base-url) and your connection, then run the download again", error.Message);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("////")]
    [InlineData("ftp://127.0.0.1/x")]
    public async Task A_redirect_to_anything_but_http_or_https_is_refused(string location)
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        server.Redirect(Names[0], location);
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[0]}: the server redirects to \"{location}\", which is not an http:// or https:// address; refused: use another mirror (--base-url)", error.Message);
        Assert.Equal([$"GET /{Names[0]}"], server.Requests);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public async Task A_redirect_within_the_limit_is_followed_with_the_range_kept()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files.ToDictionary(f => "mirror/" + f.Key, f => f.Value));
        foreach (var name in Names)
        {
            // Ten hops: relative, then absolute, each to the next.
            for (int hop = 0; hop < DatasetDownloader.MaxRedirects - 1; hop++)
                server.Redirect(hop == 0 ? name : $"hop{hop}/{name}", hop % 2 == 0 ? $"/hop{hop + 1}/{name}" : $"{server.BaseAddress}hop{hop + 1}/{name}");
            server.Redirect($"hop{DatasetDownloader.MaxRedirects - 1}/{name}", $"/mirror/{name}");
        }
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File(Names[0] + ".part"), files[Names[0]][..5_000]);

        await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path);

        AssertFilesAre(files, directory.Path);
        Assert.Equal(4 * (DatasetDownloader.MaxRedirects + 1), server.Requests.Count);
        Assert.Equal($"GET /mirror/{Names[0]} Range: bytes=5000-", server.Requests[DatasetDownloader.MaxRedirects]);
    }

    [Fact]
    public async Task More_redirects_than_the_limit_are_refused_after_eleven_requests()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        for (int hop = 0; hop < 50; hop++) server.Redirect(hop == 0 ? Names[0] : $"hop{hop}", $"/hop{hop + 1}");
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[0]}: the server redirects more than 10 times (the last to {server.BaseAddress}hop11); use another mirror (--base-url)", error.Message);
        Assert.Equal(DatasetDownloader.MaxRedirects + 1, server.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_loop_is_named_as_a_loop()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        server.Redirect(Names[0], "/a");
        server.Redirect("a", "/b");
        server.Redirect("b", "/a");
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[0]}: the server redirects in a loop ({server.BaseAddress}a → {server.BaseAddress}b → {server.BaseAddress}a); use another mirror (--base-url)", error.Message);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_part_that_is_a_symbolic_link_is_refused_and_its_target_left_as_it_was()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        string precious = directory.File("precious.txt");
        File.WriteAllText(precious, "mine");
        File.CreateSymbolicLink(directory.File(Names[0] + ".part"), precious);

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        string part = directory.File(Names[0] + ".part");
        Assert.Equal($"{part}: is a symbolic link; the download never writes through a link: delete {part} and run the download again", error.Message);
        Assert.Equal("mine", File.ReadAllText(precious));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_dangling_part_link_is_refused_and_nothing_is_created_at_its_target()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        string target = directory.File("elsewhere");
        File.CreateSymbolicLink(directory.File(Names[0] + ".part"), target);

        await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task A_corrupt_part_from_an_earlier_run_is_deleted_and_fetched_once_more_from_the_start()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File(Names[0] + ".part"), new byte[5_000]);

        await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path);

        AssertFilesAre(files, directory.Path);
        Assert.Equal([$"GET /{Names[0]} Range: bytes=5000-", $"GET /{Names[0]}"], server.Requests.Take(2));
    }

    [Fact]
    public async Task A_corrupted_file_is_a_checksum_error_after_one_retry_and_leaves_no_file()
    {
        var files = MadeUpFiles();
        var served = files.ToDictionary(f => f.Key, f => f.Value.ToArray());
        served[Names[1]][500] ^= 0x01;
        using var server = new LoopbackHttpServer(served);
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        string expectedHash = Convert.ToHexStringLower(SHA256.HashData(files[Names[1]]));
        string actualHash = Convert.ToHexStringLower(SHA256.HashData(served[Names[1]]));
        Assert.Equal($"{server.BaseAddress}{Names[1]}: checksum mismatch: the downloaded file's SHA-256 is {actualHash}, not the published {expectedHash}, twice; " +
            "the partial file was deleted; the server or a proxy is serving a different file: retry later or from another mirror (--base-url)", error.Message);
        Assert.Equal(2, server.Requests.Count(r => r == $"GET /{Names[1]}"));
        Assert.False(File.Exists(directory.File(Names[1])));
        Assert.False(File.Exists(directory.File(Names[1] + ".part")));
        Assert.True(File.Exists(directory.File(Names[0])), "the good file before it stays");
    }

    [Fact]
    public async Task A_server_sending_more_than_the_file_is_refused()
    {
        var files = MadeUpFiles();
        var served = files.ToDictionary(f => f.Key, f => f.Value);
        served[Names[3]] = new byte[11];
        using var server = new LoopbackHttpServer(served);
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[3]}: the server offers 11 bytes but the file is 10; it is serving a different file: use another mirror (--base-url)", error.Message);
    }

    [Fact]
    public async Task Not_found_is_an_error_naming_the_address_and_leaves_no_file()
    {
        var files = MadeUpFiles();
        var served = files.Where(f => f.Key != Names[2]).ToDictionary();
        using var server = new LoopbackHttpServer(served);
        using var directory = new TempDirectory();

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.Equal($"{server.BaseAddress}{Names[2]}: the server answered HTTP 404 Not Found; check the address (--base-url) and your connection, then run the download again", error.Message);
        Assert.False(File.Exists(directory.File(Names[2])));
        Assert.False(File.Exists(directory.File(Names[2] + ".part")));
    }

    [Fact]
    public async Task No_server_listening_is_an_error_saying_so()
    {
        var files = MadeUpFiles();
        Uri address;
        using (var server = new LoopbackHttpServer(files)) address = server.BaseAddress;
        using var directory = new TempDirectory();
        var release = new DatasetRelease("made-up", address, [new DatasetFile(Names[3], new string('0', 64), 10)]);

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(release, directory.Path));

        Assert.StartsWith($"{address}{Names[3]}: cannot connect (", error.Message);
        Assert.EndsWith("); check your network connection, then run the download again", error.Message);
    }

    [Fact]
    public async Task A_file_of_the_same_name_with_another_checksum_is_left_alone_and_reported()
    {
        var files = MadeUpFiles();
        using var server = new LoopbackHttpServer(files);
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File(Names[0]), "mine");

        var error = await Assert.ThrowsAsync<BackpropException>(() => Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path));

        Assert.StartsWith($"{directory.File(Names[0])}: exists but its SHA-256 is {Convert.ToHexStringLower(SHA256.HashData("mine"u8))}, not the published ", error.Message);
        Assert.Equal("mine", File.ReadAllText(directory.File(Names[0])));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task The_real_fashion_mnist_files_travel_intact_and_read_as_the_dataset()
    {
        const string source = "/usr/share/datasets/fashion-mnist";
        Assert.True(Directory.Exists(source), $"{source} is missing: apt-get install dataset-fashion-mnist (as .ci/run does)");
        var files = Names.ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(source, n)));
        using var server = new LoopbackHttpServer(files);
        server.CutAfter(Names[0], 10_000_000);
        using var directory = new TempDirectory();

        await Downloader().DownloadAsync(ReleaseOf(server, files), directory.Path);

        var train = IdxReader.Read(directory.File(Names[0]), directory.File(Names[1]));
        Assert.Equal((60_000, 784, 10), (train.Count, train.FeatureCount, train.ClassCount));
        Assert.Contains($"GET /{Names[0]} Range: bytes=10000000-", server.Requests);
    }

    [Fact]
    public void The_published_releases_list_four_files_each_with_a_sha256()
    {
        Assert.Equal(["mnist", "fashion-mnist"], DatasetDownloader.Releases.Select(r => r.Name));
        foreach (var release in DatasetDownloader.Releases)
        {
            Assert.Equal(Names, release.Files.Select(f => f.Name));
            Assert.All(release.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        }
        Assert.Equal("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
            DatasetDownloader.Release("MNIST").AddressOf(DatasetDownloader.Release("mnist").Files[0]).AbsoluteUri);
        Assert.Equal(26_421_880, DatasetDownloader.Release("fashion-mnist").Files[0].Length);
    }

    [Fact]
    public void A_mirror_address_replaces_the_base_with_or_without_its_trailing_slash()
    {
        var file = DatasetDownloader.Release("mnist").Files[3];
        Assert.Equal("http://mirror.example/data/mnist/t10k-labels-idx1-ubyte.gz",
            DatasetDownloader.Release("mnist", new Uri("http://mirror.example/data/mnist")).AddressOf(file).AbsoluteUri);
        Assert.Equal("http://mirror.example/data/mnist/t10k-labels-idx1-ubyte.gz",
            DatasetDownloader.Release("mnist", new Uri("http://mirror.example/data/mnist/")).AddressOf(file).AbsoluteUri);
    }

    [Fact]
    public void An_unknown_dataset_is_refused_with_the_names_that_exist() =>
        Expect.Failure(() => DatasetDownloader.Release("cifar10"), "unknown dataset \"cifar10\"; downloadable datasets: mnist, fashion-mnist");

    [Fact]
    public void Datasets_go_to_DIR_slash_NAME_or_the_home_folder()
    {
        Assert.Equal(Path.Combine("/data", "mnist"), DatasetDownloader.TargetDirectory("mnist", "/data"));
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".backprop", "datasets", "fashion-mnist"),
            DatasetDownloader.TargetDirectory("fashion-mnist", null));
    }
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) serving files by name, one request per connection, that can
/// misbehave on purpose: cut a response after N body bytes, stall after N bytes, trickle bytes one at a time, send no
/// headers, redirect, ignore Range. It logs each request as "GET /name" plus " Range: …" when one was sent. Bounded: it serves at most 200 connections, and stops on dispose.
/// </summary>
sealed class LoopbackHttpServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly Dictionary<string, byte[]> _files;
    readonly Dictionary<string, Queue<Fault>> _faults = [];
    readonly Dictionary<string, string> _redirects = [];

    /// <summary>One misbehaviour: <see cref="Bytes"/> body bytes then a cut (or a stall); or, with
    /// <see cref="Received"/>, no response at all, calling it once the request has arrived.</summary>
    sealed record Fault(int Bytes, bool Stall, Action? Received = null);
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    public LoopbackHttpServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }
    public bool IgnoreRange { get; init; }
    public List<string> Requests { get; } = [];

    /// <summary>The next request for <paramref name="name"/> gets the headers and <paramref name="bytes"/> body bytes, then the connection closes.</summary>
    public void CutAfter(string name, int bytes) => Add(name, new Fault(bytes, Stall: false));

    /// <summary>The next request for <paramref name="name"/> gets <paramref name="bytes"/> body bytes, then nothing, until the client gives up.</summary>
    public void StallAfter(string name, int bytes) => Add(name, new Fault(bytes, Stall: true));

    /// <summary>The next request for <paramref name="name"/> gets <paramref name="bytes"/> body bytes, then nothing
    /// until the client gives up: with a test clock moved on per byte received, a trickle.</summary>
    public void Trickle(string name, int bytes) => Add(name, new Fault(bytes, Stall: true));

    /// <summary>The next request for <paramref name="name"/> is read, <paramref name="received"/> called, and never
    /// answered, until the client gives up.</summary>
    public void SendNoHeaders(string name, Action received) => Add(name, new Fault(0, Stall: true, received));

    /// <summary>Every request for <paramref name="path"/> is answered 302 Found with this Location header, as is.</summary>
    public void Redirect(string path, string location)
    {
        lock (_redirects) _redirects[path] = location;
    }

    void Add(string name, Fault fault)
    {
        lock (_faults)
        {
            if (!_faults.TryGetValue(name, out var queue)) _faults[name] = queue = new();
            queue.Enqueue(fault);
        }
    }

    async Task ServeAsync()
    {
        for (int connection = 0; connection < 200 && !_stop.IsCancellationRequested; connection++)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            try { await RespondAsync(client); }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { } // the client went away
            finally { client.Dispose(); }
        }
    }

    async Task RespondAsync(TcpClient client)
    {
        var stream = client.GetStream();
        string head = await ReadHeadAsync(stream);
        var lines = head.Split("\r\n");
        string path = Uri.UnescapeDataString(lines[0].Split(' ')[1].TrimStart('/'));
        string? range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
        lock (Requests) Requests.Add($"GET /{path}" + (range is null ? "" : $" Range: {range}"));

        string? location;
        lock (_redirects) _redirects.TryGetValue(path, out location);
        if (location is not null)
        {
            await WriteAsync(stream, $"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        Fault? fault = null;
        lock (_faults)
            if (_faults.TryGetValue(path, out var queue) && queue.Count > 0) fault = queue.Dequeue();
        if (fault is { Received: { } received })
        {
            received();
            _ = await stream.ReadAsync(new byte[1], _stop.Token);
            return;
        }

        if (!_files.TryGetValue(path, out var file))
        {
            await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        long start = 0;
        string status = "200 OK", extra = "";
        if (range is not null && !IgnoreRange && range.StartsWith("bytes=") && range.EndsWith('-'))
        {
            start = long.Parse(range[6..^1]);
            if (start >= file.Length)
            {
                await WriteAsync(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{file.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return;
            }
            status = "206 Partial Content";
            extra = $"Content-Range: bytes {start}-{file.Length - 1}/{file.Length}\r\n";
        }
        var body = file.AsMemory((int)start);
        await WriteAsync(stream, $"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\n{extra}Connection: close\r\n\r\n");

        if (fault is { } f)
        {
            await stream.WriteAsync(body[..Math.Min(f.Bytes, body.Length)], _stop.Token);
            await stream.FlushAsync(_stop.Token);
            // Stalled: hold the connection open, silent, until the client closes it (or the test ends).
            if (f.Stall) _ = await stream.ReadAsync(new byte[1], _stop.Token);
            return;
        }
        await stream.WriteAsync(body, _stop.Token);
    }

    async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 16_384 && !head.ToString().EndsWith("\r\n\r\n"))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0) throw new IOException("the client closed before sending a request");
            head.Append((char)buffer[0]);
        }
        return head.ToString();
    }

    Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
