using Backprop.Data;

namespace Backprop.Tests.Data;

public class CsvReaderTests
{
    static Dataset ReadText(string text, int? labelColumn = null)
    {
        using var dir = new TempDirectory();
        return CsvReader.Read(dir.WriteText("data.csv", text), labelColumn);
    }

    static void FailsWith(string text, int? labelColumn, params string[] fragments)
    {
        using var dir = new TempDirectory();
        string path = dir.WriteText("data.csv", text);
        Expect.Failure(() => CsvReader.Read(path, labelColumn), [path, .. fragments]);
    }

    [Fact]
    public void HeaderIsSkippedAndLastColumnIsTheLabel()
    {
        var data = ReadText("x, y ,label\n1,2,0\n 3.5 , -4e-1, 1 \n");

        Assert.Equal(2, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(2, data.ClassCount);
        Assert.Equal([1f, 2f, 3.5f, -0.4f], data.Features);
        Assert.Equal([0, 1], data.Labels);
    }

    [Fact]
    public void NumericFirstRowIsData()
    {
        var data = ReadText("0.5,0.25,3\n1,1,0\n");

        Assert.Equal([0.5f, 0.25f, 1f, 1f], data.Features);
        Assert.Equal([3, 0], data.Labels);
        Assert.Equal(4, data.ClassCount);
    }

    [Fact]
    public void HeaderWithNumericColumnNamesIsStillAHeader()
    {
        var data = ReadText("0,1,label\n5,6,1\n");

        Assert.Equal([5f, 6f], data.Features);
        Assert.Equal([1], data.Labels);
    }

    [Fact]
    public void LabelColumnCanBeChosen()
    {
        var data = ReadText("class,a,b\n2,0.5,0.25\n0,7,8\n", labelColumn: 0);

        Assert.Equal([0.5f, 0.25f, 7f, 8f], data.Features);
        Assert.Equal([2, 0], data.Labels);
        Assert.Equal(3, data.ClassCount);
    }

    [Fact]
    public void MiddleLabelColumnLeavesTheOthersInOrder()
    {
        var data = ReadText("1,9,2\n3,8,4\n", labelColumn: 1);

        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        Assert.Equal([9, 8], data.Labels);
        Assert.Equal(10, data.ClassCount);
    }

    [Fact]
    public void LabelsWrittenAsWholeFloatsAreAccepted()
    {
        Assert.Equal([3, 0, 10], ReadText("1,3.0\n2,0.000\n3,1e1\n").Labels);
    }

    [Fact]
    public void BlankLinesAreIgnoredAndCrLfIsFine()
    {
        var data = ReadText("\r\n  \r\na,b\r\n\r\n1,0\r\n\r\n2,1\r\n\r\n");

        Assert.Equal([1f, 2f], data.Features);
        Assert.Equal([0, 1], data.Labels);
    }

    [Fact]
    public void RaggedRowNamesItsLineCountingBlankLines()
    {
        FailsWith("a,b,c\n1,2,0\n\n1,2\n", null, "line 4 has 2 columns but line 1 has 3");
    }

    [Fact]
    public void NonNumericCellNamesLineAndColumn()
    {
        FailsWith("a,b,c\n1,2,0\n1,abc,1\n", null, "line 3, column 2: \"abc\" is not a finite number");
    }

    [Fact]
    public void EmptyCellNamesLineAndColumn()
    {
        FailsWith("1,2,0\n1,,1\n", null, "line 2, column 2: an empty cell is not a finite number");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e40")]
    public void NonFiniteFeatureIsRefused(string cell)
    {
        FailsWith($"1,2,0\n{cell},2,1\n", null, $"line 2, column 1: \"{cell}\" is not a finite number");
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("-1")]
    [InlineData("cat")]
    public void LabelThatIsNotANonNegativeIntegerIsRefused(string label)
    {
        FailsWith($"1,2,0\n1,2,{label}\n", null, $"line 2, column 3: label \"{label}\" is not a non-negative integer");
    }

    [Fact]
    public void AbsurdlyLargeLabelIsRefused()
    {
        FailsWith("1,2,0\n1,2,70000\n", null, "line 2, column 3: label 70000 is too large");
        FailsWith("1,2,0\n1,2,65536\n", null, "line 2, column 3: label 65536 is too large (at most 65535)");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    [InlineData("a,b,label\n")]
    public void FileWithoutDataRowsIsRefused(string text)
    {
        FailsWith(text, null, "no data rows");
    }

    [Fact]
    public void SingleColumnIsRefused()
    {
        FailsWith("1\n2\n", null, "line 1 has 1 column");
    }

    [Fact]
    public void LabelColumnOutOfRangeIsRefused()
    {
        FailsWith("1,2,0\n", 3, "label column 3 is out of range: line 1 has 3 columns, numbered 0 to 2");
        FailsWith("1,2,0\n", -1, "label column -1 is negative");
    }

    [Fact]
    public void MissingFileIsRefusedNamingIt()
    {
        using var dir = new TempDirectory();
        Expect.Failure(() => CsvReader.Read(dir.File("absent.csv")), dir.File("absent.csv"));
    }

    [Fact]
    public void InputsTakeFeatureColumnsWithOrWithoutALabel()
    {
        using var dir = new TempDirectory();
        Assert.Equal([1f, 2f, 3f, 4f], CsvReader.ReadInputs(dir.WriteText("a.csv", "x,y\n1,2\n3,4\n"), 2));
        Assert.Equal([1f, 2f, 3f, 4f], CsvReader.ReadInputs(dir.WriteText("b.csv", "1,2,7\n3,4,cat\n"), 2));
        Assert.Equal([1f, 2f, 3f, 4f], CsvReader.ReadInputs(dir.WriteText("c.csv", "label,x,y\n7,1,2\n8,3,4\n"), 2, labelColumn: 0));
    }

    [Fact]
    public void InputsWithTheWrongColumnCountAreRefused()
    {
        using var dir = new TempDirectory();
        string wide = dir.WriteText("wide.csv", "1,2,3,4\n");
        Expect.Failure(() => CsvReader.ReadInputs(wide, 2), wide, "line 1 has 4 columns but the model takes 2 features");
        string ragged = dir.WriteText("ragged.csv", "1,2\n3,4,5\n");
        Expect.Failure(() => CsvReader.ReadInputs(ragged, 2), ragged, "line 2 has 3 columns but line 1 has 2");
        string bad = dir.WriteText("bad.csv", "1,2\n3,x\n");
        Expect.Failure(() => CsvReader.ReadInputs(bad, 2), bad, "line 2, column 2: \"x\"");
        string empty = dir.WriteText("empty.csv", "x,y\n");
        Expect.Failure(() => CsvReader.ReadInputs(empty, 2), empty, "no data rows");
    }

    [Fact]
    public void The_largest_label_65535_is_read()
    {
        var data = ReadText("1,2,0\n3,4,65535\n");
        Assert.Equal([0, 65535], data.Labels);
        Assert.Equal(CsvReader.MaxClassCount, data.ClassCount);
    }

    [Fact]
    public void ReadInputs_keeps_a_numeric_first_row_whose_ignored_label_column_holds_text()
    {
        using var dir = new TempDirectory();
        // Only the features decide whether the first row is a header: the label column is ignored.
        Assert.Equal([1f, 2f, 3f, 4f], CsvReader.ReadInputs(dir.WriteText("a.csv", "1,2,cat\n3,4,dog\n"), 2));
        Assert.Equal([1f, 2f, 3f, 4f], CsvReader.ReadInputs(dir.WriteText("b.csv", "cat,1,2\n7,3,4\n"), 2, labelColumn: 0));
    }
}
