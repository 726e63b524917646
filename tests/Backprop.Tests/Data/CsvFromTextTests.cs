using System.Text;
using Backprop.Data;
using Backprop.Tests.Fuzzing;

namespace Backprop.Tests.Data;

/// <summary>
/// CsvReader reads a TextReader or a Stream as it reads a file: the same rows, the same checks, the same messages with
/// "the CSV data" where the path was.
/// </summary>
public class CsvFromTextTests
{
    [Fact]
    public void A_string_reader_gives_the_features_labels_and_sorted_class_names_of_its_text()
    {
        var data = CsvReader.Read(new StringReader("length,width,species\n5.1,3.5,setosa\n7,3.2,versicolor\n6.3,3.3,setosa\n"));

        Assert.Equal([5.1f, 3.5f, 7f, 3.2f, 6.3f, 3.3f], data.Features);
        Assert.Equal([0, 1, 0], data.Labels);
        Assert.Equal(["setosa", "versicolor"], data.ClassNames);
        Assert.Equal(2, data.FeatureCount);
    }

    [Fact]
    public void A_stream_is_read_from_its_position_and_left_open()
    {
        var bytes = Encoding.UTF8.GetBytes("ignored\n" + "x,y\n1,151\n2,75.5\n");
        using var stream = new MemoryStream(bytes) { Position = "ignored\n".Length };

        var data = CsvReader.ReadRegression(stream);

        Assert.Equal([1f, 2f], data.Features);
        Assert.Equal([151f, 75.5f], data.Values!);
        Assert.True(stream.CanRead, "the caller's stream stays open");
        Assert.Equal(bytes.Length, stream.Position);
    }

    [Fact]
    public void Inputs_for_prediction_come_from_a_reader_with_the_label_column_left_out()
    {
        var inputs = CsvReader.ReadInputs(new StringReader("0.5,-1,1\n2,3e-1,0\n"), featureCount: 2);

        Assert.Equal([0.5f, -1f, 2f, 0.3f], inputs);
    }

    [Fact]
    public void A_bad_row_in_text_is_named_by_line_and_column_as_in_a_file()
    {
        var e = Expect.Failure(() => CsvReader.Read(new StringReader("1,2,0\n3,oops,1\n")), "the CSV data: line 2, column 2", "\"oops\" is not a finite number");
        Assert.StartsWith("the CSV data:", e.Message);
    }

    [Fact]
    public void The_line_length_limit_holds_for_a_stream_that_never_ends_its_line()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(new string('7', 1000)));
        Expect.Failure(() => CsvReader.Read(stream, limits: new CsvLimits(MaxLineLength: 100, MaxColumns: 10)),
            "the CSV data: line 1 is longer than 100 characters");
    }

    [Fact]
    public void A_null_reader_or_stream_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => CsvReader.Read((TextReader)null!));
        Assert.Throws<ArgumentNullException>(() => CsvReader.Read((Stream)null!));
    }

    public static TheoryData<string, int> Seeds()
    {
        var data = new TheoryData<string, int>();
        var seeds = SeedCorpus.For("csv");
        foreach (var reader in Readers.Keys)
        {
            for (int i = 0; i < seeds.Count; i++) data.Add(reader, i);
            for (int i = 0; i < 40; i++) data.Add(reader, -1 - i); // mutants of the seeds
        }
        return data;
    }

    static readonly Dictionary<string, Func<Func<TextReader>, string?, object>> Readers = new()
    {
        ["classes"] = (open, path) => path != null ? CsvReader.Read(path) : CsvReader.Read(open()),
        ["label-column-0"] = (open, path) => path != null ? CsvReader.Read(path, labelColumn: 0) : CsvReader.Read(open(), labelColumn: 0),
        ["regression-0-2"] = (open, path) => path != null ? CsvReader.ReadRegression(path, [0, 2]) : CsvReader.ReadRegression(open(), [0, 2]),
        ["inputs-2"] = (open, path) => path != null ? CsvReader.ReadInputs(path, 2) : CsvReader.ReadInputs(open(), 2),
    };

    /// <summary>Every seed of the CSV fuzzer and mutants of them: reading the file and reading its bytes as a stream
    /// give equal datasets, or the same message but for the name.</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_file_and_the_same_bytes_as_a_stream_give_the_same_result(string reader, int seed)
    {
        var seeds = SeedCorpus.For("csv");
        byte[] bytes = seed >= 0 ? seeds[seed] : new Mutator((ulong)(-seed), "csv", seeds).Mutate();
        using var dir = new TempDirectory();
        string path = dir.Write("data.csv", bytes);

        string fromFile = Outcome(() => Readers[reader](() => throw new InvalidOperationException(), path)).Replace(path, "the CSV data");
        string fromStream = Outcome(() => Readers[reader](() => new StreamReader(new MemoryStream(bytes)), null));

        Assert.Equal(fromFile, fromStream);
    }

    static string Outcome(Func<object> read)
    {
        try
        {
            return read() switch
            {
                Dataset d => $"dataset {d.Count}×{d.FeatureCount} classes {d.ClassCount} targets {d.TargetCount} names [{string.Join(",", d.ClassNames ?? [])}] " +
                             $"features [{string.Join(",", d.Features)}] labels [{string.Join(",", d.Labels)}] values [{string.Join(",", d.Values ?? [])}]",
                float[] inputs => $"inputs [{string.Join(",", inputs)}]",
                var other => throw new InvalidOperationException(other.ToString()),
            };
        }
        catch (BackpropException e)
        {
            return "error " + e.Message;
        }
    }
}
