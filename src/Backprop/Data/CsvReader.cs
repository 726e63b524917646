using System.Globalization;

namespace Backprop.Data;

/// <summary>
/// Reads comma-separated numbers (invariant culture: <c>0.5</c>, <c>1e-3</c>): one example per line, numeric
/// features and one class-label column (the last unless told otherwise). Cells are trimmed, blank lines skipped,
/// and a first row holding anything that is not a number is a header and is skipped.
/// Messages give line and column counting from 1, as editors do.
/// </summary>
public static class CsvReader
{
    /// <summary>Labels beyond this would ask for an output layer of absurd width; they are almost surely a wrong column.</summary>
    public const int MaxClassCount = 65536;

    /// <summary>
    /// A labelled dataset. <paramref name="labelColumn"/> is a 0-based column index, null for the last column;
    /// every other column is a feature, in file order. Labels are non-negative integers (<c>3</c> or <c>3.0</c>);
    /// ClassCount = largest label + 1 (at least 2).
    /// </summary>
    public static Dataset Read(string path, int? labelColumn = null)
    {
        if (labelColumn < 0)
            throw new BackpropException($"{path}: label column {labelColumn} is negative; columns count from 0, or leave it out for the last column");

        var features = new List<float>();
        var labels = new List<int>();
        int columns = 0, columnsLine = 0, label = 0;
        bool first = true;
        foreach (var (line, cells) in Rows(path))
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
                else features.Add(ParseFeature(path, line, c, cells[c]));
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
    public static float[] ReadInputs(string path, int featureCount, int? labelColumn = null)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        var features = new List<float>();
        int columns = 0, columnsLine = 0, skipped = -1;
        bool first = true;
        foreach (var (line, cells) in Rows(path))
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
                if (c != skipped) features.Add(ParseFeature(path, line, c, cells[c]));
        }
        if (features.Count == 0)
            throw new BackpropException($"{path}: no data rows; give one row of {featureCount} numbers per input");
        return [.. features];
    }

    /// <summary>Non-blank lines split on commas, cells trimmed, with 1-based line numbers.</summary>
    static IEnumerable<(int Line, string[] Cells)> Rows(string path)
    {
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
            int line = 0;
            while (true)
            {
                string? text;
                try
                {
                    text = reader.ReadLine();
                }
                catch (IOException e)
                {
                    throw new BackpropException($"{path}: cannot read line {line + 1} ({e.Message}); check the file");
                }
                if (text is null) yield break;
                line++;
                if (string.IsNullOrWhiteSpace(text)) continue;
                var cells = text.Split(',');
                for (int c = 0; c < cells.Length; c++) cells[c] = cells[c].Trim();
                yield return (line, cells);
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
