using Backprop.Serialization;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Backprop.Training;

/// <summary>A checkpoint file passed over because it is torn or corrupt, and why.</summary>
public sealed record SkippedCheckpoint(string Path, string Problem);

/// <summary>The newest checkpoint that verified, and the newer ones passed over to reach it (newest first).</summary>
public sealed record LoadedCheckpoint(Checkpoint Checkpoint, string Path, IReadOnlyList<SkippedCheckpoint> Skipped);

/// <summary>
/// A folder of checkpoints, <c>checkpoint-EEEEEE-BBBBBBBB.safetensors</c> (E epochs and B batches done).
/// Writes are atomic — a temporary file beside the target, flushed to disk, then renamed — so a process killed
/// at any moment leaves at worst a stray temporary file, which is ignored and later removed; a file that is
/// damaged anyway (disk, copy, hand edit) fails its checksum, and loading falls back to the one before it.
/// After each write only the newest <see cref="Keep"/> are kept.
/// </summary>
/// <remarks>One run at a time: the first write (or <see cref="Lock"/>) takes an exclusive lock on <c>DIR/.lock</c>,
/// held until <see cref="Dispose"/> or the process ends (the system drops it even after SIGKILL); a second store on
/// the folder is refused at once, naming the holder recorded in <c>DIR/.lock-owner</c>.</remarks>
public sealed partial class CheckpointStore : IDisposable
{
    /// <summary>The lock file in the folder, held while a run uses it.</summary>
    public const string LockName = ".lock";
    /// <summary>The file naming the process that holds the lock.</summary>
    public const string OwnerName = ".lock-owner";
    FileStream? held;

    /// <summary>Checkpoints kept when none is said: the newest 3.</summary>
    public const int DefaultKeep = 3;

    /// <summary>A store in <paramref name="directory"/> that keeps the newest <paramref name="keep"/> checkpoints.</summary>
    public CheckpointStore(string directory, int keep = DefaultKeep)
    {
        if (keep < 2) throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep at least two, so a corrupt newest checkpoint has one to fall back on");
        Directory = directory;
        Keep = keep;
    }

    /// <summary>The folder holding the checkpoints.</summary>
    public string Directory { get; }
    /// <summary>How many checkpoints survive a write: the newest, and the ones to fall back on if it is damaged.</summary>
    public int Keep { get; }

    /// <summary>
    /// For crash tests only: after writing the first half of a checkpoint's temporary file, wait this long before
    /// writing the rest and renaming — a window in which to kill the process mid-write. Zero (the default) never waits.
    /// </summary>
    internal TimeSpan PauseInWrite { get; set; }

    [GeneratedRegex(@"^checkpoint-(\d+)-(\d+)\.safetensors$", RegexOptions.CultureInvariant)]
    private static partial Regex CheckpointName();

    [GeneratedRegex(@"^\.checkpoint-\d+-\d+\.safetensors\.tmp-", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();

    /// <summary>The checkpoint files in the folder, newest (furthest position) first; empty when there is no folder.</summary>
    public IReadOnlyList<string> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateFiles(Directory)
            .Select(path => (path, match: CheckpointName().Match(Path.GetFileName(path))))
            .Where(p => p.match.Success)
            .Select(p => (p.path, position: Position(p.match)))
            .OrderByDescending(p => p.position)
            .Select(p => p.path)
            .ToList();
    }

    static (long Epoch, long Batch) Position(Match match) =>
        (long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var e) ? e : long.MaxValue,
         long.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : long.MaxValue);

    /// <summary>
    /// Writes <paramref name="checkpoint"/> atomically (creating the folder if need be), then deletes stray
    /// temporary files, checkpoints beyond the one written, and all but the newest <see cref="Keep"/>.
    /// Returns the file's path.
    /// </summary>
    /// <remarks>Checkpoints beyond the one written can only be left from a run that was resumed from before
    /// them because they were damaged: the resumed run is replaying that stretch and writes them again.</remarks>
    public string Write(Checkpoint checkpoint)
    {
        var bytes = checkpoint.ToBytes();
        string path = Path.Combine(Directory, checkpoint.FileName);
        Lock();
        AtomicFile.Write(path, stream =>
        {
            int half = bytes.Length / 2;
            stream.Write(bytes, 0, half);
            if (PauseInWrite > TimeSpan.Zero)
            {
                stream.Flush(flushToDisk: true);
                Thread.Sleep(PauseInWrite);
            }
            stream.Write(bytes, half, bytes.Length - half);
        });
        Prune(path, (checkpoint.Epoch, checkpoint.Batch));
        return path;
    }

