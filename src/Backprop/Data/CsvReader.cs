using System.Globalization;
using System.Text;
using Backprop.Serialization;

namespace Backprop.Data;

/// <summary>
/// How much one CSV row may hold, checked while the row is read, before it is split: a 200 MB file without a line
/// break must be refused as the file it is, not read whole and split into a hundred million cells.
/// </summary>
/// <param name="MaxLineLength">Characters in one line (<see cref="CsvReader.MaxLineLength"/> by default).</param>
/// <param name="MaxColumns">Cells in one row (<see cref="CsvReader.MaxColumns"/> by default).</param>
public sealed record CsvLimits(int MaxLineLength, int MaxColumns)
{
    /// <summary>The limits the readers use when given none: <see cref="CsvReader.MaxLineLength"/> and <see cref="CsvReader.MaxColumns"/>.</summary>
    public static CsvLimits Default { get; } = new(CsvReader.MaxLineLength, CsvReader.MaxColumns);
}

/// <summary>
/// Reads comma-separated numbers (invariant culture: <c>0.5</c>, <c>1e-3</c>): one example per line, numeric
/// features and one class-label column (the last unless told otherwise). Cells are trimmed, blank lines skipped,
/// and a first row holding anything that is not a number is a header and is skipped.
/// Messages give line and column counting from 1, as editors do.
/// </summary>
public static class CsvReader
{
    /// <summary>Characters in one line: 100,000 columns of 99 characters.</summary>
    public const int MaxLineLength = 10_000_000;

    /// <summary>Cells in one row: far more features than a fully connected network on a table is trained on.</summary>
    public const int MaxColumns = 100_000;

    /// <summary>Labels beyond this would ask for an output layer of absurd width; they are almost surely a wrong column.</summary>
    public const int MaxClassCount = 65536;

    /// <summary>Numeric labels taking more values than this look like measurements (a price, a dose), not classes.</summary>
    public const int MaxDistinctLabels = 100;

    /// <summary>
    /// A labelled dataset. <paramref name="labelColumn"/> is a 0-based column index, null for the last column;
    /// every other column is a feature, in file order. Labels are either all non-negative integers (<c>3</c> or
    /// <c>3.0</c>; ClassCount = largest label + 1, at least 2), or — when the first data row's label is not a number —
    /// all names (<c>setosa</c>, <c>cat</c>), numbered in sorted (ordinal) order, so that the numbering does not
    /// depend on the order of the rows. With <paramref name="classNames"/> (a trained model's) names map to those
    /// classes and a name the model does not know is refused.
    /// <para>The first row is a header when a feature cell is not a number, or when only its label is a word and
    /// the next row's label is a number. scikit-learn's header <c>samples,features,name0,name1,…</c>
    /// (<c>150,4,setosa,versicolor,virginica</c>) is recognised by its shape: the next row has features + 1 columns
    /// and a numeric label; its names become the class names of the numeric labels.</para>
    /// </summary>
    public static Dataset Read(string path, int? labelColumn = null, CsvLimits? limits = null, IReadOnlyList<string>? classNames = null) =>
        Read(path, Rows(path, limits ?? CsvLimits.Default), labelColumn, classNames);

    /// <summary>As <see cref="Read(string, int?, CsvLimits?, IReadOnlyList{string}?)"/>, from text the caller has
    /// open (a string, a network response, an embedded resource); the reader is read to its end and not closed.
    /// Messages call it "the CSV data".</summary>
    public static Dataset Read(TextReader reader, int? labelColumn = null, CsvLimits? limits = null, IReadOnlyList<string>? classNames = null) =>
        Read(ReaderName, Rows(reader, ReaderName, limits ?? CsvLimits.Default), labelColumn, classNames);

    /// <summary>As <see cref="Read(TextReader, int?, CsvLimits?, IReadOnlyList{string}?)"/>, from a stream of UTF-8
    /// (or byte-order-marked) text, read from its position to its end and left open.</summary>
    public static Dataset Read(Stream stream, int? labelColumn = null, CsvLimits? limits = null, IReadOnlyList<string>? classNames = null) =>
        Read(Open(stream), labelColumn, limits, classNames);

    /// <summary>The name messages give text that did not come from a file.</summary>
    const string ReaderName = "the CSV data";

