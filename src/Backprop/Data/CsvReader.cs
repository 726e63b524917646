using System.Globalization;
using System.Text;
using Backprop.Serialization;

namespace Backprop.Data;

/// <summary>
/// Reads comma-separated numbers (invariant culture: <c>0.5</c>, <c>1e-3</c>): one example per line, numeric
/// features and one class-label column (the last unless told otherwise). Cells are trimmed, blank lines skipped,
/// and a first row holding anything that is not a number is a header and is skipped.
/// Messages give line and column counting from 1, as editors do.
/// </summary>
/// <summary>
/// How much one CSV row may hold, checked while the row is read, before it is split: a 200 MB file without a line
/// break must be refused as the file it is, not read whole and split into a hundred million cells.
/// </summary>
/// <param name="MaxLineLength">Characters in one line (<see cref="CsvReader.MaxLineLength"/> by default).</param>
/// <param name="MaxColumns">Cells in one row (<see cref="CsvReader.MaxColumns"/> by default).</param>
public sealed record CsvLimits(int MaxLineLength, int MaxColumns)
{
    public static CsvLimits Default { get; } = new(CsvReader.MaxLineLength, CsvReader.MaxColumns);
}

public static class CsvReader
{
    /// <summary>Characters in one line: 100,000 columns of 99 characters.</summary>
    public const int MaxLineLength = 10_000_000;

    /// <summary>Cells in one row: far more features than a fully connected network on a table is trained on.</summary>
    public const int MaxColumns = 100_000;

    /// <summary>Labels beyond this would ask for an output layer of absurd width; they are almost surely a wrong column.</summary>
    public const int MaxClassCount = 65536;

    /// <summary>
    /// A labelled dataset. <paramref name="labelColumn"/> is a 0-based column index, null for the last column;
    /// every other column is a feature, in file order. Labels are non-negative integers (<c>3</c> or <c>3.0</c>);
    /// ClassCount = largest label + 1 (at least 2).
    /// </summary>
    public static Dataset Read(string path, int? labelColumn = null, CsvLimits? limits = null)
    {
        if (labelColumn < 0)
            throw new BackpropException($"{path}: label column {labelColumn} is negative; columns count from 0, or leave it out for the last column");

        var features = new List<float>();
        var labels = new List<int>();
        int columns = 0, columnsLine = 0, label = 0;
        bool first = true;
        foreach (var (line, cells) in Rows(path, limits ?? CsvLimits.Default))
        {
            if (first)
            {
                first = false;
                columns = cells.Length;
                columnsLine = line;
                if (columns < 2)
                    throw new BackpropException($"{path}: line {line} has {columns} column; a labelled CSV needs at least one feature column and a label column");
                label = labelColumn ?? columns - 1;
                if (label >= columns)
                    throw new BackpropException($"{path}: label column {label} is out of range: line {line} has {columns} columns, numbered 0 to {columns - 1}");
                if (!AllNumbers(cells)) continue;
            }
            CheckColumns(path, line, cells.Length, columns, columnsLine, "");
            for (int c = 0; c < columns; c++)
            {
                if (c == label) labels.Add(ParseLabel(path, line, c, cells[c]));
                else Add(features, ParseFeature(path, line, c, cells[c]), path, line);
            }
        }
        if (labels.Count == 0)
            throw new BackpropException($"{path}: no data rows; a CSV needs rows of numeric features with the class label in the last column (or the --label-column one)");
        int[] labelArray = [.. labels];
        return new Dataset([.. features], labelArray, columns - 1, IdxReader.ClassCount(labelArray));
    }

    /// <summary>
    /// Inputs for prediction, row-major n × <paramref name="featureCount"/>. Rows have exactly featureCount columns,
    /// or featureCount + 1 where the extra one is a label (column <paramref name="labelColumn"/>, null for the last)
    /// that is ignored, so a labelled file can be fed back for prediction. A header is allowed.
    /// </summary>
    public static float[] ReadInputs(string path, int featureCount, int? labelColumn = null, CsvLimits? limits = null)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        var features = new List<float>();
        int columns = 0, columnsLine = 0, skipped = -1;
        bool first = true;
        foreach (var (line, cells) in Rows(path, limits ?? CsvLimits.Default))
        {
            if (first)
            {
                first = false;
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
                if (!AllNumbers(cells, skipped)) continue;
            }
            CheckColumns(path, line, cells.Length, columns, columnsLine, $" (the model takes {featureCount} features)");
            for (int c = 0; c < columns; c++)
                if (c != skipped) Add(features, ParseFeature(path, line, c, cells[c]), path, line);
        }
        if (features.Count == 0)
            throw new BackpropException($"{path}: no data rows; give one row of {featureCount} numbers per input");
        return [.. features];
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
            throw new BackpropException($"{path}: cannot open ({e.Message}); check the path given to --data csv:FILE");
        }
        using (reader)
        {
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
                $"{path}: line {line}, column {column + 1}: label {Describe(cell)} is not a non-negative integer; class labels are 0, 1, 2, … (choose the label column with --label-column)");
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
