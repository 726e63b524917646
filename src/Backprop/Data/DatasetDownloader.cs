using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Backprop.Data;

/// <summary>One file of a published dataset: its name, the SHA-256 of its bytes (lowercase hex) and its length.</summary>
public sealed record DatasetFile(string Name, string Sha256, long Length);

/// <summary>A dataset as published: the address its files sit under, and the files.</summary>
public sealed record DatasetRelease(string Name, Uri BaseAddress, IReadOnlyList<DatasetFile> Files)
{
    /// <summary>The address of one of the release's files.</summary>
    public Uri AddressOf(DatasetFile file) => new(BaseAddress, file.Name);
}

/// <summary>How far the transfer of <see cref="File"/> has come: <see cref="Done"/> of <see cref="Total"/> bytes
/// (null when neither the server nor the release says).</summary>
public readonly record struct DownloadProgress(string File, long Done, long? Total);

/// <summary>What happened to one file: fetched now (<see cref="Transferred"/> bytes over the network, after
/// <see cref="ResumedFrom"/> bytes already on disk), or already complete and verified.</summary>
public sealed record DownloadedFile(string Name, string Path, bool AlreadyComplete, long Transferred, long ResumedFrom);

/// <summary>
/// Fetches the four IDX files of MNIST or Fashion-MNIST, verifying each against its published SHA-256.
/// </summary>
/// <remarks>
/// <para>A file is written as <c>NAME.part</c> and renamed to NAME only once its SHA-256 matches, so a file under its
/// own name is always complete and right. An existing NAME with the right checksum is skipped; an existing
/// <c>NAME.part</c> is resumed with an HTTP Range request (a server that ignores Range and answers 200 is read from
/// the start instead). A transfer cut mid-way is resumed up to <see cref="MaxAttempts"/> times per file; a file whose
/// checksum is wrong is deleted and fetched once more from the start, and is an error if it is wrong again.</para>
/// <para>The server is not trusted, and this class is the one place that says how far: it follows at most
/// <see cref="MaxRedirects"/> redirects, each to an http(s) address, and names a loop as a loop; it waits at most
/// <see cref="HeaderTimeout"/> for a response's headers; a transfer that brings fewer than
/// <see cref="MinimumBytesPerWindow"/> bytes in <see cref="RateWindow"/> (silent or trickling) counts as cut; and it
/// never writes through a <c>.part</c> that is a symbolic link or not a regular file.</para>
/// <para>Every problem is a <see cref="BackpropException"/> naming the file and what to do.</para>
/// </remarks>
public sealed class DatasetDownloader : IDisposable
{
    /// <summary>Transfers tried per file before giving up; each after the first resumes where the last stopped.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Redirects followed per request (browsers allow about 20, curl 50; a mirror needs one or two).</summary>
    public const int MaxRedirects = 10;

    /// <summary>A request whose response headers have not all arrived after this long fails.</summary>
    public static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The window of the minimum transfer rate: every window must bring <see cref="MinimumBytesPerWindow"/>.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(60);

    /// <summary>1 KiB/s over <see cref="RateWindow"/>: a transfer slower than that (or silent) is treated as cut,
    /// and resumed; a server trickling a byte every few seconds would otherwise hold the download for ever.</summary>
    public const long MinimumBytesPerWindow = 60 * 1024;

    readonly HttpClient client;

