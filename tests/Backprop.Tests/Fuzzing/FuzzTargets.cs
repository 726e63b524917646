using System.Diagnostics;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Tests.Fuzzing;

/// <summary>
/// One reader entry point under fuzzing. <see cref="Read"/> gets the input both as a file (the path users give)
/// and as bytes (for the in-memory overloads). <see cref="Format"/> names the seed corpus and the
/// <c>corpus/FORMAT/</c> folder of regression inputs.
/// </summary>
/// <remarks>Uses public API only and no xunit, so the SharpFuzz harness in <c>fuzz/</c> links this file too.</remarks>
public sealed record FuzzTarget(string Name, string Format, Action<string, byte[]> Read)
{
    public override string ToString() => Name;
}

/// <summary>What one read did; <see cref="Violation"/> is null when the outcome is allowed.</summary>
public readonly record struct FuzzOutcome(bool Succeeded, string? Message, long AllocatedBytes, long AllowedBytes, TimeSpan Elapsed, string? Violation);

public static class FuzzTargets
{
    public static readonly FuzzTarget[] All =
    [
        new("idx-images", "idx", (path, _) => IdxReader.ReadImages(path)),
        new("idx-labels", "idx", (path, _) => IdxReader.ReadLabels(path)),
        new("csv", "csv", (path, _) => CsvReader.Read(path)),
        new("csv-label-column-0", "csv", (path, _) => CsvReader.Read(path, labelColumn: 0)),
        new("csv-inputs-2", "csv", (path, _) => CsvReader.ReadInputs(path, featureCount: 2)),
        new("csv-class-names", "csv", (path, _) => CsvReader.Read(path, classNames: ["cat", "dog", "setosa"])),
        new("csv-regression-0-2", "csv", (path, _) => CsvReader.ReadRegression(path, [0, 2])),
        // The stream reader's line and column bounds, small enough for mutated seeds to cross them.
        new("csv-stream-bounded", "csv", (path, _) => CsvReader.Read(path, limits: new CsvLimits(MaxLineLength: 40, MaxColumns: 6))),
        new("checkpoint-file", "checkpoint", (path, _) => Checkpoint.Read(path)),
        new("checkpoint-bytes", "checkpoint", (path, bytes) => Checkpoint.FromBytes(bytes, path)),
        new("safetensors-file", "safetensors", (path, _) => SafeTensorsFile.Read(path)),
        new("safetensors-bytes", "safetensors", (path, bytes) => SafeTensorsFile.Read(bytes, path)),
    ];

    public static FuzzTarget Named(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target {name}; targets: {string.Join(", ", All.Select(t => t.Name))}");

    public static IEnumerable<FuzzTarget> OfFormat(string format) => All.Where(t => t.Format == format);

    /// <summary>The name the input file gets: IDX files named as the set's files are (the reader mentions a
    /// misleading <c>.gz</c> suffix), the others by extension.</summary>
    public static string FileName(string format, ReadOnlySpan<byte> input) => format switch
    {
        "idx" => IsGzip(input) ? "fuzz-idx3-ubyte.gz" : "fuzz-idx3-ubyte",
        "csv" => "fuzz.csv",
        _ => "fuzz.safetensors",
    };

    public static bool IsGzip(ReadOnlySpan<byte> input) => input.Length >= 2 && input[0] == 0x1f && input[1] == 0x8b;

    // ─────────────── the bounds every outcome must keep ───────────────

    /// <summary>Deflate's best case is about 1032:1, so n gzip bytes can honestly hold 1032·n bytes; each becomes
    /// a 4-byte float pixel (the IDX reader's own limit is the same ratio, checked before it allocates).</summary>
    public const long GzipBytesPerInputByte = 4 * 1032;

    /// <summary>
    /// Allocation allowed per input byte when not gzip. Worst cases measured over mutated inputs: CSV 9 (the line as
    /// UTF-16, a string and a reference per cell, a List&lt;float&gt; growing by doubling, the final array);
    /// safetensors 14 (300 empty tensors: per tensor a name, records, a shape array, dictionary entries and JSON
    /// tokens; F16 data doubles as floats); raw IDX 5 (a float per pixel byte and a read chunk). About twice the worst.
    /// </summary>
    public const long BytesPerInputByte = 32;

    /// <summary>Fixed allowance: the IDX reader's 1 MiB file buffer and 64 KiB chunk (measured 1.07 MB at most for
    /// small files), stream and JSON state, exception messages.</summary>
    public const long ConstantBytes = 3 << 19;

    /// <summary>A read of a few kilobytes takes microseconds; this only catches hangs, not slowness.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(5);

    /// <summary>Longest message beyond the file name: one readable line, not an echo of a megabyte-long cell.</summary>
    public const int MaxMessageLength = 500;

    public static long AllowedBytes(ReadOnlySpan<byte> input) =>
        (IsGzip(input) ? GzipBytesPerInputByte : BytesPerInputByte) * input.Length + ConstantBytes;

    /// <summary>
    /// Writes <paramref name="input"/> to <paramref name="path"/>, reads it with <paramref name="target"/>, and judges
    /// the outcome: success, or a <see cref="BackpropException"/> whose message is one non-empty line of printable
    /// characters starting with the file name; within <see cref="AllowedBytes"/> of allocation and the hang guard.
    /// </summary>
    public static FuzzOutcome Run(FuzzTarget target, byte[] input, string path)
    {
        File.WriteAllBytes(path, input);
        long allowed = AllowedBytes(input);
        Exception? thrown = null;
        var watch = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            target.Read(path, input);
        }
        catch (Exception e)
        {
            thrown = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var elapsed = watch.Elapsed;

        string? violation = thrown switch
        {
            null => null,
            BackpropException e => MessageProblem(e.Message, path),
            _ => $"threw {thrown.GetType().FullName} instead of BackpropException: {thrown.Message} at {FirstFrame(thrown)}",
        };
        violation ??= allocated > allowed ? $"allocated {allocated} bytes for a {input.Length}-byte input, above the allowance of {allowed}" : null;
        violation ??= elapsed > HangGuard ? $"took {elapsed.TotalSeconds:F1} s for a {input.Length}-byte input (hang guard {HangGuard.TotalSeconds} s)" : null;
        return new FuzzOutcome(thrown is null, thrown?.Message, allocated, allowed, elapsed, violation);
    }

    static string? MessageProblem(string message, string path)
    {
        if (string.IsNullOrWhiteSpace(message)) return "threw BackpropException with an empty message";
        if (!message.StartsWith(path + ": ", StringComparison.Ordinal)) return $"message does not start with the file name: {Shorten(message)}";
        int control = message.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        if (control < 0) control = message.AsSpan().IndexOfAnyInRange('\u007f', '\u009f');
        if (control >= 0) return $"message holds control character U+{(int)message[control]:X4} at {control}: {Shorten(message)}";
        if (message.Length - path.Length > MaxMessageLength) return $"message is {message.Length - path.Length} characters beyond the file name, above {MaxMessageLength}: {Shorten(message)}";
        return null;
    }

    static string Shorten(string text)
    {
        var cut = text.Length > 300 ? text[..300] + "…" : text;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    static string FirstFrame(Exception e) =>
        e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(no stack)";
}
