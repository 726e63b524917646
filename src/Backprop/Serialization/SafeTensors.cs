using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Backprop.Serialization;

/// <summary>
/// Reads and writes the safetensors format, trusting nothing in a file it reads.
/// </summary>
/// <remarks>
/// <para>Layout: 8 bytes little-endian unsigned header length N; N bytes of UTF-8 JSON (an object mapping each
/// tensor name to <c>{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}</c>, plus an optional
/// <c>"__metadata__"</c> object of string → string; the official writer pads it with spaces to a multiple
/// of 8 bytes); then the data section, little-endian and row-major. Offsets count from the first byte of the
/// data section, and the tensors must tile it exactly: sorted by offset, each begins where the previous ended,
/// the first at 0 and the last at the end of the file (the official reader's rule).</para>
/// <para>Dtypes read: F32 as is; F64, F16 and BF16 are converted to float on reading (F16 and BF16 exactly;
/// F64 rounds to the nearest float, and magnitudes beyond float's range become ±∞). Every other dtype is
/// refused by name. Files are always written as F32.</para>
/// <para>Limits, all checked before the memory they guard is allocated: header at most
/// <see cref="MaxHeaderBytes"/> bytes, at most <see cref="MaxTensorCount"/> tensors, rank at most
/// <see cref="MaxRank"/>, at most <see cref="MaxElementsPerTensor"/> elements per tensor (one .NET array).</para>
/// <para>Every problem with a file is a <see cref="BackpropException"/> whose one-line message names the
/// file, what is wrong and what to do.</para>
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>Largest header accepted, in bytes (the official reader's limit, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Most tensors accepted in one file.</summary>
    public const int MaxTensorCount = 100_000;

    /// <summary>Most dimensions accepted in one shape.</summary>
    public const int MaxRank = 8;

    /// <summary>Most elements in one tensor: the longest array .NET can allocate.</summary>
    public static int MaxElementsPerTensor => Array.MaxLength;

    private const string MetadataKey = "__metadata__";
    private const int HeaderLengthBytes = 8;
    // Streamed reads and writes go through a buffer this size; a multiple of every element size (2, 4, 8).
    private const int ChunkBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, Tensor> _byName;

    private SafeTensorsFile(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<Tensor> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, Tensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var tensor in tensors) _byName.Add(tensor.Name, tensor);
    }

    /// <summary>The <c>"__metadata__"</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in file order (ascending data offset), all converted to F32.</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>The tensor named exactly <paramref name="name"/> (ordinal comparison), or null.</summary>
    public Tensor? Find(string name) => _byName.GetValueOrDefault(name);

    // ───────────────────────────── reading ─────────────────────────────

    /// <summary>Reads and validates the file at <paramref name="path"/>, streaming the data section
    /// straight into the tensors' arrays (the whole file is never held twice).</summary>
    /// <exception cref="BackpropException">The file is missing, unreadable or not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(string path)
    {
        try
        {
            // A FIFO would block the open and a device has no length: only regular files are models.
            InputFile.RequireRegular(path);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read,
                bufferSize: 0, FileOptions.SequentialScan);
            long fileLength = stream.Length;
            if (fileLength < HeaderLengthBytes) throw TooShort(path, fileLength);
            Span<byte> prefix = stackalloc byte[HeaderLengthBytes];
            stream.ReadExactly(prefix);
            long headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), fileLength, path);

            var header = new byte[headerLength];
            stream.ReadExactly(header);
            long dataLength = fileLength - HeaderLengthBytes - headerLength;
            var (metadata, entries) = ParseHeader(header, dataLength, path);
            // Honest files can still be larger than memory, and F16 or BF16 data doubles as floats.
            double floats = entries.Sum(e => (double)e.ElementCount);
            MemoryBudget.Require(sizeof(float) * floats, path, $"{entries.Count} tensors of {floats:F0} values in all as 4-byte floats",
                "load it where more memory is available");

            // The entries tile the data section in order, so reading them in order reads the file front to back.
            var tensors = new Tensor[entries.Count];
            var chunk = new byte[(int)Math.Min(ChunkBytes, Math.Max(dataLength, 1))];
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var data = new float[entry.ElementCount];
                int size = SizeOf(entry.Type);
                int done = 0;
                while (done < data.Length)
                {
                    int count = Math.Min(data.Length - done, chunk.Length / size);
                    var bytes = chunk.AsSpan(0, count * size);
                    stream.ReadExactly(bytes);
                    Decode(entry.Type, bytes, data.AsSpan(done, count));
                    done += count;
                }
                tensors[i] = new Tensor(entry.Name, entry.Shape, data);
            }
            return new SafeTensorsFile(metadata, tensors);
        }
        catch (FileNotFoundException) { throw Fail(path, "file not found", "check the path"); }
        catch (DirectoryNotFoundException) { throw Fail(path, "directory not found", "check the path"); }
        catch (UnauthorizedAccessException) { throw Fail(path, "permission denied (or the path is a directory)", "check the path and the file's permissions"); }
        catch (EndOfStreamException) { throw Fail(path, "the file ended early while being read", "the file changed during reading; read it again once it is complete"); }
        catch (IOException e) { throw Fail(path, $"could not read the file ({OneLine(e.Message)})", "check the disk and the path"); }
        catch (ArgumentException e) { throw Fail(path, $"not a usable path ({OneLine(e.Message)})", "check the path"); }
    }

    /// <summary>Parses and validates a whole safetensors file held in memory.</summary>
    /// <param name="bytes">The entire file.</param>
    /// <param name="nameForMessages">What error messages call the file (usually its path).</param>
    /// <exception cref="BackpropException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes, string nameForMessages)
    {
        string file = nameForMessages;
        if (bytes.Length < HeaderLengthBytes) throw TooShort(file, bytes.Length);
        long headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes.Length, file);
        var header = bytes.Slice(HeaderLengthBytes, (int)headerLength);
        var data = bytes[(HeaderLengthBytes + (int)headerLength)..];
        var (metadata, entries) = ParseHeader(header.ToArray(), data.Length, file);

        var tensors = new Tensor[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var values = new float[entry.ElementCount];
            Decode(entry.Type, data[(int)entry.Begin..(int)entry.End], values);
            tensors[i] = new Tensor(entry.Name, entry.Shape, values);
        }
        return new SafeTensorsFile(metadata, tensors);
    }

    private enum Dtype { F32, F64, F16, BF16 }

    private static int SizeOf(Dtype type) => type switch
    {
        Dtype.F32 => 4,
        Dtype.F64 => 8,
        _ => 2,
    };

    // Dtypes of the official format that we recognise but do not read, so the message can say "unsupported"
    // rather than "unknown".
    private static readonly HashSet<string> OtherOfficialDtypes = new(StringComparer.Ordinal)
    {
        "BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };

    /// <summary>One validated header entry: <c>ElementCount = Π Shape</c> and
    /// <c>End − Begin = ElementCount · SizeOf(Type)</c>, within the data section.</summary>
    private sealed record Entry(string Name, Dtype Type, int[] Shape, int ElementCount, long Begin, long End, int Position);

    private static BackpropException TooShort(string file, long length) =>
        Fail(file, $"the file is {length} bytes, shorter than the 8-byte header length that starts every safetensors file",
            "the file is truncated or not a safetensors file; re-export it");

    /// <summary>Checks the header length N read from the first 8 bytes against the file and the limit.</summary>
    private static long CheckHeaderLength(ulong n, long fileLength, string file)
    {
        if (n == 0)
            throw Fail(file, "the header length is 0 (even an empty file has the header '{}')",
                "the file is corrupt or not a safetensors file; re-export it");
        if (n > MaxHeaderBytes)
            throw Fail(file, $"the header length is {n} bytes, above the limit of {MaxHeaderBytes} bytes",
                "the file is corrupt or not a safetensors file; re-export it");
        if (n > (ulong)(fileLength - HeaderLengthBytes))
            throw Fail(file, $"the header length is {n} bytes but only {fileLength - HeaderLengthBytes} bytes follow it",
                "the file is truncated or not a safetensors file; download or re-export it");
        return (long)n;
    }

    /// <summary>
    /// Parses the JSON header and validates every entry against a data section of
    /// <paramref name="dataLength"/> bytes. Returns the entries sorted by offset (ties keep header order).
    /// </summary>
    private static (Dictionary<string, string> Metadata, List<Entry> Entries) ParseHeader(
        byte[] header, long dataLength, string file)
    {
        const string reExport = "the file is corrupt or was written by a non-conforming tool; re-export it";
        if (!Utf8.IsValid(header))
            throw Fail(file, "the header is not valid UTF-8", reExport);

        JsonDocument document;
        try
        {
            // Depth 3 is what the format needs (root → entry → shape); one spare level lets a stray nested
            // value reach the entry checks, which explain what was expected.
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            string where = e.BytePositionInLine is { } position ? $" near byte {position}" : "";
            throw Fail(file, $"the header is not valid JSON{where} (or is nested deeper than 4 levels)", reExport);
        }

        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Fail(file, $"the header is a JSON {Describe(root.ValueKind)}, not an object", reExport);

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name))
                    throw Fail(file, $"the header names {Quote(name)} twice", reExport);
                if (name == MetadataKey)
                {
                    ParseMetadata(property.Value, metadata, file);
                    continue;
                }
                if (entries.Count == MaxTensorCount)
                    throw Fail(file, $"the header lists more than {MaxTensorCount} tensors, the limit",
                        "split the model across several files");
                entries.Add(ParseEntry(name, property.Value, entries.Count, dataLength, file));
            }

            entries.Sort((x, y) => x.Begin != y.Begin ? x.Begin.CompareTo(y.Begin)
                : x.End != y.End ? x.End.CompareTo(y.End)
                : x.Position.CompareTo(y.Position));
            CheckCoverage(entries, dataLength, file);
            return (metadata, entries);
        }
        catch (InvalidOperationException)
        {
            // JSON lets a string escape half a surrogate pair ("\ud800"); the parser accepts it and only reading
            // the string as UTF-16 fails. Kinds are checked before every read, so nothing else throws this.
            throw Fail(file, "the header holds a string with an unpaired UTF-16 surrogate escape (such as \\ud800)", reExport);
        }
        finally
        {
            document.Dispose();
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        const string fix = "\"__metadata__\" must be an object of string values; re-export the file";
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(file, $"\"__metadata__\" is a JSON {Describe(value.ValueKind)}", fix);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Fail(file, $"\"__metadata__\" entry {Quote(item.Name)} is a JSON {Describe(item.Value.ValueKind)}", fix);
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Fail(file, $"\"__metadata__\" names {Quote(item.Name)} twice", fix);
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, int position, long dataLength, string file)
    {
        string tensor = $"tensor {Quote(name)}";
        const string expected = "each tensor needs {\"dtype\": \"F32\", \"shape\": [...], \"data_offsets\": [begin, end]}; re-export the file";
        if (value.ValueKind != JsonValueKind.Object)
            throw Fail(file, $"{tensor} is described by a JSON {Describe(value.ValueKind)}, not an object", expected);

        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeValue;
            switch (field.Name)
            {
                case "dtype": slot = ref dtypeValue; break;
                case "shape": slot = ref shapeValue; break;
                case "data_offsets": slot = ref offsetsValue; break;
                default: throw Fail(file, $"{tensor} has an unexpected field {Quote(field.Name)}", expected);
            }
            if (slot is not null) throw Fail(file, $"{tensor} has the field \"{field.Name}\" twice", expected);
            slot = field.Value;
        }
        if (dtypeValue is not { } dtypeElement) throw Fail(file, $"{tensor} has no \"dtype\"", expected);
        if (shapeValue is not { } shapeElement) throw Fail(file, $"{tensor} has no \"shape\"", expected);
        if (offsetsValue is not { } offsetsElement) throw Fail(file, $"{tensor} has no \"data_offsets\"", expected);

        // dtype
        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw Fail(file, $"{tensor} has a dtype that is a JSON {Describe(dtypeElement.ValueKind)}, not a string", expected);
        string dtypeName = dtypeElement.GetString()!;
        Dtype type = dtypeName switch
        {
            "F32" => Dtype.F32,
            "F64" => Dtype.F64,
            "F16" => Dtype.F16,
            "BF16" => Dtype.BF16,
            _ when OtherOfficialDtypes.Contains(dtypeName) => throw Fail(file,
                $"{tensor} has dtype {dtypeName}, which this library does not read (it reads F32, and F64, F16, BF16 converted to F32)",
                "convert the tensor to a floating-point dtype before saving"),
            _ => throw Fail(file,
                $"{tensor} has dtype {Quote(dtypeName)}, which is not a safetensors dtype this library knows (it reads F32, and F64, F16, BF16 converted to F32)",
                "convert the tensor to F32 before saving"),
        };

        // shape: checked before anything proportional to it is allocated.
        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw Fail(file, $"{tensor} has a shape that is a JSON {Describe(shapeElement.ValueKind)}, not an array", expected);
        int rank = shapeElement.GetArrayLength();
        if (rank > MaxRank)
            throw Fail(file, $"{tensor} has rank {rank}, above the limit of {MaxRank}", "reshape the tensor to at most 8 dimensions before saving");
        var shape = new int[rank];
        long elementCount = 1;
        int axis = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out long d))
                throw Fail(file, $"{tensor} has dimension {axis} = {Snippet(dimension)}, not a whole number from 0 to {int.MaxValue}", expected);
            if (d < 0)
                throw Fail(file, $"{tensor} has negative dimension {axis} = {d}", "dimensions must be non-negative; re-export the file");
            if (d > int.MaxValue)
                throw Fail(file, $"{tensor} has dimension {axis} = {d}, above the limit of {int.MaxValue}", "the file is corrupt or the tensor is too large for this library");
            shape[axis++] = (int)d;
            try { elementCount = checked(elementCount * d); }
            catch (OverflowException)
            {
                throw Fail(file, $"{tensor} has shape {FormatShape(shapeElement)} whose element count overflows 64 bits", "the file is corrupt; re-export it");
            }
        }
        if (elementCount > MaxElementsPerTensor)
            throw Fail(file, $"{tensor} has shape {FormatShape(shapeElement)} = {elementCount} elements, above the limit of {MaxElementsPerTensor} per tensor",
                "split the tensor into smaller ones");
        long byteCount = checked(elementCount * SizeOf(type)); // ≤ 2³¹ · 8: cannot overflow once the limit holds

        // data_offsets
        const string offsetsForm = "data_offsets must be [begin, end], two non-negative integers; re-export the file";
        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw Fail(file, $"{tensor} has data_offsets {Snippet(offsetsElement)}", offsetsForm);
        var offsets = new long[2];
        for (int k = 0; k < 2; k++)
        {
            var offset = offsetsElement[k];
            if (offset.ValueKind == JsonValueKind.Number && offset.TryGetInt64(out long o) && o >= 0) { offsets[k] = o; continue; }
            if (offset.ValueKind == JsonValueKind.Number && offset.TryGetUInt64(out _))
                throw Fail(file, $"{tensor} has data_offsets {Snippet(offsetsElement)} beyond the {dataLength}-byte data section",
                    "the file is corrupt or truncated; re-export it");
            throw Fail(file, $"{tensor} has data_offsets {Snippet(offsetsElement)}", offsetsForm);
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin)
            throw Fail(file, $"{tensor} has data_offsets [{begin}, {end}] that end before they begin", offsetsForm);
        if (end > dataLength)
            throw Fail(file, $"{tensor} has data_offsets [{begin}, {end}] beyond the {dataLength}-byte data section",
                "the file is truncated or its header is wrong; download or re-export it");
        if (end - begin != byteCount)
            throw Fail(file, $"{tensor} is {dtypeName} {FormatShape(shapeElement)} = {byteCount} bytes but its data_offsets [{begin}, {end}] span {end - begin} bytes",
                "the header disagrees with itself; re-export the file");

        return new Entry(name, type, shape, (int)elementCount, begin, end, position);
    }

    /// <summary>Entries sorted by offset must tile [0, dataLength): each begins where the previous ended.</summary>
    private static void CheckCoverage(List<Entry> entries, long dataLength, string file)
    {
        const string fix = "the file is corrupt or was written by a non-conforming tool; re-export it";
        long covered = 0;
        Entry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.Begin < covered)
                throw Fail(file, $"tensors {Quote(previous!.Name)} [{previous.Begin}, {previous.End}] and {Quote(entry.Name)} [{entry.Begin}, {entry.End}] overlap", fix);
            if (entry.Begin > covered)
                throw Fail(file, $"bytes [{covered}, {entry.Begin}) of the data section belong to no tensor (a hole before {Quote(entry.Name)}); safetensors requires the tensors to cover the data exactly", fix);
            covered = entry.End;
            previous = entry;
        }
        if (covered != dataLength)
            throw Fail(file, $"the last {dataLength - covered} bytes of the data section belong to no tensor (the tensors end at byte {covered} of {dataLength}); safetensors requires the tensors to cover the data exactly", fix);
    }

    /// <summary>Converts little-endian elements of <paramref name="type"/> to float; <c>source.Length = destination.Length · SizeOf(type)</c>.</summary>
    private static void Decode(Dtype type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (type)
        {
            case Dtype.F32 when BitConverter.IsLittleEndian:
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case Dtype.F32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case Dtype.F64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case Dtype.F16:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case Dtype.BF16:
                // bfloat16 is the top half of an IEEE float32, so widening is a 16-bit shift: exact.
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
        }
    }

    // ───────────────────────────── writing ─────────────────────────────

    /// <summary>
    /// The file's bytes: deterministic for the same tensors (in the given order) and metadata (keys sorted
    /// ordinally), laid out exactly as the official writer lays them out: compact JSON with
    /// <c>"__metadata__"</c> first (omitted when empty), then the tensors, padded with spaces to a multiple
    /// of 8 bytes; all data F32.
    /// </summary>
    /// <exception cref="BackpropException">A tensor or the metadata cannot be written (see <see cref="Write"/>),
    /// or the file would exceed the largest .NET array (use <see cref="Write"/>, which streams).</exception>
    public static byte[] ToBytes(IEnumerable<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata, "the safetensors bytes", out long dataLength);
        long total = HeaderLengthBytes + header.LongLength + dataLength;
        if (total > Array.MaxLength)
            throw new BackpropException($"the safetensors file would be {total} bytes, too large for one array; write it with SafeTensorsFile.Write(path, ...), which streams to disk");
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, HeaderLengthBytes);
        int at = HeaderLengthBytes + header.Length;
        foreach (var tensor in list)
        {
            EncodeF32(tensor.Data, bytes.AsSpan(at, 4 * tensor.Data.Length));
            at += 4 * tensor.Data.Length;
        }
        return bytes;
    }

    /// <summary>
    /// Writes the bytes of <see cref="ToBytes"/> to <paramref name="path"/> atomically: into a temporary file
    /// <c>.name.tmp-random</c> beside it, flushed to disk, then renamed over <paramref name="path"/>. If anything
    /// fails — including <paramref name="tensors"/> throwing while enumerated — the temporary file is deleted
    /// and any previous file at <paramref name="path"/> is left untouched.
    /// </summary>
    /// <exception cref="BackpropException">A tensor's data length is not the product of its shape, a dimension
    /// is negative, a rank exceeds <see cref="MaxRank"/>, a name is duplicated, reserved
    /// (<c>"__metadata__"</c>) or not valid Unicode, a limit is exceeded, or the file cannot be written.</exception>
    public static void Write(string path, IEnumerable<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        // Enumerate and validate everything before touching the disk: a failure here leaves nothing to clean up.
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata, path, out _);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[HeaderLengthBytes];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            var chunk = new byte[ChunkBytes];
            foreach (var tensor in list)
                for (int done = 0; done < tensor.Data.Length;)
                {
                    int count = Math.Min(tensor.Data.Length - done, ChunkBytes / 4);
                    EncodeF32(tensor.Data.AsSpan(done, count), chunk);
                    stream.Write(chunk, 0, 4 * count);
                    done += count;
                }
        });
    }

    /// <summary>
    /// Validates the tensors and metadata and builds the padded header; <paramref name="dataLength"/> is the
    /// data section's size, Σ 4·|Data|.
    /// </summary>
    private static byte[] BuildHeader(List<Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string file, out long dataLength)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (tensors.Count > MaxTensorCount)
            throw Fail(file, $"cannot write {tensors.Count} tensors, above the limit of {MaxTensorCount}", "split the model across several files");

        var json = new StringBuilder("{");
        if (metadata.Count > 0)
        {
            WriteJsonString(json, MetadataKey);
            json.Append(":{");
            bool first = true;
            foreach (var key in metadata.Keys.Order(StringComparer.Ordinal))
            {
                string value = metadata[key] ?? throw Fail(file, $"metadata entry {Quote(key)} is null", "give every metadata key a string value");
                RequireUnicode(key, "metadata key", file);
                RequireUnicode(value, $"metadata value of {Quote(key)}", file);
                if (!first) json.Append(',');
                first = false;
                WriteJsonString(json, key);
                json.Append(':');
                WriteJsonString(json, value);
            }
            json.Append('}');
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            ArgumentNullException.ThrowIfNull(tensor.Name);
            ArgumentNullException.ThrowIfNull(tensor.Shape);
            ArgumentNullException.ThrowIfNull(tensor.Data);
            string what = $"tensor {Quote(tensor.Name)}";
            if (tensor.Name == MetadataKey)
                throw Fail(file, $"cannot name a tensor \"{MetadataKey}\": the format reserves that key", "rename the tensor");
            if (!names.Add(tensor.Name))
                throw Fail(file, $"two tensors are named {Quote(tensor.Name)}", "give every tensor a unique name");
            RequireUnicode(tensor.Name, "tensor name", file);
            if (tensor.Shape.Length > MaxRank)
                throw Fail(file, $"{what} has rank {tensor.Shape.Length}, above the limit of {MaxRank}", "reshape it to at most 8 dimensions");
            long elements = 1;
            foreach (int d in tensor.Shape)
            {
                if (d < 0) throw Fail(file, $"{what} has negative dimension {d} in shape [{string.Join(",", tensor.Shape)}]", "give every dimension a size ≥ 0");
                try { elements = checked(elements * d); }
                catch (OverflowException)
                {
                    throw Fail(file, $"{what} has shape [{string.Join(",", tensor.Shape)}] whose element count overflows 64 bits", "make the data length the product of the shape");
                }
            }
            if (elements != tensor.Data.Length)
                throw Fail(file, $"{what} has shape [{string.Join(",", tensor.Shape)}] = {elements} elements but {tensor.Data.Length} values",
                    "make the data length the product of the shape");

            long end = offset + 4L * tensor.Data.Length;
            if (json.Length > 1) json.Append(',');
            WriteJsonString(json, tensor.Name);
            json.Append(":{\"dtype\":\"F32\",\"shape\":[")
                .AppendJoin(',', tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))
                .Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',').Append(end.ToString(CultureInfo.InvariantCulture))
                .Append("]}");
            offset = end;
        }
        json.Append('}');

        // The official writer pads with spaces so the data section starts 8-byte aligned after the 8-byte prefix.
        int length = StrictUtf8.GetByteCount(json.ToString());
        json.Append(' ', (8 - length % 8) % 8);
        byte[] header = StrictUtf8.GetBytes(json.ToString());
        if (header.LongLength > MaxHeaderBytes)
            throw Fail(file, $"the header would be {header.LongLength} bytes, above the limit of {MaxHeaderBytes}", "use shorter names or less metadata, or split the model");
        dataLength = offset;
        return header;
    }

    /// <summary>Appends <paramref name="value"/> as a JSON string escaped the way serde_json (the official
    /// writer) escapes: quote, backslash and control characters only, with lowercase hex.</summary>
    private static void WriteJsonString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        json.Append('"');
    }

    private static void RequireUnicode(string value, string what, string file)
    {
        try { StrictUtf8.GetByteCount(value); }
        catch (EncoderFallbackException)
        {
            throw Fail(file, $"{what} {Quote(value)} contains an unpaired UTF-16 surrogate and cannot be stored as UTF-8", "fix the string");
        }
    }

    private static void EncodeF32(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(source).CopyTo(destination);
            return;
        }
        for (int i = 0; i < source.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], source[i]);
    }

    // ───────────────────────────── messages ─────────────────────────────

    private static BackpropException Fail(string file, string problem, string fix) => new($"{file}: {problem}; {fix}");

    /// <summary>A name from a file, quoted, cut to a readable length and kept on one line: hostile files
    /// can hold megabyte-long names or control characters.</summary>
    private static string Quote(string value, int limit = 60) => "'" + ShownText.Of(value, limit) + "'";

    private static string OneLine(string text) => ShownText.Of(text, int.MaxValue);

    private static string Snippet(JsonElement element) => Quote(element.GetRawText(), limit: 120)[1..^1];

    private static string FormatShape(JsonElement shape) => Snippet(shape);

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
