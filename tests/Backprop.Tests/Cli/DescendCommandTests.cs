using System.Text.Json;
using Backprop.Tests.Autodiff;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

public class DescendCommandTests
{
    [Fact]
    public void With_no_arguments_it_descends_the_seeds_bowl_and_draws_the_contours()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend");

        Assert.True(run.ExitCode == 0, run.ToString());
        var steps = run.OutputLines.Where(l => l.StartsWith("step ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(21, steps.Length);
        // Every column padded to its widest cell: step 0's short cells line up with step 20's.
        Assert.Equal("step  0  x = (3, 4)              f = 25        ∂f/∂x1 = 6        ∂f/∂x2 = 8", steps[0]);
        Assert.Equal("step  3  x = (1.536, 2.048)      f = 6.554     ∂f/∂x1 = 3.072    ∂f/∂x2 = 4.096", steps[3]);
        Assert.Contains("after 20 steps f fell from 25 to 0.003323", run.Output);
        string picture = folder.File("descend.png");
        Assert.True(File.Exists(picture), run.ToString());
        var image = PngImage.Read(picture);
        Assert.Equal((800, 700), (image.Width, image.Height));
        Assert.True(image.DistinctColours(100, 100, 700, 600) > 100, "the contour picture is nearly blank");
        Assert.Contains(run.OutputLines, l => l.StartsWith("wrote descend.png", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_gives_one_object_per_step_with_the_closed_form_points()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1^2 + x2^2", "--start", "3,4", "--lr", "0.1", "--steps", "20", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(21, run.OutputLines.Length);
        for (int t = 0; t <= 20; t++)
        {
            using var step = JsonDocument.Parse(run.OutputLines[t]);
            var root = step.RootElement;
            Assert.Equal(t, root.GetProperty("step").GetInt32());
            double[] x = root.GetProperty("x").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double[] gradient = root.GetProperty("gradient").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double factor = Math.Pow(0.8, t);
            Numeric.Close(3 * factor, x[0], 1e-12, $"x1 at step {t}");
            Numeric.Close(4 * factor, x[1], 1e-12, $"x2 at step {t}");
            Numeric.Close(25 * factor * factor, root.GetProperty("value").GetDouble(), 1e-12, $"f at step {t}");
            Numeric.Close(6 * factor, gradient[0], 1e-12, $"∂f/∂x1 at step {t}");
            Numeric.Close(8 * factor, gradient[1], 1e-12, $"∂f/∂x2 at step {t}");
        }
    }

    [Fact]
    public void A_bad_expression_exits_2_naming_the_column()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1^2 + * x2", "--start", "1,1");

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.Contains("at column 8", run.Error);
        Assert.False(File.Exists(folder.File("descend.png")));
    }

    [Fact]
    public void A_start_of_the_wrong_length_names_both_counts()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1^2 + x2^2", "--start", "1,2,3");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--start has 3 number(s) but the function uses 2 variable(s)", run.Error);
    }

    [Theory]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "-0.5")]
    [InlineData("--steps", "0")]
    [InlineData("--steps", "100001")]
    [InlineData("--start", "3,four")]
    public void Impossible_settings_exit_2(string option, string value)
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(option, run.Error);
    }

    [Fact]
    public void Divergence_stops_with_advice_to_lower_the_learning_rate()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1^2", "--start", "1", "--lr", "1.5", "--steps", "1000");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("diverged at step 512", run.Error);
        Assert.Contains("smaller --lr", run.Error);
        Assert.Equal(512, run.OutputLines.Count(l => l.StartsWith("step ", StringComparison.Ordinal)));
        Assert.False(File.Exists(folder.File("descend.png")));
    }

    [Fact]
    public void One_variable_draws_the_curve_and_three_variables_draw_f_against_the_step()
    {
        using var folder = new TempDirectory();
        var one = BackpropProcess.Run(folder.Path, "descend", "--function", "(x1 - 2)^2 + sin(3*x1)", "--start", "-1", "--lr", "0.05", "--out", "one.png");
        var three = BackpropProcess.Run(folder.Path, "descend", "--function", "x1^2 + x2^2 + x3^2", "--start", "1,2,3", "--out", "three.png");

        Assert.True(one.ExitCode == 0, one.ToString());
        var image = PngImage.Read(folder.File("one.png"));
        Assert.Equal((800, 700), (image.Width, image.Height));
        Assert.True(three.ExitCode == 0, three.ToString());
        Assert.Contains("wrote three.png (f at every step)", three.Output);
        var plot = PngImage.Read(folder.File("three.png"));
        Assert.Equal((800, 700), (plot.Width, plot.Height));
        Assert.True(plot.DistinctColours(100, 100, 700, 600) > 5, "the value-per-step plot is blank");
    }

    [Fact]
    public void Typographic_operators_read_as_their_ascii_twins()
    {
        using var folder = new TempDirectory();
        var run = BackpropProcess.Run(folder.Path, "descend", "--function", "x1×x1 − x2÷2", "--start", "1,1", "--steps", "1", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var step = JsonDocument.Parse(run.OutputLines[0]);
        var gradient = step.RootElement.GetProperty("gradient").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal([2.0, -0.5], gradient);
        Assert.Equal(0.5, step.RootElement.GetProperty("value").GetDouble());
    }
}
