using Backprop.Autodiff;
using Backprop.Descent;
using Backprop.Tests.Autodiff;

namespace Backprop.Tests.Descent;

public class GradientDescentTests
{
    [Theory]
    [InlineData(0.1, 20)]
    [InlineData(0.3, 15)]
    [InlineData(0.45, 40)]
    public void Steps_on_the_sum_of_squares_follow_the_closed_form(double alpha, int steps)
    {
        // f = x1² + x2², ∇f = 2x, so x_(t+1) = x_t − 2αx_t = (1 − 2α) x_t and x_t = (1 − 2α)ᵗ x_0.
        var result = GradientDescent.Run(Expression.Parse("x1^2 + x2^2"), [3.0, 4.0], alpha, steps);

        Assert.False(result.Diverged);
        Assert.Equal(steps + 1, result.Steps.Count);
        for (int t = 0; t <= steps; t++)
        {
            var step = result.Steps[t];
            Assert.Equal(t, step.Step);
            double factor = Math.Pow(1 - 2 * alpha, t);
            double x1 = factor * 3, x2 = factor * 4;
            Numeric.Close(x1, step.Point[0], 1e-12, $"x1 at step {t}");
            Numeric.Close(x2, step.Point[1], 1e-12, $"x2 at step {t}");
            Numeric.Close(x1 * x1 + x2 * x2, step.Value, 1e-12, $"f at step {t}");
            Numeric.Close(2 * x1, step.Gradient[0], 1e-12, $"∂f/∂x1 at step {t}");
            Numeric.Close(2 * x2, step.Gradient[1], 1e-12, $"∂f/∂x2 at step {t}");
        }
    }

    [Fact]
    public void The_seeds_example_reaches_the_printed_point_at_step_3()
    {
        var step = GradientDescent.Run(Expression.Parse("x1^2 + x2^2"), [3.0, 4.0], 0.1, 20).Steps[3];

        Numeric.Close(1.536, step.Point[0], 1e-12, "x1");
        Numeric.Close(2.048, step.Point[1], 1e-12, "x2");
        Numeric.Close(3.072, step.Gradient[0], 1e-12, "∂f/∂x1");
        Numeric.Close(4.096, step.Gradient[1], 1e-12, "∂f/∂x2");
    }

    [Fact]
    public void A_shifted_and_stretched_bowl_follows_its_own_closed_form_per_coordinate()
    {
        // f = (x1 − 1)² + 10 (x2 + 2)²: each coordinate contracts towards its minimum by its own factor,
        // x1_t = 1 + (1 − 2α)ᵗ (x1_0 − 1), x2_t = −2 + (1 − 20α)ᵗ (x2_0 + 2).
        const double alpha = 0.04;
        var result = GradientDescent.Run(Expression.Parse("(x1 - 1)^2 + 10*(x2 + 2)^2"), [4.0, 1.0], alpha, 30);

        foreach (var step in result.Steps)
        {
            int t = step.Step;
            double x1 = 1 + Math.Pow(1 - 2 * alpha, t) * 3, x2 = -2 + Math.Pow(1 - 20 * alpha, t) * 3;
            Numeric.Close(x1, step.Point[0], 1e-12, $"x1 at step {t}");
            Numeric.Close(x2, step.Point[1], 1e-12, $"x2 at step {t}");
        }
    }

    [Fact]
    public void Every_step_subtracts_alpha_times_the_analytic_gradient()
    {
        // f = e^x1 + x1·x2 + sin x2: ∂f/∂x1 = e^x1 + x2, ∂f/∂x2 = x1 + cos x2 (worked by hand).
        const double alpha = 0.05;
        var result = GradientDescent.Run(Expression.Parse("exp(x1) + x1*x2 + sin(x2)"), [0.5, -1.0], alpha, 25);

        Assert.Equal(26, result.Steps.Count);
        for (int t = 0; t < result.Steps.Count; t++)
        {
            var (x1, x2) = (result.Steps[t].Point[0], result.Steps[t].Point[1]);
            double d1 = Math.Exp(x1) + x2, d2 = x1 + Math.Cos(x2);
            Numeric.Close(Math.Exp(x1) + x1 * x2 + Math.Sin(x2), result.Steps[t].Value, 1e-14, $"f at step {t}");
            Numeric.Close(d1, result.Steps[t].Gradient[0], 1e-14, $"∂f/∂x1 at step {t}");
            Numeric.Close(d2, result.Steps[t].Gradient[1], 1e-14, $"∂f/∂x2 at step {t}");
            if (t + 1 < result.Steps.Count)
            {
                Numeric.Close(x1 - alpha * d1, result.Steps[t + 1].Point[0], 1e-14, $"x1 at step {t + 1}");
                Numeric.Close(x2 - alpha * d2, result.Steps[t + 1].Point[1], 1e-14, $"x2 at step {t + 1}");
            }
        }
    }

