namespace Backprop.Serialization;

/// <summary>
/// Writes a file so that a reader never sees half of it and a failed write leaves the old file as it was:
/// write a temporary file in the same folder, flush it to disk, rename it over the target. The target is checked
/// against <see cref="OutputFile"/>'s policy first: a link, a folder or a special file is never replaced.
/// </summary>
internal static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> with a stream onto a temporary file beside <paramref name="path"/>, then renames
    /// it into place. On any failure the temporary file is deleted; I/O failures become one-line
    /// <see cref="BackpropException"/>s, anything else (a bug, a cancelled enumeration) propagates as it was.
    /// </summary>
    public static void Write(string path, Action<FileStream> write)
    {
        string fullPath = OutputFile.CheckTarget(path);
        string temporary = TemporaryPath(fullPath);
        bool created = false;
        try
        {
            // CreateNew is O_CREAT|O_EXCL: it never opens an existing file or follows a link planted at this name.
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                created = true;
                write(stream);
                // Without this the rename can reach the disk before the data, and a crash would leave a
                // complete-looking file full of zeros.
                stream.Flush(flushToDisk: true);
            }
            // rename(2) replaces the directory entry: a link or device planted since the check is replaced, not written through.
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e)
        {
            if (created)
            {
                try { File.Delete(temporary); }
                catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { } // the write's failure matters more
            }
            if (e is IOException or UnauthorizedAccessException)
                throw new BackpropException($"{path}: could not write the file ({OneLine(e.Message)}); check that the directory exists, is writable and has free space");
            throw;
        }
    }

    /// <summary>".NAME.tmp-XXXXXXXXXXXXXXXX" beside the target: hidden, and never taken for a finished file.</summary>
    public static string TemporaryPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.tmp-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 8)}");

    static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}