    /// <summary>A downloader with its own HTTP client: redirects are followed here, by the rules above, not by the
    /// client; no overall time limit (a 26 MB file may take minutes), the header timeout and minimum rate instead.</summary>
    public DatasetDownloader()
    {
        client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = HeaderTimeout }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("backprop-download/1.0");
    }

    /// <summary>The clock behind the header timeout and the rate window; tests substitute one they advance by hand.</summary>
    internal TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => client.Dispose();

    const string PartSuffix = ".part";

    // The SHA-256 values are those published with tensorflow-datasets' checksum files for the same URLs' files;
    // their MD5s match the ones the datasets' authors publish (MNIST: f68b3c2d…, d53e105e…, 9fb629c4…, ec29112d…;
    // Fashion-MNIST: 8d4fb7e6…, 25c81989…, bef4ecab…, bb300cfd…).
    static readonly DatasetRelease Mnist = new("mnist", new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
    [
        new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
        new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
        new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
        new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542),
    ]);

    // The dataset's own S3 website endpoint serves plain HTTP only; the checksum is what guarantees the bytes.
    static readonly DatasetRelease FashionMnist = new("fashion-mnist", new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    [
        new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26_421_880),
        new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29_515),
        new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4_422_102),
        new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5_148),
    ]);

    /// <summary>The releases this downloader knows: MNIST and Fashion-MNIST.</summary>
    public static IReadOnlyList<DatasetRelease> Releases { get; } = [Mnist, FashionMnist];

    /// <summary>The release named <paramref name="name"/> (case-insensitive), served from
    /// <paramref name="baseAddress"/> when given (a mirror holding the same files).</summary>
    public static DatasetRelease Release(string name, Uri? baseAddress = null)
    {
        var release = Releases.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new BackpropException($"unknown dataset \"{name}\"; downloadable datasets: {string.Join(", ", Releases.Select(r => r.Name))}");
        if (baseAddress is null) return release;
        // Without the trailing slash, new Uri(base, name) would replace the last segment instead of appending.
        var directory = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        return release with { BaseAddress = directory };
    }

    /// <summary>Where a dataset goes: DIR/NAME when a directory is given (the place <c>--data NAME --data-dir DIR</c>
    /// looks first; MNIST and Fashion-MNIST share file names, so each needs its own folder), else
    /// <c>~/.backprop/datasets/NAME</c>.</summary>
    public static string TargetDirectory(string name, string? dataDirectory) =>
        Path.Combine(string.IsNullOrEmpty(dataDirectory)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".backprop", "datasets")
            : dataDirectory, name);

    /// <summary>Downloads every file of <paramref name="release"/> into <paramref name="directory"/> (created if
    /// needed), reporting progress per file, and returns what happened to each.</summary>
    public async Task<IReadOnlyList<DownloadedFile>> DownloadAsync(DatasetRelease release, string directory,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellation = default)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"{directory}: cannot create the folder ({e.Message}); choose another with --data-dir");
        }
        var results = new List<DownloadedFile>();
        foreach (var file in release.Files)
            results.Add(await DownloadFileAsync(release, file, Path.Combine(directory, file.Name), progress, cancellation));
        return results;
    }

    async Task<DownloadedFile> DownloadFileAsync(DatasetRelease release, DatasetFile file, string path,
        IProgress<DownloadProgress>? progress, CancellationToken cancellation)
    {
        if (File.Exists(path))
        {
            string actual = await Sha256Async(path, cancellation);
            if (actual == file.Sha256)
            {
                progress?.Report(new DownloadProgress(file.Name, file.Length, file.Length));
                return new DownloadedFile(file.Name, path, AlreadyComplete: true, 0, 0);
            }
            // Not ours: ours are renamed into place only once verified. It may be the user's own copy; leave it be.
            throw new BackpropException(
                $"{path}: exists but its SHA-256 is {actual}, not the published {file.Sha256}; delete it (or move it away) and run the download again");
        }

        string part = path + PartSuffix;
        var address = release.AddressOf(file);
        long resumedFrom = PartLength(part);
        var transferred = new Counter();
        bool fetchedAgain = false;
        for (int attempt = 1; ; attempt++)
        {
            long? cutAt = null;
            try
            {
                await TransferAsync(file, address, part, transferred, progress, cancellation);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && !cancellation.IsCancellationRequested)
            {
                cutAt = File.Exists(part) ? new FileInfo(part).Length : 0;
                if (attempt < MaxAttempts) continue;
                throw new BackpropException(
                    $"{address}: the transfer was cut {MaxAttempts} times, the last after {cutAt} of {file.Length} bytes ({OneLine(e.Message)}); " +
                    $"run the download again to resume from {part}");
            }

            string actual = await Sha256Async(part, cancellation);
            if (actual == file.Sha256)
            {
                File.Move(part, path);
                return new DownloadedFile(file.Name, path, AlreadyComplete: false, transferred.Bytes, resumedFrom);
            }
            File.Delete(part);
            // A resumed part may carry a bad prefix from an earlier transfer, and servers do hiccup: one fresh try.
            if (!fetchedAgain)
            {
                fetchedAgain = true;
                attempt = 0;
                continue;
            }
            throw new BackpropException(
                $"{address}: checksum mismatch: the downloaded file's SHA-256 is {actual}, not the published {file.Sha256}, twice; " +
                "the partial file was deleted; the server or a proxy is serving a different file: retry later or from another mirror (--base-url)");
        }
    }

    /// <summary>Bytes received over the network for one file, counted as they arrive, so a cut transfer counts too.</summary>
    sealed class Counter
    {
        public long Bytes;
    }

    /// <summary>One transfer: appends to <paramref name="part"/> from its current length (Range), or rewrites it
    /// when the server sends the whole file. Adds the bytes received to <paramref name="transferred"/>.</summary>
    async Task TransferAsync(DatasetFile file, Uri address, string part, Counter transferred, IProgress<DownloadProgress>? progress, CancellationToken cancellation)
    {
        long have = PartLength(part);
        if (have > file.Length)
        {
            // Longer than the file can be: not a prefix of it.
            File.Delete(part);
            have = 0;
        }
        if (have == file.Length) return; // complete already; the checksum decides

        using var response = await SendAsync(address, have, cancellation);

        bool append;
        if (response.StatusCode == HttpStatusCode.PartialContent && have > 0)
        {
            long? from = response.Content.Headers.ContentRange?.From;
            if (from != have)
                throw new BackpropException($"{address}: asked for bytes from {have} but the server sent a range from {from?.ToString() ?? "an unstated offset"}; delete {part} and run the download again");
            append = true;
        }
        else if (response.StatusCode == HttpStatusCode.OK)
        {
            append = false; // the server ignored Range (or there was none): the body is the whole file
            have = 0;
        }
        else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // The server says we have asked beyond its file: the part is not a prefix of what it serves. Start over.
            File.Delete(part);
            throw new IOException($"the server refused the range from byte {have}");
        }
        else
        {
            throw new BackpropException(
                $"{address}: the server answered HTTP {(int)response.StatusCode} {Shown(response.ReasonPhrase ?? "")}; check the address (--base-url) and your connection, then run the download again");
        }

        long? total = response.Content.Headers.ContentLength is { } length ? have + length : file.Length;
        if (total > file.Length)
            throw new BackpropException($"{address}: the server offers {total} bytes but the file is {file.Length}; it is serving a different file: use another mirror (--base-url)");

        await using var body = await response.Content.ReadAsStreamAsync(cancellation);
        if (!append) File.Delete(part); // then CreateNew: O_EXCL, which no link planted meanwhile can redirect
        await using var output = new FileStream(part, append ? FileMode.Append : FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        var buffer = new byte[1 << 16];
        long received = 0;
        progress?.Report(new DownloadProgress(file.Name, have, total));
        // The minimum rate: each window must bring MinimumBytesPerWindow; a new window starts once it has.
        long windowStart = Clock.GetTimestamp(), windowBytes = 0;
        var slow = () => new TimeoutException($"fewer than {MinimumBytesPerWindow} bytes in {RateWindow.TotalSeconds:F0} s");
        while (true)
        {
            var left = RateWindow - Clock.GetElapsedTime(windowStart);
            if (left <= TimeSpan.Zero) throw slow();
            int read;
            using (var deadline = new CancellationTokenSource(left, Clock))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token))
            {
                try
                {
                    read = await body.ReadAsync(buffer, linked.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw slow();
                }
            }
            if (read == 0) break;
            if (have + received + read > file.Length)
                throw new BackpropException($"{address}: the server sent more than the file's {file.Length} bytes; it is serving a different file: use another mirror (--base-url)");
            await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
            received += read;
            transferred.Bytes += read;
            windowBytes += read;
            if (windowBytes >= MinimumBytesPerWindow) (windowStart, windowBytes) = (Clock.GetTimestamp(), 0);
            progress?.Report(new DownloadProgress(file.Name, have + received, total));
        }
        if (response.Content.Headers.ContentLength is { } expected && received < expected)
            throw new IOException($"the connection closed after {received} of {expected} bytes");
    }

    /// <summary>
    /// GET <paramref name="address"/> (from byte <paramref name="from"/> when above 0), following redirects by this
    /// class's rules: http(s) targets only, at most <see cref="MaxRedirects"/>, none visited twice; each response's
    /// headers within <see cref="HeaderTimeout"/>.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(Uri address, long from, CancellationToken cancellation)
    {
        var visited = new List<Uri> { address };
        var current = address;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            var response = await SendOnceAsync(request, address, cancellation);
            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308)) return response;
            response.Dispose();

            string location = response.Headers.NonValidated.TryGetValues("Location", out var values) ? string.Join(",", values) : "";
            if (location.Length == 0)
                throw new BackpropException($"{address}: the server answered HTTP {(int)response.StatusCode} without saying where to (no Location); use another mirror (--base-url)");
            if (!Uri.TryCreate(current, location, out var next) || next.Scheme is not ("http" or "https") || next.Host.Length == 0)
                throw new BackpropException($"{address}: the server redirects to \"{Shown(location)}\", which is not an http:// or https:// address; refused: use another mirror (--base-url)");
            if (visited.Contains(next))
                throw new BackpropException($"{address}: the server redirects in a loop ({string.Join(" → ", visited.SkipWhile(u => u != next).Append(next).Select(u => Shown(u.AbsoluteUri)))}); use another mirror (--base-url)");
            if (visited.Count > MaxRedirects)
                throw new BackpropException($"{address}: the server redirects more than {MaxRedirects} times (the last to {Shown(next.AbsoluteUri)}); use another mirror (--base-url)");
            visited.Add(next);
            current = next;
        }
    }

    async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, Uri address, CancellationToken cancellation)
    {
        using var headers = new CancellationTokenSource(HeaderTimeout, Clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, headers.Token);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new BackpropException($"{address}: the server sent no response headers within {HeaderTimeout.TotalSeconds:F0} s; check the address (--base-url) and your connection, then run the download again");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            // Nothing was received, so retrying at once would fail the same way.
            throw new BackpropException($"{address}: cannot connect ({OneLine(e.Message)}); check your network connection, then run the download again");
        }
    }

    /// <summary>The length of a partial download, 0 if there is none. A <c>.part</c> is the downloader's own regular
    /// file: a symbolic link or a folder there is refused, never written through or deleted.</summary>
    static long PartLength(string part)
    {
        var info = new FileInfo(part);
        if (info.LinkTarget is not null)
            throw new BackpropException($"{part}: is a symbolic link; the download never writes through a link: delete {part} and run the download again");
        if (Directory.Exists(part))
            throw new BackpropException($"{part}: is a folder, not a partial download; move it away and run the download again");
        return info.Exists ? info.Length : 0;
    }

    static async Task<string> Sha256Async(string path, CancellationToken cancellation)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellation));
    }

    static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');

    static string Shown(string text) => ShownText.Of(text);
}
