using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>Issue 11: what a learner reads around the numbers says what the numbers say.</summary>
public class ExplainWordsTests
{
    static readonly string Here = Path.GetTempPath();

    static string Line(RunResult result, string start) =>
        result.OutputLines.FirstOrDefault(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no line starting with '{start}' in:\n{result}");

    [Fact]
    public void Descend_says_f_rose_and_the_step_is_too_large_when_it_overshoots()
    {
        using var folder = new TempDirectory();
        // x ← x − 1.1·2x = −1.2x, so f = 25 · 1.44ᵗ: 25 · 1.44¹⁰ = 958.4.
        var run = BackpropProcess.Run(folder.Path, "descend", "--lr", "1.1", "--steps", "10");

        Assert.True(run.ExitCode == 0, run.ToString());
        string summary = Line(run, "after ");
        Assert.StartsWith("after 10 steps f rose from 25 to 958.4", summary);
        Assert.Contains("the step is too large", summary);
        Assert.Contains("--lr, like 0.11", summary);
        Assert.DoesNotContain("fell", run.Output);
    }

    [Fact]
    public void Descend_says_f_stayed_when_every_step_lands_as_high_and_counts_one_step_in_the_singular()
    {
        using var folder = new TempDirectory();
        // α = 1: x ← x − 2x = −x, the mirror point on the same contour.
        var run = BackpropProcess.Run(folder.Path, "descend", "--lr", "1", "--steps", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("after 1 step f stayed at 25 at x = (-3, -4)", Line(run, "after "));
        Assert.EndsWith("α = 1   1 step", Line(run, "f(x1, x2)"));
        Assert.DoesNotContain("1 steps", run.Output);
    }

    [Fact]
    public void Descend_columns_line_up_past_step_9()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--lr", "1.1", "--steps", "12");

        Assert.True(run.ExitCode == 0, run.ToString());
        var steps = run.OutputLines.Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(13, steps.Length);
        foreach (string column in new[] { "x = ", "f = ", "∂f/∂x1", "∂f/∂x2" })
        {
            var starts = steps.Select(l => l.IndexOf(column, StringComparison.Ordinal)).Distinct().ToArray();
            Assert.True(starts.Length == 1, $"'{column}' starts at columns {string.Join(", ", starts)}:\n{string.Join('\n', steps)}");
        }
        Assert.StartsWith("step  9  x = (-15.48, -20.64)", steps[9]);
        Assert.StartsWith("step 12  x = (26.75, 35.66)", steps[12]);
    }

    [Fact]
    public void Python_power_operator_gets_a_hint_to_write_caret()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1**2", "--start", "1");

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("at column 4", line);
        Assert.Contains("powers are written with '^', like x1^2", line);
    }

    [Fact]
    public void Explain_at_relus_kink_says_the_derivative_there_is_a_convention()
    {
        // z1 = 0·1 = 0 and z2 = 1·relu(0) = 0: backpropagation says 0 (relu′(0) = 0), the central difference −2.
        var run = BackpropProcess.Run(Here, "explain", "-x", "1", "-y", "2", "-w", "0,1", "--activation", "relu");

        Assert.True(run.ExitCode == 0, run.ToString());
        string dw1 = Line(run, "∂C/∂w1 ");
        Assert.Contains("= 0", dw1);
        Assert.Contains("finite difference -2", dw1);
        string note = Line(run, "Note:");
        Assert.StartsWith("Note: z1 = z2 = 0, each at relu's kink", note);
        Assert.Contains("relu′(0) = 0", note);
        Assert.Contains("PyTorch", note);
        Assert.Contains("backpropagation and the finite difference can differ", note);
    }

    [Fact]
    public void Explain_away_from_the_kink_adds_no_note()
    {
        var relu = BackpropProcess.Run(Here, "explain", "--activation", "relu");
        var sigmoid = BackpropProcess.Run(Here, "explain", "-x", "1", "-w", "0,1");

        Assert.True(relu.ExitCode == 0, relu.ToString());
        Assert.DoesNotContain("kink", relu.Output);
        Assert.DoesNotContain("kink", sigmoid.Output); // z = 0 is no kink for sigmoid
    }

    [Theory]
    [InlineData("explain")]
    [InlineData("explain", "--help")]
    [InlineData("graph", "--help")]
    [InlineData("descend", "--help")]
    [InlineData("--help")]
    public void No_output_or_help_speaks_of_seeds(params string[] args)
    {
        var run = BackpropProcess.Run(Here, args);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("seeds'", run.Output);
    }