    [Fact]
    public void A_learning_rate_too_large_diverges_and_stops_at_the_first_non_finite_step()
    {
        // α = 1.5 on x1²: x_(t+1) = −2 x_t, so |x_t| = 2ᵗ and x_t² overflows once 2^(2t) passes 1.8e308, at t = 512.
        var result = GradientDescent.Run(Expression.Parse("x1^2"), [1.0], 1.5, 2000);

        Assert.True(result.Diverged);
        Assert.Equal(512, result.Last.Step);
        Assert.False(result.Last.IsFinite);
        Assert.All(result.Steps.Take(result.Steps.Count - 1), step => Assert.True(step.IsFinite, $"step {step.Step} is not finite"));
        Numeric.Close(Math.Pow(2, 511), Math.Abs(result.Steps[511].Point[0]), 1e-12, "|x| at step 511");
    }

    [Fact]
    public void A_start_outside_the_domain_is_reported_at_step_0()
    {
        var result = GradientDescent.Run(Expression.Parse("ln(x1)"), [-1.0], 0.1, 10);

        Assert.True(result.Diverged);
        Assert.Equal(0, Assert.Single(result.Steps).Step);
    }

    [Fact]
    public void A_start_with_the_wrong_number_of_coordinates_names_both_counts()
    {
        var error = Assert.Throws<BackpropException>(() => GradientDescent.Run(Expression.Parse("x1^2 + x2^2"), [1.0, 2.0, 3.0], 0.1, 5));

        Assert.Contains("3 number(s)", error.Message);
        Assert.Contains("2 variable(s)", error.Message);
    }

    [Theory]
    [InlineData(0.0, 5)]
    [InlineData(-0.1, 5)]
    [InlineData(double.NaN, 5)]
    [InlineData(double.PositiveInfinity, 5)]
    [InlineData(0.1, 0)]
    [InlineData(0.1, GradientDescent.MaxSteps + 1)]
    public void Impossible_settings_are_refused(double alpha, int steps)
    {
        Assert.Throws<BackpropException>(() => GradientDescent.Run(Expression.Parse("x1^2"), [1.0], alpha, steps));
    }

    [Fact]
    public void A_constant_function_has_nothing_to_descend()
    {
        var error = Assert.Throws<BackpropException>(() => GradientDescent.Run(Expression.Parse("2 + 3"), [], 0.1, 5));
        Assert.Contains("no variables", error.Message);
    }

    [Fact]
    public void The_summary_says_whether_f_fell_stayed_or_rose_and_names_the_learning_rate_as_the_reader_calls_it()
    {
        var bowl = Expression.Parse("x1^2 + x2^2");
        // α = 0.1: x_t = 0.8ᵗ (3, 4), f = 25 · 0.64²⁰ = 0.003323 after 20 steps.
        Assert.Equal("after 20 steps f fell from 25 to 0.003323 at x = (0.03459, 0.04612)",
            GradientDescent.Run(bowl, [3, 4], 0.1, 20).Summary(0.1, "--lr"));
        // α = 1: x ← −x, the same height on the other side of the valley.
        Assert.Equal("after 3 steps f stayed at 25 at x = (-3, -4): each step jumps across the valley to a point just as high; try a smaller η, like 0.5",
            GradientDescent.Run(bowl, [3, 4], 1, 3).Summary(1, "η"));
        // α = 1.1: x ← −1.2x, f = 25 · 1.44 after one step.
        Assert.Equal("after 1 step f rose from 25 to 36 at x = (-3.6, -4.8): the step is too large, each one overshoots the minimum; try a smaller η, like 0.11",
            GradientDescent.Run(bowl, [3, 4], 1.1, 1).Summary(1.1, "η"));
        // exp(x1²) from 3 with α = 0.5 overflows at once.
        var steep = GradientDescent.Run(Expression.Parse("exp(x1^2)"), [3], 0.5, 5);
        Assert.True(steep.Diverged);
        Assert.StartsWith("the descent diverged at step 1: f = ∞ at x = (", steep.Summary(0.5, "--lr"));
        Assert.EndsWith("; use a smaller --lr, like 0.05", steep.Summary(0.5, "--lr"));
        Assert.Equal("f or its gradient is not finite at the start (-1) (f = NaN); start where f is defined and smooth",
            GradientDescent.Run(Expression.Parse("ln(x1)"), [-1], 0.1, 5).Summary(0.1, "η"));
    }
}
