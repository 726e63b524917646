namespace Backprop.Serialization;

/// <summary>
/// The one policy for every file Backprop writes — models, checkpoints, ONNX, pictures, SVG, DOT:
/// <list type="bullet">
/// <item>only a regular file is ever replaced: never a device, a pipe, a socket or a folder;</item>
/// <item>never through a symbolic link (a link at the output path is refused, not followed);</item>
/// <item>written atomically: a temporary file in the same folder, flushed, then renamed over the target, so a
/// failed write leaves the old file as it was and never a truncated one;</item>
/// <item>checked before any work (<see cref="Check"/>), and never the same file as an input (<see cref="CheckDistinct"/>).</item>
/// </list>
/// </summary>
internal static class OutputFile
{
    /// <summary>
    /// Everything that can be known before the work: a usable path, not a link or a special file or a folder, in a
    /// folder that exists and takes new files. Returns the full path.
    /// </summary>
    /// <exception cref="BackpropException">The path cannot be written; the message names the path and the fix.</exception>
    public static string Check(string path)
    {
        string full = CheckTarget(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        // A probe file, so a read-only or vanished folder is found now rather than after an hour of training.
        string probe = AtomicFile.TemporaryPath(full);
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1)) { }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"{path}: could not write the file (cannot create a file in {folder}: {OneLine(e.Message)}); check that the directory exists, is writable and has free space");
        }
        return full;
    }

    /// <summary>The checks <see cref="AtomicFile.Write"/> repeats at the moment of writing (no probe file). Returns the full path.</summary>
    internal static string CheckTarget(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new BackpropException("an output needs a file name, like model.safetensors");
        string full;
        try { full = Path.GetFullPath(path); }
        catch (ArgumentException e) { throw new BackpropException($"{path}: not a usable path ({OneLine(e.Message)}); check the path"); }
        // One shape for every refusal, the same as a write that fails: "PATH: could not write the file (why); fix".
        BackpropException Refuse(string why, string fix) => new($"{path}: could not write the file ({why}); {fix}");
        if (Path.EndsInDirectorySeparator(path))
            throw Refuse("it names a folder", "give the path of a file");
        switch (FileStatus.Of(full, followLinks: false).Kind)
        {
            case FileKind.SymbolicLink:
                throw Refuse("it is a symbolic link, and Backprop never writes through a link", "remove the link or give another path");
            case FileKind.Directory:
                throw Refuse("it is a folder", "give the path of a file");
            case FileKind.Other:
                throw Refuse("it is not a regular file but a device, pipe or socket, and Backprop replaces only regular files", "give another path");
        }
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (FileStatus.Of(folder, followLinks: true).Kind != FileKind.Directory)
            throw Refuse($"the folder {folder} does not exist", "check that the directory exists, is writable and has free space");
        return full;
    }

    /// <summary>One output or input of a command, named as the user gave it: <c>("--out", "m.safetensors")</c>.</summary>
    public readonly record struct Named(string What, string Path);

    /// <summary>
    /// Refuses an output that is the same file as an input (through any link or spelling) or as another output,
    /// before any work: writing it would destroy what the run reads, or one output would overwrite another.
    /// </summary>
    /// <exception cref="BackpropException">Two of them are one file.</exception>
    public static void CheckDistinct(IEnumerable<Named> outputs, IEnumerable<Named> inputs)
    {
        var outs = outputs.Select(o => (o, Full: Path.GetFullPath(o.Path), Status: FileStatus.Of(o.Path, followLinks: true))).ToList();
        foreach (var input in inputs)
        {
            var status = FileStatus.Of(input.Path, followLinks: true);
            string full = Path.GetFullPath(input.Path);
            foreach (var o in outs)
                if (o.Full == full || o.Status.SameFileAs(status))
                    throw new BackpropException($"{o.o.What} {o.o.Path} is the same file as {input.What} {input.Path}; writing it would destroy the input — give another output path");
        }
        for (int i = 0; i < outs.Count; i++)
            for (int j = i + 1; j < outs.Count; j++)
                if (outs[i].Full == outs[j].Full || outs[i].Status.SameFileAs(outs[j].Status))
                    throw new BackpropException($"{outs[i].o.What} {outs[i].o.Path} and {outs[j].o.What} {outs[j].o.Path} are the same file; give them different paths");
    }

    /// <summary>Writes through <paramref name="write"/> atomically, under this policy.</summary>
    /// <exception cref="BackpropException">The path breaks the policy, or the write failed (the old file is untouched).</exception>
    public static void Write(string path, Action<FileStream> write) => AtomicFile.Write(path, write);

    public static void WriteAllBytes(string path, byte[] bytes) => AtomicFile.Write(path, stream => stream.Write(bytes));

    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    static string OneLine(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}

/// <summary>
/// The policy for every file Backprop reads: a regular file (or a link to one). A device such as /dev/zero, a pipe
/// or a folder would read forever, block, or mislead the size checks, so it is refused by name.
/// </summary>
internal static class InputFile
{
    /// <summary>Refuses a special file (a device, a pipe, a socket); a missing file or a folder is left to the reader,
    /// which says which file it wanted. Returns the file's length (0 when missing or a folder).</summary>
    /// <exception cref="BackpropException">The path names a device, a pipe or a socket.</exception>
    public static long RequireRegular(string path)
    {
        FileStatus status;
        try { status = FileStatus.Of(path, followLinks: true); }
        catch (IOException e) { throw new BackpropException($"{path}: cannot examine the file ({e.Message.ReplaceLineEndings(" ")}); check the path and its permissions"); }
        return status.Kind switch
        {
            FileKind.Other => throw new BackpropException($"{path}: not a regular file (a device, pipe or socket); give the path of a regular file"),
            FileKind.Regular => status.Size,
            _ => 0,
        };
    }
}