    [Fact]
    public void The_default_chain_is_named_in_words_a_newcomer_knows()
    {
        var run = BackpropProcess.Run(Here, "explain");

        Assert.StartsWith("The default two-weight chain: one neuron per layer, x = 1.5, y = 0.5", run.OutputLines[0]);
        Assert.Contains("Written out in full, nothing recycled (the chain rule for the first weight", run.Output);
    }

    [Fact]
    public void Explain_takes_graphs_long_names_for_the_chain()
    {
        var longNames = BackpropProcess.Run(Here, "explain", "--input", "2", "--target", "1", "--weights", "0.5,0.25", "--biases", "0.1,0");
        var shortNames = BackpropProcess.Run(Here, "explain", "--x", "2", "--y", "1", "--w", "0.5,0.25", "--b", "0.1,0");

        Assert.True(longNames.ExitCode == 0, longNames.ToString());
        Assert.Equal(shortNames.Output, longNames.Output);
        Assert.EndsWith("= 1.1", Line(longNames, "z1 ")); // 0.5·2 + 0.1
    }

    [Theory]
    [InlineData("features")]
    [InlineData("labels")]
    public void Explain_model_hints_name_only_options_explain_takes(string mismatch)
    {
        using var folder = new TempDirectory();
        string model = folder.File("m.safetensors");
        var train = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", "2,3,2", "--epochs", "1", "--out", model, "--no-pictures");
        Assert.True(train.ExitCode == 0, train.ToString());
        // Three features for a two-input model, or labels 0…2 for a two-output model.
        string data = mismatch == "features" ? "csv:" + folder.File("three.csv") : "blobs";
        File.WriteAllText(folder.File("three.csv"), "0.1,0.2,0.3,0\n0.4,0.5,0.6,1\n");

        foreach (var args in new[] { new[] { "--example", "0" }, ["--example", "0-1"] })
        {
            var run = BackpropProcess.Run(folder.Path, ["explain", "--model", model, "--data", data, "--weight", "1:0:0", .. args]);
            Assert.Equal(2, run.ExitCode);
            var line = Assert.Single(run.ErrorLines);
            Assert.DoesNotContain("--layers", line);
            Assert.Contains(mismatch == "features" ? "the model m.safetensors takes 2 inputs" : "the model m.safetensors predicts only 0…1", line);
        }
    }

    [Fact]
    public void Top_level_help_shows_explain_descend_and_graph()
    {
        var run = BackpropProcess.Run(Here, "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        string examples = run.Output[..run.Output.IndexOf("OPTIONS:", StringComparison.Ordinal)];
        Assert.Contains("backprop explain", examples);
        Assert.Contains("backprop descend --function x1^2+x2^2", examples);
        Assert.Contains("backprop graph", examples);
        Assert.Contains("backprop train", examples);
    }

    [Fact]
    public void Counts_of_one_are_singular_in_the_cost_of_derivatives()
    {
        var run = BackpropProcess.Run(Here, "explain", "--cost-of-derivatives", "--layers", "1,1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("How it grows with depth: 1 input, hidden layers of 10, 1 output", Line(run, "How it grows with depth"));
        Assert.DoesNotContain("1 inputs", run.Output);
    }
}

/// <summary>Issue 11, one notation: numbers, minus signs and layer names the same in every command.</summary>
public class OneNotationTests
{
    static readonly string Here = Path.GetTempPath();

    [Fact]
    public void Gradcheck_writes_exponents_short_and_never_in_dotnets_E_form()
    {
        var run = BackpropProcess.Run(Here, "gradcheck", "--layers", "3,4,2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("E-0", run.Output);
        Assert.DoesNotContain("E+0", run.Output);
        Assert.Contains("central differences h = 1e-5", run.Output);
        Assert.Matches(@"max relative error \d(\.\d+)?e-\d+ < 1e-6: backpropagation agrees", run.Output);
    }

    [Fact]
    public void Graph_labels_write_negative_numbers_with_the_same_minus_as_the_text()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "graph");

        Assert.True(run.ExitCode == 0, run.ToString());
        string svg = File.ReadAllText(folder.File("graph.svg"));
        Assert.Contains("data -0.4<", svg); // w2 = -0.4, as typed in --w 0.8,-0.4
        Assert.DoesNotContain("−0.4", svg);
    }

    [Fact]
    public void The_chain_names_its_last_activation_a2_as_the_rows_do()
    {
        var run = BackpropProcess.Run(Here, "explain");

        Assert.Contains("C = (a2 − y)²", run.OutputLines[1]);
        Assert.DoesNotContain("a_2", run.Output);
    }
}
