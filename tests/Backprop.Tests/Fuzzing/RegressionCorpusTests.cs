namespace Backprop.Tests.Fuzzing;

/// <summary>
/// Replays every input saved under <c>corpus/FORMAT/</c> (what fuzzing found, and hand-made liars) through every
/// reader of that format: each must be read or refused within the bounds of <see cref="FuzzTargets"/>.
/// </summary>
public class RegressionCorpusTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var format in SeedCorpus.Formats)
            foreach (var file in RegressionCorpus.Files(format))
                foreach (var target in FuzzTargets.OfFormat(format))
                    data.Add(target.Name, Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void A_saved_input_is_read_or_refused_within_bounds(string targetName, string file)
    {
        var target = FuzzTargets.Named(targetName);
        var input = File.ReadAllBytes(Path.Combine(RegressionCorpus.Folder(target.Format), file));
        using var directory = new Data.TempDirectory();
        var outcome = FuzzTargets.Run(target, input, Path.Combine(directory.Path, FuzzTargets.FileName(target.Format, input)));
        Assert.True(outcome.Violation is null, $"{target} on {file}: {outcome.Violation}");
    }

    [Fact]
    public void Every_format_has_saved_inputs()
    {
        foreach (var format in SeedCorpus.Formats)
            Assert.True(RegressionCorpus.Files(format).Any(), $"no files in {RegressionCorpus.Folder(format)}");
    }

    [Fact]
    public void Every_seed_is_read_or_refused_within_bounds()
    {
        using var directory = new Data.TempDirectory();
        foreach (var target in FuzzTargets.All)
            foreach (var (input, index) in SeedCorpus.For(target.Format).Select((s, i) => (s, i)))
            {
                var outcome = FuzzTargets.Run(target, input, Path.Combine(directory.Path, FuzzTargets.FileName(target.Format, input)));
                Assert.True(outcome.Violation is null, $"{target} on seed {index}: {outcome.Violation}");
            }
    }
}
