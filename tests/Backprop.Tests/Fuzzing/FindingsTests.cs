using Backprop.Data;

namespace Backprop.Tests.Fuzzing;

/// <summary>What fuzzing found, pinned down with the exact behaviour the fix gives.</summary>
public class FindingsTests
{
    [Fact]
    public void A_csv_cell_holding_a_terminal_escape_is_shown_with_the_control_character_replaced()
    {
        using var directory = new Data.TempDirectory();
        string path = directory.WriteText("data.csv", "x,y,label\n0.5\u001b[31m,1,0\n");
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.Equal($"{path}: line 2, column 1: \"0.5?[31m\" is not a finite number; features must be numbers like 0.25 or -1e-3", error.Message);
    }

    [Fact]
    public void A_csv_cell_of_100k_characters_is_cut_to_40_in_the_message()
    {
        using var directory = new Data.TempDirectory();
        string path = directory.WriteText("data.csv", "x,label\n" + new string('7', 99_999) + "x,0\n");
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.Equal($"{path}: line 2, column 1: \"{new string('7', 40)}…\" is not a finite number; features must be numbers like 0.25 or -1e-3", error.Message);
    }

    [Fact]
    public void A_too_large_csv_label_written_with_100k_leading_zeros_is_cut_to_40_in_the_message()
    {
        using var directory = new Data.TempDirectory();
        string path = directory.WriteText("data.csv", "x,label\n1," + new string('0', 100_000) + "70000\n");
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.Equal($"{path}: line 2, column 2: label {new string('0', 40)}… is too large (at most 65535); is this the label column?", error.Message);
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        using var directory = new Data.TempDirectory();
        // 39 letters then 𝒳 (two UTF-16 units at positions 39 and 40): the cut keeps 39 units, not half the pair.
        string path = directory.WriteText("data.csv", "x,label\n" + new string('a', 39) + "𝒳𝒳,0\n");
        var error = Assert.Throws<BackpropException>(() => CsvReader.Read(path));
        Assert.Contains($"\"{new string('a', 39)}…\"", error.Message);
    }
}
