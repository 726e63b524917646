using Backprop.Autodiff;

namespace Backprop.Tests.Autodiff;

public class ExpressionTests
{
    [Theory]
    [InlineData("2^3^2", 512.0)]          // right-associative: 2^(3^2)
    [InlineData("(2^3)^2", 64.0)]
    [InlineData("-2^2", -4.0)]            // power binds tighter than unary minus
    [InlineData("(-2)^2", 4.0)]
    [InlineData("1 - 2 - 3", -4.0)]       // left-associative
    [InlineData("1 - (2 - 3)", 2.0)]
    [InlineData("8 / 4 / 2", 1.0)]
    [InlineData("8 / (4 / 2)", 4.0)]
    [InlineData("2 + 3 * 4", 14.0)]
    [InlineData("(2 + 3) * 4", 20.0)]
    [InlineData("2 * 3^2", 18.0)]
    [InlineData("2^-1", 0.5)]
    [InlineData("2.5e2 + .5", 250.5)]
    [InlineData("4E-1 * 10", 4.0)]
    [InlineData("ln(exp(2))", 2.0)]
    [InlineData("log(1)", 0.0)]
    [InlineData("sqrt(16) + sqrt(0.25)", 4.5)]
    [InlineData("sigmoid(0)", 0.5)]
    [InlineData("relu(-3) + relu(2)", 2.0)]
    [InlineData("tanh(0) + sin(0) + cos(0)", 1.0)]
    [InlineData("--3", 3.0)]
    public void Constant_expressions_follow_precedence_and_associativity(string text, double expected)
    {
        Expression expression = Parse(text);
        Assert.Equal(0, expression.VariableCount);
        Numeric.Close(expected, expression.Evaluate([]), 1e-15, text);
    }

    [Theory]
    [InlineData("-x1^2", new[] { 3.0 }, -9.0)]
    [InlineData("(-x1)^2", new[] { 3.0 }, 9.0)]
    [InlineData("x1^-1", new[] { 4.0 }, 0.25)]
    [InlineData("2^-x1^2", new[] { 2.0 }, 0.0625)]   // 2^(-(x1^2))
    [InlineData("-x1 * x2", new[] { 3.0, 5.0 }, -15.0)]
    [InlineData("x1 - -x2", new[] { 3.0, 5.0 }, 8.0)]
    [InlineData("x1 / x2 * x3", new[] { 6.0, 3.0, 4.0 }, 8.0)]
    [InlineData("x1 - x2 + x3", new[] { 1.0, 2.0, 3.0 }, 2.0)]
    [InlineData("x1^x2^x3", new[] { 2.0, 3.0, 2.0 }, 512.0)]
    [InlineData("x2 * (x1 + 1)", new[] { 1.5, -2.0 }, -5.0)]
    public void Expressions_with_variables_evaluate_with_math_precedence(string text, double[] x, double expected)
    {
        Numeric.Close(expected, Parse(text).Evaluate(x), 1e-15, text);
    }

    [Theory]
    [InlineData("x1 + x3", 3)]
    [InlineData("x12", 12)]
    [InlineData("7", 0)]
    [InlineData("x2 * x1", 2)]
    public void Variable_count_is_the_highest_index_used(string text, int expected)
    {
        Assert.Equal(expected, Parse(text).VariableCount);
    }

    [Theory]
    [InlineData(1.0, 2.0)]
    [InlineData(-3.0, 0.5)]
    [InlineData(0.0, 0.0)]
    [InlineData(1e3, -7.25)]
    public void Gradient_of_the_sum_of_squares_is_twice_the_point(double x1, double x2)
    {
        Expression f = Parse("x1^2 + x2^2");
        double[] gradient = f.Gradient([x1, x2]);
        Numeric.Close(2 * x1, gradient[0], 1e-15, $"df/dx1 at ({x1}, {x2})");
        Numeric.Close(2 * x2, gradient[1], 1e-15, $"df/dx2 at ({x1}, {x2})");
        Numeric.Close(x1 * x1 + x2 * x2, f.Evaluate([x1, x2]), 1e-15, $"f({x1}, {x2})");

        // The same through Build and Backward by hand.
        var v1 = new Value(x1);
        var v2 = new Value(x2);
        f.Build([v1, v2]).Backward();
        Numeric.Same(gradient[0], v1.Gradient, "Build path, x1");
        Numeric.Same(gradient[1], v2.Gradient, "Build path, x2");
    }

