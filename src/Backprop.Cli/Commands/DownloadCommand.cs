using System.ComponentModel;
using Backprop.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>`backprop download mnist|fashion-mnist`: the four IDX files, SHA-256 verified, resumable.</summary>
public sealed class DownloadCommand : Command<DownloadCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("mnist or fashion-mnist")]
        public string Dataset { get; init; } = "";

        [CommandOption("--data-dir <DIR>")]
        [Description("Download into DIR/DATASET (default ~/.backprop/datasets/DATASET); train with the same --data-dir")]
        public string? DataDirectory { get; init; }

        [CommandOption("--base-url <URL>")]
        [Description("Fetch from a mirror holding the same files (the SHA-256 checks are unchanged)")]
        public string? BaseUrl { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        Uri? baseAddress = null;
        if (settings.BaseUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out baseAddress) || baseAddress.Scheme is not ("http" or "https")))
            throw new BackpropException($"--base-url {url} is not an http:// or https:// address; give the folder URL that holds the .gz files");
        var release = DatasetDownloader.Release(settings.Dataset, baseAddress);
        string directory = DatasetDownloader.TargetDirectory(release.Name, settings.DataDirectory);

        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; interrupt.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // The downloader owns its HTTP client: redirects, the header timeout and the minimum rate are its rules.
        using var downloader = new DatasetDownloader();
        Console.Out.WriteLine($"{release.Name}: {release.Files.Count} files from {release.BaseAddress} into {directory}");
        IReadOnlyList<DownloadedFile> files;
        try
        {
            if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
                files = AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                    .Start(progress => downloader.DownloadAsync(release, directory, new BarProgress(progress, release), interrupt.Token).GetAwaiter().GetResult());
            else
                files = downloader.DownloadAsync(release, directory, new LineProgress(), interrupt.Token).GetAwaiter().GetResult();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        foreach (var file in files)
            Console.Out.WriteLine(file.AlreadyComplete ? $"{file.Name}: already complete, SHA-256 verified"
                : $"{file.Name}: {file.Transferred} bytes received{(file.ResumedFrom > 0 ? $" (resumed after {file.ResumedFrom})" : "")}, SHA-256 verified");
        string flag = settings.DataDirectory is null ? "" : $" --data-dir {settings.DataDirectory}";
        Console.Out.WriteLine($"{release.Name} is ready in {directory}; train with: backprop train --data {release.Name}{flag}");
        return 0;
    }

    /// <summary>One bar per file, created when its first report arrives.</summary>
    sealed class BarProgress(ProgressContext context, DatasetRelease release) : IProgress<DownloadProgress>
    {
        readonly Dictionary<string, ProgressTask> _tasks = [];

        public void Report(DownloadProgress value)
        {
            lock (_tasks)
            {
                if (!_tasks.TryGetValue(value.File, out var task))
                {
                    long length = release.Files.First(f => f.Name == value.File).Length;
                    _tasks[value.File] = task = context.AddTask(value.File, maxValue: value.Total ?? length);
                }
                task.Value = value.Done;
            }
        }
    }

    /// <summary>For logs and pipes: a line when a file starts and at each quarter of it.</summary>
    sealed class LineProgress : IProgress<DownloadProgress>
    {
        string? _file;
        int _quarter;

        public void Report(DownloadProgress value)
        {
            if (value.File != _file)
            {
                _file = value.File;
                _quarter = 0;
                Console.Out.WriteLine(value.Done > 0 && value.Done < value.Total
                    ? $"{value.File}: resuming at {value.Done} of {value.Total} bytes"
                    : $"{value.File}: {(value.Total is { } t ? $"{t} bytes" : "size unknown")}");
            }
            if (value.Total is not { } total || total == 0) return;
            int quarter = (int)(4 * value.Done / total);
            if (quarter > _quarter && value.Done < total)
            {
                _quarter = quarter;
                Console.Out.WriteLine($"{value.File}: {25 * quarter}%");
            }
        }
    }
}
