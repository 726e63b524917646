namespace Backprop.Tests.Fuzzing;

/// <summary>The oracle itself must catch what it exists to catch, or every fuzz run passes vacuously.</summary>
public class FuzzOracleTests
{
    static FuzzOutcome RunFake(Action<string, byte[]> read, byte[] input)
    {
        using var directory = new Data.TempDirectory();
        return FuzzTargets.Run(new FuzzTarget("fake", "csv", read), input, directory.File("fake.csv"));
    }

    [Fact]
    public void An_exception_other_than_BackpropException_is_a_violation()
    {
        var outcome = RunFake((_, _) => throw new IndexOutOfRangeException("index 3"), [1, 2]);
        Assert.Contains("threw System.IndexOutOfRangeException instead of BackpropException: index 3", outcome.Violation);
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("line one\nline two", "does not start with the file name")]
    [InlineData("{path}: line one\nline two", "control character U+000A")]
    [InlineData("{path}: cell \u001b[31mred", "control character U+001B")]
    public void A_message_that_is_not_one_clean_line_naming_the_file_is_a_violation(string message, string expected)
    {
        var outcome = RunFake((path, _) => throw new BackpropException(message.Replace("{path}", path)), [1]);
        Assert.True(outcome.Violation?.Contains(expected) == true, $"expected a violation containing \"{expected}\", actual: {outcome.Violation ?? "none"}");
    }

    [Fact]
    public void A_message_echoing_a_huge_cell_is_a_violation()
    {
        var outcome = RunFake((path, _) => throw new BackpropException($"{path}: \"{new string('x', 2000)}\" is not a number"), [1]);
        Assert.Contains($"above {FuzzTargets.MaxMessageLength}", outcome.Violation);
    }

    [Fact]
    public void Allocating_more_than_the_input_justifies_is_a_violation()
    {
        byte[] input = new byte[100];
        long allowed = FuzzTargets.AllowedBytes(input);
        Assert.Equal(FuzzTargets.BytesPerInputByte * 100 + FuzzTargets.ConstantBytes, allowed);
        var outcome = RunFake((_, _) => GC.KeepAlive(new byte[allowed + 1]), input);
        Assert.Contains($"above the allowance of {allowed}", outcome.Violation);
    }

    [Fact]
    public void Gzip_input_is_allowed_the_deflate_ratio()
    {
        byte[] gzip = Mutator.Gzip(new byte[10]);
        Assert.Equal(FuzzTargets.GzipBytesPerInputByte * gzip.Length + FuzzTargets.ConstantBytes, FuzzTargets.AllowedBytes(gzip));
    }

    [Fact]
    public void A_read_or_a_clean_refusal_is_no_violation()
    {
        Assert.Null(RunFake((_, _) => { }, [1]).Violation);
        Assert.Null(RunFake((path, _) => throw new BackpropException($"{path}: not a number; fix it"), [1]).Violation);
    }
}
