using System.Globalization;
using System.Text.Json;
using Backprop.Activations;
using Backprop.Checking;
using Backprop.Costs;
using Backprop.Layers;
using Backprop.Tests.Autodiff;

namespace Backprop.Tests.Cli;

/// <summary>Issue 11: gradcheck shows its numbers side by side, and what a wrong derivative looks like to it.</summary>
public class GradientCheckVerboseTests
{
    static readonly string Here = Path.GetTempPath();

    [Fact]
    public void Verbose_lists_every_parameter_with_both_derivatives_side_by_side()
    {
        var run = BackpropProcess.Run(Here, "gradcheck", "--layers", "2,2,2", "--verbose");
        Assert.True(run.ExitCode == 0, run.ToString());

        // The library's own check of the same seeded network, parameter by parameter.
        var architecture = new Architecture([2, 2, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
        var details = new List<ParameterCheck>();
        GradientCheck.Random(architecture, 1, 4, details);
        Assert.Equal(12, details.Count);
        foreach (var d in details)
        {
            var line = run.OutputLines.Single(l => l.TrimStart().StartsWith(d.Name + " ", StringComparison.Ordinal));
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Numeric.Close(d.Backpropagation, double.Parse(cells[1], CultureInfo.InvariantCulture), 1e-9, d.Name + " backpropagation");
            Numeric.Close(d.Numeric, double.Parse(cells[2], CultureInfo.InvariantCulture), 1e-9, d.Name + " finite difference");
            Assert.True(d.RelativeError < 1e-6, $"{d.Name}: {d.RelativeError}");
        }
        Assert.Contains("W1[1,0]", run.Output);
        Assert.Contains("b2[1]", run.Output);
    }

    [Fact]
    public void Verbose_json_gives_one_line_per_parameter_before_the_summary()
    {
        var run = BackpropProcess.Run(Here, "gradcheck", "--layers", "2,2,2", "--verbose", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(13, run.OutputLines.Length);
        using var first = JsonDocument.Parse(run.OutputLines[0]);
        Assert.Equal("W1[0,0]", first.RootElement.GetProperty("parameter").GetString());
        Numeric.Close(first.RootElement.GetProperty("backpropagation").GetDouble(), first.RootElement.GetProperty("finite_difference").GetDouble(), 1e-8, "W1[0,0]");
        using var last = JsonDocument.Parse(run.OutputLines[^1]);
        Assert.True(last.RootElement.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void Break_makes_the_layers_below_the_wrong_derivative_fail_by_exactly_one_eleventh()
    {
        var run = BackpropProcess.Run(Here, "gradcheck", "--layers", "2,2,2", "--break", "tanh", "--verbose");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("DISAGREEMENT", run.Output);
        Assert.Contains("--break tanh: backpropagation uses tanh′ × 1.1", run.Output);
        // Every layer-1 derivative is 1.1 times the true one: relative error 0.1/1.1 = 0.0909; layer 2 never uses φ′ of layer 1.
        var layer1 = run.OutputLines.Where(l => l.TrimStart().StartsWith("W1[", StringComparison.Ordinal) || l.TrimStart().StartsWith("b1[", StringComparison.Ordinal)).ToArray();
        Assert.Equal(6, layer1.Length);
        foreach (var line in layer1)
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double bp = double.Parse(cells[1], CultureInfo.InvariantCulture), fd = double.Parse(cells[2], CultureInfo.InvariantCulture);
            Numeric.Close(1.1 * fd, bp, 1e-8, cells[0] + " = 1.1 × the finite difference");
            Assert.EndsWith("0.0909  ✗", line);
        }
        Assert.Contains("layer 2: max relative error ∂C/∂W 8.68e-11", run.Output);
    }

    [Theory]
    [InlineData("relu", "no hidden layer of 4,5,3 uses relu (they use tanh)")]
    [InlineData("softmax", "softmax has no element-wise φ′ to break")]
    [InlineData("swish", "unknown activation")]
    public void Break_of_an_activation_the_network_does_not_have_exits_2(string name, string expected)
    {
        var run = BackpropProcess.Run(Here, "gradcheck", "--break", name);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, Assert.Single(run.ErrorLines));
    }
}