    [Fact]
    public void Typographic_minus_times_and_divide_read_as_their_ascii_forms()
    {
        // As a formula is copied from a page: − × ÷ · for - * / *; a parse error's column still points into the text.
        Expression typographic = Parse("x1 × x2 − 3 ÷ x1 + 2·x2");
        Assert.Equal(2.0 * 5.0 - 3.0 / 2.0 + 2.0 * 5.0, typographic.Evaluate([2.0, 5.0]));
        var e = Assert.Throws<BackpropException>(() => Parse("x1 × × x2"));
        Assert.Contains("column 6", e.Message);
    }

    [Fact]
    public void Gradient_of_a_compound_expression_matches_central_differences()
    {
        Expression f = Parse("sigmoid(x1 * x2) + ln(x3) * sin(x1) - x2^x3 / sqrt(x3) + tanh(x1 - x2)^2 + exp(-x1) * cos(x2) + relu(x3 - 1)");
        double[] point = [0.7, 1.3, 2.2];
        double[] gradient = f.Gradient(point);
        for (int i = 0; i < point.Length; i++)
        {
            double numeric = Numeric.CentralDifference(t =>
            {
                double[] shifted = (double[])point.Clone();
                shifted[i] = t;
                return f.Evaluate(shifted);
            }, point[i]);
            Numeric.Close(numeric, gradient[i], 1e-6, $"df/dx{i + 1} vs central difference");
        }
    }

    [Fact]
    public void Evaluate_and_the_built_graph_agree_exactly()
    {
        Expression f = Parse("sigmoid(x1) * x2^3 - ln(x2) / (1 + x1^2) + relu(x1 - x2)");
        foreach (double[] x in new[] { new[] { 0.3, 1.7 }, [-2.0, 0.25], [5.0, 4.0] })
            Numeric.Same(f.Evaluate(x), f.Build([new Value(x[0]), new Value(x[1])]).Data, $"at ({x[0]}, {x[1]})");
    }

    [Fact]
    public void A_constant_exponent_is_part_of_the_operation_and_a_variable_exponent_is_an_input()
    {
        var x = new Value(-2);
        var y = new Value(3);
        Value square = Parse("x1^2").Build([x]);
        Assert.Equal("^2", square.Operation);
        Assert.Same(x, Assert.Single(square.Children));

        Value inverseRoot = Parse("x1^(-1/2)").Build([y]);
        Assert.Equal("^-0.5", inverseRoot.Operation);

        Value power = Parse("x2^x1").Build([x, y]);
        Assert.Equal("^", power.Operation);
        Assert.Equal(new[] { y, x }, power.Children);
    }

    [Theory]
    [InlineData("x1^2+x2^2", "x1^2 + x2^2")]
    [InlineData("  -  x1 ^ 2 ", "-x1^2")]
    [InlineData("(-x1)^2", "(-x1)^2")]
    [InlineData("(x1^2)^3", "(x1^2)^3")]
    [InlineData("x1^2^3", "x1^2^3")]
    [InlineData("x1^(2^3)", "x1^2^3")]
    [InlineData("x1 - (x2 - x3)", "x1 - (x2 - x3)")]
    [InlineData("(x1 - x2) - x3", "x1 - x2 - x3")]
    [InlineData("x1 + (x2 + x3)", "x1 + (x2 + x3)")]
    [InlineData("x1/(x2*x3)", "x1 / (x2 * x3)")]
    [InlineData("(x1*x2)/x3", "x1 * x2 / x3")]
    [InlineData("--x1", "-(-x1)")]
    [InlineData("-(x1+x2)", "-(x1 + x2)")]
    [InlineData("log(x1)", "ln(x1)")]
    [InlineData("x1^(x2+1)", "x1^(x2 + 1)")]
    [InlineData("x1^-2", "x1^-2")]
    [InlineData("x1^(-x2*2)", "x1^(-x2 * 2)")]
    [InlineData("2*(x1+1)", "2 * (x1 + 1)")]
    [InlineData("1e-3*x1", "0.001 * x1")]
    [InlineData("1e-7", "1E-07")]
    [InlineData("x1*-x2", "x1 * -x2")]
    [InlineData("((sigmoid((x1))))", "sigmoid(x1)")]
    public void ToString_prints_the_canonical_form_which_parses_back_to_itself(string text, string canonical)
    {
        Expression expression = Parse(text);
        Assert.Equal(canonical, expression.ToString());
        Expression again = Parse(canonical);
        Assert.Equal(canonical, again.ToString());
        double[] x = [0.7, 1.9, 2.6];
        Numeric.Same(expression.Evaluate(x), again.Evaluate(x), $"'{text}' and '{canonical}' at (0.7, 1.9, 2.6)");
    }