    static StreamReader Open(Stream stream) =>
        new(stream ?? throw new ArgumentNullException(nameof(stream)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: -1, leaveOpen: true);

    static Dataset Read(string path, IEnumerable<(int Line, string[] Cells)> source, int? labelColumn, IReadOnlyList<string>? classNames)
    {
        if (labelColumn < 0)
            throw new BackpropException($"{path}: label column {labelColumn} is negative; columns count from 0, or leave it out for the last column");

        var features = new List<float>();
        var labels = new List<int>();
        int columns = 0, columnsLine = 0, label = 0;
        bool? named = null; // decided by the first data row's label: a number or a name
        var known = classNames is null ? null : Index(classNames);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        IReadOnlyList<string>? headerNames = null;
        int? headerSamples = null;

        using var rows = source.GetEnumerator();
        (int Line, string[] Cells)? first = rows.MoveNext() ? rows.Current : null;
        (int Line, string[] Cells)? second = first != null && rows.MoveNext() ? rows.Current : null;
        if (first is { } head)
        {
            bool header = false;
            if (second is { } next && ScikitHeader(head.Cells, next.Cells, labelColumn) is { } scikit)
            {
                header = true;
                headerSamples = scikit.Samples;
                headerNames = scikit.Names;
                if (classNames is null && scikit.Names.Count < 2)
                    throw new BackpropException($"{path}: line {head.Line} is a scikit-learn header naming {scikit.Names.Count} class; a classifier needs at least two — add the other names to line {head.Line}");
            }
            else
            {
                columns = head.Cells.Length;
                int headLabel = labelColumn ?? columns - 1;
                if (columns >= 2 && headLabel < columns && !AllNumbers(head.Cells))
                {
                    // A header: the rows' column count is counted from it, so that a ragged row names line 1.
                    columnsLine = head.Line;
                    label = headLabel;
                    bool featureWords = !AllNumbers(head.Cells, headLabel);
                    header = featureWords || second is not { } n || n.Cells.Length <= headLabel || IsNumber(n.Cells[headLabel]);
                    if (!header) columnsLine = 0;
                    if (header && second is { } after && after.Cells.Length != columns)
                        throw new BackpropException(
                            $"{path}: line {head.Line} looks like a header of {columns} column names but line {after.Line} has {after.Cells.Length} columns; " +
                            "a header names every column once (the features and the label), or is scikit-learn's \"samples,features,class names…\" line — fix line " +
                            $"{head.Line} to match the data, or delete it");
                }
            }
            if (!header) Take(head.Line, head.Cells);
            if (second is { } row) Take(row.Line, row.Cells);
            while (rows.MoveNext()) Take(rows.Current.Line, rows.Current.Cells);
        }
        if (labels.Count == 0)
            throw new BackpropException($"{path}: no data rows; a CSV needs rows of numeric features with the class label in the last column (or the labelColumn one)");
        if (headerSamples is { } expected && expected != labels.Count)
            throw new BackpropException($"{path}: the scikit-learn header on line 1 promises {expected} examples but the file holds {labels.Count}; correct the first number of line 1");
        int[] labelArray = [.. labels];

        if (named == true)
        {
            if (classNames != null) return new Dataset([.. features], labelArray, columns - 1, Math.Max(2, classNames.Count), Names(classNames));
            if (seen.Count < 2)
                throw new BackpropException($"{path}: every label is \"{Shown(seen.Keys.First())}\"; a classifier needs examples of at least two classes");
            // Sorted names, so that two files with the same classes number them alike whatever their row order.
            var sorted = seen.Keys.Order(StringComparer.Ordinal).ToArray();
            var renumber = new int[sorted.Length];
            for (int k = 0; k < sorted.Length; k++) renumber[seen[sorted[k]]] = k;
            for (int i = 0; i < labelArray.Length; i++) labelArray[i] = renumber[labelArray[i]];
            return new Dataset([.. features], labelArray, columns - 1, sorted.Length, sorted);
        }
        var names = classNames ?? headerNames;
        if (names != null)
        {
            int largest = labelArray.Max();
            if (largest >= Math.Max(2, names.Count))
                throw new BackpropException($"{path}: label {largest} has no name: {(classNames is null ? "the scikit-learn header on line 1" : "the model")} names {names.Count} classes, 0 to {names.Count - 1}; " +
                                            (classNames is null ? "add its name to line 1" : "give data with the model's classes"));
            return new Dataset([.. features], labelArray, columns - 1, Math.Max(2, names.Count), Names(names));
        }
        int distinct = labelArray.Distinct().Count();
        if (distinct > MaxDistinctLabels)
            throw new BackpropException($"{path}: the labels take {distinct} different values, more than {MaxDistinctLabels}; they look like measurements, not classes: read them with CsvReader.ReadRegression (or choose the class column with labelColumn)");
        return new Dataset([.. features], labelArray, columns - 1, IdxReader.ClassCount(labelArray));

        void Take(int line, string[] cells)
        {
            if (named is null && columnsLine != 0) CheckColumns(path, line, cells.Length, columns, columnsLine, "");
            if (named is null)
            {
                columns = cells.Length;
                if (columnsLine == 0) columnsLine = line;
                if (columns < 2)
                    throw new BackpropException($"{path}: line {line} has {columns} column; a labelled CSV needs at least one feature column and a label column");
                label = labelColumn ?? columns - 1;
                if (label >= columns)
                    throw new BackpropException($"{path}: label column {label} is out of range: line {line} has {columns} columns, numbered 0 to {columns - 1}");
                named = !IsNumber(cells[label]);
            }
            CheckColumns(path, line, cells.Length, columns, columnsLine, "");
            for (int c = 0; c < columns; c++)
            {
                if (c != label) Add(features, ParseFeature(path, line, c, cells[c]), path, line);
                else if (named == true) labels.Add(NameLabel(line, c, cells[c]));
                else labels.Add(ParseLabel(path, line, c, cells[c]));
            }
        }

        int NameLabel(int line, int column, string cell)
        {
            if (cell.Length == 0)
                throw new BackpropException($"{path}: line {line}, column {column + 1}: the label is an empty cell; every row needs its class name");
            if (known != null)
                return known.TryGetValue(cell, out int k) ? k
                    : throw new BackpropException($"{path}: line {line}, column {column + 1}: class \"{Shown(cell)}\" is not one the model knows ({ShownText.Of(string.Join(", ", classNames!), 200)}); give data with the model's classes");
            if (seen.TryGetValue(cell, out int id)) return id;
            if (seen.Count >= MaxClassCount)
                throw new BackpropException($"{path}: line {line}, column {column + 1}: more than {MaxClassCount} different labels; is this the label column? (choose it with labelColumn, or read them with CsvReader.ReadRegression for a measurement)");
            seen.Add(cell, seen.Count);
            return seen.Count - 1;
        }
    }

    /// <summary>
    /// A regression dataset: the columns <paramref name="targetColumns"/> (0-based, distinct; null for the last) are
    /// the real targets, in that order, every other column a feature. Targets must be finite numbers; a first row
    /// holding anything that is not a number is a header, and must have the rows' columns.
    /// </summary>
    public static Dataset ReadRegression(string path, IReadOnlyList<int>? targetColumns = null, CsvLimits? limits = null) =>
        ReadRegression(path, Rows(path, limits ?? CsvLimits.Default), targetColumns);

    /// <summary>As <see cref="ReadRegression(string, IReadOnlyList{int}?, CsvLimits?)"/>, from text the caller has open;
    /// the reader is read to its end and not closed.</summary>
    public static Dataset ReadRegression(TextReader reader, IReadOnlyList<int>? targetColumns = null, CsvLimits? limits = null) =>
        ReadRegression(ReaderName, Rows(reader, ReaderName, limits ?? CsvLimits.Default), targetColumns);

    /// <summary>As <see cref="ReadRegression(TextReader, IReadOnlyList{int}?, CsvLimits?)"/>, from a stream of UTF-8 text, left open.</summary>
    public static Dataset ReadRegression(Stream stream, IReadOnlyList<int>? targetColumns = null, CsvLimits? limits = null) =>
        ReadRegression(Open(stream), targetColumns, limits);

    static Dataset ReadRegression(string path, IEnumerable<(int Line, string[] Cells)> source, IReadOnlyList<int>? targetColumns)
    {
        if (targetColumns is { Count: 0 }) throw new BackpropException($"{path}: targetColumns is empty; name at least one column, or leave it out (null) for the last column");
        foreach (int column in targetColumns ?? [])
            if (column < 0)
                throw new BackpropException($"{path}: target column {column} is negative; columns count from 0, or leave it out for the last column");
        if (targetColumns != null && targetColumns.Distinct().Count() != targetColumns.Count)
            throw new BackpropException($"{path}: target column {targetColumns.GroupBy(c => c).First(g => g.Count() > 1).Key} is given twice; name each target column once");
        var features = new List<float>();
        var values = new List<float>();
        int columns = 0, columnsLine = 0;
        int[] targets = [];
        var isTarget = Array.Empty<bool>();
        foreach (var (line, cells) in source)
        {
            if (columnsLine == 0)
            {
                columns = cells.Length;
                columnsLine = line;
                targets = targetColumns?.ToArray() ?? [columns - 1];
                if (columns <= targets.Length)
                    throw new BackpropException($"{path}: line {line} has {columns} column{(columns == 1 ? "" : "s")}; a regression table needs at least one feature column beside its {targets.Length} target column{(targets.Length == 1 ? "" : "s")}");
                foreach (int column in targets)
                    if (column >= columns)
                        throw new BackpropException($"{path}: target column {column} is out of range: line {line} has {columns} columns, numbered 0 to {columns - 1}; choose it with targetColumns");
                isTarget = new bool[columns];
                foreach (int column in targets) isTarget[column] = true;
                if (!AllNumbers(cells)) continue;
            }
            CheckColumns(path, line, cells.Length, columns, columnsLine, "");
            for (int c = 0; c < columns; c++)
                if (!isTarget[c]) Add(features, ParseFeature(path, line, c, cells[c]), path, line);
            foreach (int c in targets) Add(values, ParseTarget(path, line, c, cells[c]), path, line);
        }
        if (values.Count == 0)
            throw new BackpropException($"{path}: no data rows; a regression CSV needs rows of numbers, the target in the last column (or the targetColumns ones)");
        return new Dataset([.. features], [.. values], columns - targets.Length, targets.Length);
    }

    static float ParseTarget(string path, int line, int column, string cell)
    {
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
            return value;
        throw new BackpropException($"{path}: line {line}, column {column + 1}: target {Describe(cell)} is not a finite number; a regression's targets are numbers like 151 or -0.25 (choose the target column with targetColumns)");
    }

    static Dictionary<string, int> Index(IReadOnlyList<string> names)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < names.Count; k++) index.TryAdd(names[k], k);
        return index;
    }

    /// <summary>A model with one output neuron has two classes; its names list may say so with two names.</summary>
    static IReadOnlyList<string>? Names(IReadOnlyList<string> names) => names.Count >= 2 ? names : null;

    /// <summary>
    /// scikit-learn's CSV header: <c>samples,features,name0,name1,…</c> — two whole numbers, then class names that
    /// are not numbers — and the next row has features + 1 columns. Null when <paramref name="cells"/> is not one.
    /// </summary>
    internal static (int Samples, int Features, IReadOnlyList<string> Names)? ScikitHeader(string[] cells, string[] next, int? labelColumn)
    {
        // Its labels are numbers: "1,2,cat" before "3,4,dog" is data with word labels, not a header.
        int nextLabel = labelColumn ?? next.Length - 1;
        if (nextLabel >= next.Length || !IsNumber(next[nextLabel])) return null;
        if (cells.Length < 3) return null;
        if (!int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out int samples)
            || !int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out int features)) return null;
        for (int c = 2; c < cells.Length; c++) if (cells[c].Length == 0 || IsNumber(cells[c])) return null;
        if ((long)features + 1 != next.Length) return null;
        return (samples, features, cells[2..]);
    }

    static bool IsNumber(string cell) => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// Inputs for prediction, row-major n × <paramref name="featureCount"/>. Rows have exactly featureCount columns,
    /// or featureCount + 1 where the extra one is a label (column <paramref name="labelColumn"/>, null for the last)
    /// that is ignored, so a labelled file can be fed back for prediction. A header is allowed.
    /// </summary>
    public static float[] ReadInputs(string path, int featureCount, int? labelColumn = null, CsvLimits? limits = null) =>
        ReadInputs(path, Rows(path, limits ?? CsvLimits.Default), featureCount, labelColumn);

    /// <summary>As <see cref="ReadInputs(string, int, int?, CsvLimits?)"/>, from text the caller has open; the reader
    /// is read to its end and not closed.</summary>
    public static float[] ReadInputs(TextReader reader, int featureCount, int? labelColumn = null, CsvLimits? limits = null) =>
        ReadInputs(ReaderName, Rows(reader, ReaderName, limits ?? CsvLimits.Default), featureCount, labelColumn);

    /// <summary>As <see cref="ReadInputs(TextReader, int, int?, CsvLimits?)"/>, from a stream of UTF-8 text, left open.</summary>
    public static float[] ReadInputs(Stream stream, int featureCount, int? labelColumn = null, CsvLimits? limits = null) =>
        ReadInputs(Open(stream), featureCount, labelColumn, limits);

    static float[] ReadInputs(string path, IEnumerable<(int Line, string[] Cells)> source, int featureCount, int? labelColumn)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        var features = new List<float>();
        int columns = 0, columnsLine = 0, skipped = -1;
        (int Line, string[] Cells)? pending = null;
        bool started = false, decided = false;
        foreach (var (line, cells) in source)
        {
            // scikit-learn's "samples,features,names…" line is known by the row after it, so the first row waits.
            if (!decided)
            {
                if (pending is null)
                {
                    pending = (line, cells);
                    continue;
                }
                decided = true;
                var held = pending.Value;
                if (ScikitHeader(held.Cells, cells, labelColumn) is null) Take(held.Line, held.Cells);
            }
            Take(line, cells);
        }
        if (!decided && pending is { } only) Take(only.Line, only.Cells);
        if (features.Count == 0)
            throw new BackpropException($"{path}: no data rows; give one row of {featureCount} numbers per input");
        return [.. features];

        void Take(int line, string[] cells)
        {
            if (!started)
            {
                started = true;
                columns = cells.Length;
                columnsLine = line;
                if (columns != featureCount && columns != featureCount + 1)
                    throw new BackpropException(
                        $"{path}: line {line} has {columns} columns but the model takes {featureCount} features; " +
                        $"give {featureCount} feature columns, optionally with one label column");
                if (columns == featureCount + 1)
                {
                    skipped = labelColumn ?? columns - 1;
                    if (skipped < 0 || skipped >= columns)
                        throw new BackpropException($"{path}: label column {skipped} is out of range: line {line} has {columns} columns, numbered 0 to {columns - 1}");
                }
                if (!AllNumbers(cells, skipped)) return;
            }
            CheckColumns(path, line, cells.Length, columns, columnsLine, $" (the model takes {featureCount} features)");
            for (int c = 0; c < columns; c++)
                if (c != skipped) Add(features, ParseFeature(path, line, c, cells[c]), path, line);
        }
    }

    /// <summary>
    /// Adds one value; when the list is about to double, asks <see cref="MemoryBudget"/> first, so a file with more
    /// values than memory is refused by name instead of ending the process.
    /// </summary>
    static void Add(List<float> values, float value, string path, int line)
    {
        if (values.Count == values.Capacity && values.Count >= 1 << 20)
        {
            if (values.Count >= Array.MaxLength)
                throw new BackpropException($"{path}: line {line}: more than {Array.MaxLength} values in all, more than one array holds; use fewer rows");
            long grown = Math.Min(2L * values.Count, Array.MaxLength);
            // The grown list, plus the old one while it is copied, plus the final array.
            MemoryBudget.Require(sizeof(float) * (2.0 * grown + values.Count), path, $"line {line}: {values.Count:N0} values so far",
                "use fewer rows, or train where more memory is available");
            values.Capacity = (int)grown;
        }
        values.Add(value);
    }

    /// <summary>
    /// Non-blank lines split on commas, cells trimmed, with 1-based line numbers; read as a stream, every line
    /// bounded by <paramref name="limits"/> before it is split. Only a regular file is read: /dev/zero would never end.
    /// </summary>
    static IEnumerable<(int Line, string[] Cells)> Rows(string path, CsvLimits limits)
    {
        InputFile.RequireRegular(path);
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackpropException($"{path}: cannot open ({e.Message}); check the path given to CsvReader");
        }
        using (reader)
            foreach (var row in Rows(reader, path, limits)) yield return row;
    }

    /// <summary>The rows of text already open; <paramref name="path"/> names it in messages (a file's path, or "the CSV data").</summary>
    static IEnumerable<(int Line, string[] Cells)> Rows(TextReader reader, string path, CsvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new LineReader(reader, path, limits.MaxLineLength);
        int line = 0;
        while (true)
        {
            string? text;
            try
            {
                text = lines.ReadLine(line + 1);
            }
            catch (IOException e)
            {
                throw new BackpropException($"{path}: cannot read line {line + 1} ({e.Message}); check the file");
            }
            if (text is null) yield break;
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            int columns = text.AsSpan().Count(',') + 1;
            if (columns > limits.MaxColumns)
                throw new BackpropException($"{path}: line {line} has {columns} columns, more than the limit of {limits.MaxColumns}; a row is one example's features and its label — is this the right file?");
            var cells = text.Split(',');
            for (int c = 0; c < cells.Length; c++) cells[c] = cells[c].Trim();
            yield return (line, cells);
        }
    }

    /// <summary>Lines as <see cref="TextReader.ReadLine"/> splits them (\n, \r\n or \r), refused past a length before they are held whole.</summary>
    sealed class LineReader(TextReader reader, string path, int maxLength)
    {
        readonly char[] buffer = new char[1 << 14];
        readonly StringBuilder line = new();
        int position, length;

        bool Fill()
        {
            position = 0;
            length = reader.Read(buffer, 0, buffer.Length);
            return length > 0;
        }

        public string? ReadLine(int number)
        {
            line.Clear();
            bool any = false;
            while (true)
            {
                if (position == length && !Fill()) return any ? line.ToString() : null;
                any = true;
                var rest = buffer.AsSpan(position, length - position);
                int end = rest.IndexOfAny('\n', '\r');
                int take = end < 0 ? rest.Length : end;
                if ((long)line.Length + take > maxLength)
                    throw new BackpropException($"{path}: line {number} is longer than {maxLength} characters, the limit; a CSV row is one example — is this a CSV file?");
                line.Append(rest[..take]);
                position += take;
                if (end < 0) continue;
                char terminator = buffer[position++];
                if (terminator == '\r' && (position < length || Fill()) && buffer[position] == '\n') position++;
                return line.ToString();
            }
        }
    }

    static void CheckColumns(string path, int line, int actual, int expected, int expectedLine, string note)
    {
        if (actual != expected)
            throw new BackpropException(
                $"{path}: line {line} has {actual} columns but line {expectedLine} has {expected}{note}; every row needs the same columns");
    }

    static bool AllNumbers(string[] cells, int skipped = -1)
    {
        for (int c = 0; c < cells.Length; c++)
            if (c != skipped && !double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
        return true;
    }

    static float ParseFeature(string path, int line, int column, string cell)
    {
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
            return value;
        throw new BackpropException($"{path}: line {line}, column {column + 1}: {Describe(cell)} is not a finite number; features must be numbers like 0.25 or -1e-3");
    }

    static int ParseLabel(string path, int line, int column, string cell)
    {
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value)
            || value < 0 || value != Math.Floor(value))
            throw new BackpropException(
                $"{path}: line {line}, column {column + 1}: label {Describe(cell)} is not a non-negative integer; class labels are 0, 1, 2, … or names, one kind per column " +
                "(choose the label column with labelColumn; a measurement needs CsvReader.ReadRegression)");
        if (value >= MaxClassCount)
            throw new BackpropException(
                $"{path}: line {line}, column {column + 1}: label {Shown(cell)} is too large (at most {MaxClassCount - 1}); is this the label column?");
        return (int)value;
    }

    static string Describe(string cell) => cell.Length == 0 ? "an empty cell" : $"\"{Shown(cell)}\"";

    /// <summary>
    /// A cell as messages show it: cut to <see cref="MaxShownLength"/> characters, control characters as '?',
    /// because a hostile file's cell can be megabytes long or hold terminal escape sequences.
    /// </summary>
    static string Shown(string cell) => ShownText.Of(cell, MaxShownLength);

    const int MaxShownLength = 40;
}