    /// <summary>
    /// Takes the folder for this store alone, creating it if need be: two runs writing one folder would delete each
    /// other's temporary files and mix their checkpoints. Does nothing when this store holds it already.
    /// </summary>
    /// <exception cref="BackpropException">Another store — another run — holds the folder, or it cannot be created.</exception>
    public void Lock()
    {
        if (held != null) return;
        try { System.IO.Directory.CreateDirectory(Directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"cannot create the checkpoint folder {Directory} ({e.Message.ReplaceLineEndings(" ")}); check the path and its permissions");
        }
        string path = Path.Combine(Directory, LockName);
        OutputFile.CheckTarget(path);
        try
        {
            // FileShare.None takes flock(LOCK_EX) on Unix: advisory, but every backprop takes it the same way.
            held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException)
        {
            throw new BackpropException($"{Directory} is in use by another run ({Owner()}); two runs on one checkpoint folder would destroy each other's checkpoints — wait for that run to end, or give another folder");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BackpropException($"cannot lock the checkpoint folder {Directory} ({e.Message.ReplaceLineEndings(" ")}); check its permissions");
        }
        OutputFile.WriteAllText(Path.Combine(Directory, OwnerName),
            string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"));
    }

    /// <summary>Who holds the lock, as its owner file says (cut, control characters as '?'); the file is untrusted.</summary>
    string Owner()
    {
        string owner = Path.Combine(Directory, OwnerName);
        if (FileStatus.Of(owner, followLinks: false).Kind != FileKind.Regular) return "another process";
        try
        {
            using var reader = new StreamReader(owner);
            var buffer = new char[80];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            var text = new string(buffer, 0, n).Trim();
            return text.Length == 0 ? "another process" : string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "another process"; }
    }

    /// <summary>Releases the folder's lock.</summary>
    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }

    void Prune(string written, (long, long) position)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
            if (TemporaryName().IsMatch(Path.GetFileName(file))) TryDelete(file);
        int kept = 0;
        foreach (var file in List())
        {
            var match = CheckpointName().Match(Path.GetFileName(file));
            bool beyond = Position(match).CompareTo(position) > 0;
            if (beyond || ++kept > Keep) TryDelete(file);
        }
    }

    static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { } // retention is tidiness; a file that will not go now goes after a later write
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The newest checkpoint that reads and verifies, passing over (and reporting) torn or corrupt ones.
    /// </summary>
    /// <exception cref="BackpropException">The folder is missing or holds no checkpoint that verifies, or the
    /// newest that verifies is not one this version reads.</exception>
    public LoadedCheckpoint LoadNewest()
    {
        if (File.Exists(Directory))
            throw new BackpropException($"{Directory} is a file; give the folder that holds the checkpoints ({Path.GetDirectoryName(Directory)})");
        if (!System.IO.Directory.Exists(Directory))
            throw new BackpropException($"{Directory}: no such folder; give the folder a run wrote with CheckpointStore");
        var skipped = new List<SkippedCheckpoint>();
        foreach (var path in List())
        {
            // A link to a device, a FIFO or a folder under a checkpoint's name is not a checkpoint: pass it over.
            var status = FileStatus.Of(path, followLinks: true);
            if (status.Kind != FileKind.Regular)
            {
                skipped.Add(new SkippedCheckpoint(path, status.Kind == FileKind.Missing ? "vanished while listed" : "not a regular file"));
                continue;
            }
            // Too large for memory is not damage: an earlier checkpoint of the same run is as large. Refuse it.
            Checkpoint.CheckSize(path, status.Size);
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedCheckpoint(path, "unreadable: " + e.Message.ReplaceLineEndings(" ")));
                continue;
            }
            var checkpoint = Checkpoint.TryFromBytes(bytes, Path.GetFileName(path), out var problem);
            if (checkpoint != null) return new LoadedCheckpoint(checkpoint, path, skipped);
            skipped.Add(new SkippedCheckpoint(path, problem));
        }
        throw new BackpropException(skipped.Count == 0
            ? $"{Directory} holds no checkpoint (checkpoint-*.safetensors); start the run with CheckpointStore {Directory} instead"
            : $"{Directory} holds no valid checkpoint, only damaged ones ({string.Join(", ", skipped.Select(s => $"{Path.GetFileName(s.Path)}: {s.Problem}"))}); start the run again");
    }
}