    [Theory]
    [InlineData("x1^2 + * x2", 8, "expected a number, variable, function or '(', found '*'")]
    [InlineData("(x1 + 2", 8, "expected ')' to close the '(' at column 1, found the end of the expression")]
    [InlineData("((x1)", 6, "expected ')' to close the '(' at column 1, found the end of the expression")]
    [InlineData("sin(x1", 7, "expected ')' to close the '(' at column 4, found the end of the expression")]
    [InlineData("x1 + 2)", 7, "')' has no matching '('")]
    [InlineData("foo(x1)", 1, "unknown function 'foo'")]
    [InlineData("x", 1, "unknown name 'x'; variables are x1, x2, x3")]
    [InlineData("2 * x0", 5, "unknown name 'x0'")]
    [InlineData("y + 1", 1, "unknown name 'y'")]
    [InlineData("2x1", 2, "expected an operator or the end of the expression, found 'x1'; multiplication must be written with '*'")]
    [InlineData("2 (x1)", 3, "found '('; multiplication must be written with '*'")]
    [InlineData("x1 x2", 4, "found 'x2'")]
    [InlineData("x1 # 2", 4, "unexpected character '#'")]
    [InlineData("exp x1", 5, "expected '(' after the function 'exp', found 'x1'")]
    [InlineData("sqrt", 5, "expected '(' after the function 'sqrt', found the end of the expression")]
    [InlineData("", 1, "expected a number, variable, function or '(', found the end of the expression")]
    [InlineData("3 +", 4, "found the end of the expression")]
    [InlineData("x1 ** 2", 5, "found '*'")]
    [InlineData("()", 2, "found ')'")]
    [InlineData("1e999 * x1", 1, "the number 1e999 is too large")]
    [InlineData("x1 + 2,5", 7, "unexpected character ','")]
    public void Errors_name_the_problem_and_point_at_the_column(string text, int column, string problem)
    {
        var error = Assert.Throws<BackpropException>(() => Expression.Parse(text));
        string prefix = $"bad expression \"{text}\" at column {column}: ";
        Assert.StartsWith(prefix, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_error_message_for_a_misplaced_operator_is_exactly_as_documented()
    {
        var error = Assert.Throws<BackpropException>(() => Expression.Parse("x1^2 + * x2"));
        Assert.Equal("bad expression \"x1^2 + * x2\" at column 8: expected a number, variable, function or '(', found '*'", error.Message);
    }

    [Fact]
    public void An_error_in_multi_line_text_stays_on_one_line_with_columns_intact()
    {
        var error = Assert.Throws<BackpropException>(() => Expression.Parse("x1\n+ * 2"));
        Assert.Equal("bad expression \"x1 + * 2\" at column 6: expected a number, variable, function or '(', found '*'", error.Message);
    }

    [Fact]
    public void Too_few_variable_values_are_reported()
    {
        Expression f = Parse("x1 + x3");
        var evaluate = Assert.Throws<BackpropException>(() => f.Evaluate([1.0, 2.0]));
        Assert.Equal("the expression uses x3 but only 2 variable value(s) were given; pass at least 3", evaluate.Message);
        Assert.Throws<BackpropException>(() => f.Build([new Value(1), new Value(2)]));
        Numeric.Same(4, f.Evaluate([1.0, 2.0, 3.0, 99.0]), "extra values are ignored");
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string parentheses = new string('(', 100_000) + "x1" + new string(')', 100_000);
        var nested = Assert.Throws<BackpropException>(() => Expression.Parse(parentheses));
        Assert.Contains($"nests more than {Expression.MaxDepth} levels deep", nested.Message);

        string longSum = "x1" + string.Concat(Enumerable.Repeat(" + x1", Expression.MaxDepth + 10));
        var deep = Assert.Throws<BackpropException>(() => Expression.Parse(longSum));
        Assert.Contains($"nests more than {Expression.MaxDepth} operations deep", deep.Message);

        string allowed = "x1" + string.Concat(Enumerable.Repeat(" + x1", 400));
        Numeric.Same(401 * 0.5, Parse(allowed).Evaluate([0.5]), "a 401-term sum");
    }

    static Expression Parse(string text) => Expression.Parse(text);
}
