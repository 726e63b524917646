using Backprop.Autodiff;

namespace Backprop.Tests.Autodiff;

public class ValueTests
{
    const double Exact = 1e-14;
    const double FiniteDifference = 1e-6;

    sealed record Unary(string Operation, Func<Value, Value> Apply, Func<double, double> F, Func<double, double> Derivative, double[] Points);

    // Each derivative is written in a different form from the engine's local rule (e.g. σ′ = e⁻ˣ/(1+e⁻ˣ)² rather
    // than σ(1−σ)), so a shared mistake is unlikely.
    static readonly Dictionary<string, Unary> Unaries = new[]
    {
        new Unary("neg", v => -v, x => -x, _ => -1, [-2.5, 0.0, 3.25]),
        new Unary("exp", v => v.Exp(), Math.Exp, Math.Exp, [-2.0, -0.3, 0.7, 3.0]),
        new Unary("ln", v => v.Log(), Math.Log, x => 1 / x, [0.2, 1.0, 4.5]),
        new Unary("sqrt", v => v.Sqrt(), Math.Sqrt, x => 0.5 * Math.Pow(x, -0.5), [0.3, 2.0, 9.0]),
        new Unary("sigmoid", v => v.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2), [-4.0, -0.5, 0.0, 1.3, 6.0]),
        new Unary("tanh", v => v.Tanh(), Math.Tanh, x => 1 / Math.Pow(Math.Cosh(x), 2), [-2.0, 0.123, 1.0]),
        new Unary("relu", v => v.Relu(), x => Math.Max(0, x), x => x > 0 ? 1 : 0, [-1.5, 0.7, 3.0]),
        new Unary("leaky-relu", v => v.LeakyRelu(), x => x > 0 ? x : 0.01 * x, x => x > 0 ? 1 : 0.01, [-1.5, 0.7, 3.0]),
        new Unary("sin", v => v.Sin(), Math.Sin, Math.Cos, [-2.0, 0.4, 3.0]),
        new Unary("cos", v => v.Cos(), Math.Cos, x => -Math.Sin(x), [-2.0, 0.4, 3.0]),
        new Unary("^3", v => v.Pow(3), x => x * x * x, x => 3 * x * x, [-1.7, 0.5, 2.0]),
        new Unary("^-1.5", v => v.Pow(-1.5), x => 1 / (x * Math.Sqrt(x)), x => -1.5 / (x * x * Math.Sqrt(x)), [0.4, 2.5]),
        new Unary("^0.5", v => v.Pow(0.5), Math.Sqrt, x => 1 / (2 * Math.Sqrt(x)), [0.3, 4.0]),
    }.ToDictionary(u => u.Operation);

    public static TheoryData<string> UnaryOperations => new(Unaries.Keys);

    [Theory]
    [MemberData(nameof(UnaryOperations))]
    public void Unary_operation_matches_the_math_and_central_differences(string operation)
    {
        Unary u = Unaries[operation];
        foreach (double x in u.Points)
        {
            var input = new Value(x);
            Value output = u.Apply(input);
            output.Backward();

            Assert.Equal(operation, output.Operation);
            Assert.Same(input, Assert.Single(output.Children));
            Numeric.Close(u.F(x), output.Data, Exact, $"{operation}({x}) forward");
            Numeric.Close(u.Derivative(x), input.Gradient, Exact, $"d {operation}/dx at {x}");
            Numeric.Same(input.Gradient, output.LocalDerivatives[0], $"{operation} local derivative at {x}");
            double numeric = Numeric.CentralDifference(t => u.Apply(new Value(t)).Data, x);
            Numeric.Close(numeric, input.Gradient, FiniteDifference, $"d {operation}/dx at {x} vs central difference");
        }
    }

    sealed record Binary(string Operation, Func<Value, Value, Value> Apply, Func<double, double, double> F,
        Func<double, double, double> PartialA, Func<double, double, double> PartialB);

    static readonly Dictionary<string, Binary> Binaries = new[]
    {
        new Binary("+", (a, b) => a + b, (a, b) => a + b, (_, _) => 1, (_, _) => 1),
        new Binary("-", (a, b) => a - b, (a, b) => a - b, (_, _) => 1, (_, _) => -1),
        new Binary("*", (a, b) => a * b, (a, b) => a * b, (_, b) => b, (a, _) => a),
        new Binary("/", (a, b) => a / b, (a, b) => a / b, (_, b) => 1 / b, (a, b) => -a / (b * b)),
        new Binary("^", (a, b) => a.Pow(b), Math.Pow, (a, b) => b * Math.Pow(a, b - 1), (a, b) => Math.Pow(a, b) * Math.Log(a)),
    }.ToDictionary(b => b.Operation);

    public static TheoryData<string> BinaryOperations => new(Binaries.Keys);

    [Theory]
    [MemberData(nameof(BinaryOperations))]
    public void Binary_operation_matches_the_math_and_central_differences(string operation)
    {
        Binary op = Binaries[operation];
        foreach (var (x, y) in new[] { (1.5, 2.0), (0.3, -1.25), (2.75, 0.5) })
        {
            var a = new Value(x);
            var b = new Value(y);
            Value output = op.Apply(a, b);
            output.Backward();

            Assert.Equal(operation, output.Operation);
            Assert.Equal([a, b], output.Children);
            Numeric.Close(op.F(x, y), output.Data, Exact, $"{x} {operation} {y}");
            Numeric.Close(op.PartialA(x, y), a.Gradient, Exact, $"d({x} {operation} {y})/da");
            Numeric.Close(op.PartialB(x, y), b.Gradient, Exact, $"d({x} {operation} {y})/db");
            Assert.Equal([a.Gradient, b.Gradient], output.LocalDerivatives);
            double numericA = Numeric.CentralDifference(t => op.Apply(new Value(t), new Value(y)).Data, x);
            double numericB = Numeric.CentralDifference(t => op.Apply(new Value(x), new Value(t)).Data, y);
            Numeric.Close(numericA, a.Gradient, FiniteDifference, $"d({x} {operation} {y})/da vs central difference");
            Numeric.Close(numericB, b.Gradient, FiniteDifference, $"d({x} {operation} {y})/db vs central difference");
        }
    }

    [Fact]
    public void Operators_with_a_double_on_either_side_treat_it_as_a_constant_leaf()
    {
        const double c = 2.5, x = -1.6;
        var cases = new (string Name, Func<Value, Value> Apply, double Expected, double Derivative)[]
        {
            ("a + c", a => a + c, x + c, 1),
            ("c + a", a => c + a, c + x, 1),
            ("a - c", a => a - c, x - c, 1),
            ("c - a", a => c - a, c - x, -1),
            ("a * c", a => a * c, x * c, c),
            ("c * a", a => c * a, c * x, c),
            ("a / c", a => a / c, x / c, 1 / c),
            ("c / a", a => c / a, c / x, -c / (x * x)),
        };
        foreach (var (name, apply, expected, derivative) in cases)
        {
            var a = new Value(x);
            Value output = apply(a);
            output.Backward();
            Numeric.Close(expected, output.Data, Exact, name);
            Numeric.Close(derivative, a.Gradient, Exact, $"d({name})/da");
            Value constant = output.Children.Single(child => !ReferenceEquals(child, a));
            Assert.True(constant.IsLeaf, $"{name}: the constant should be a leaf");
            Numeric.Same(c, constant.Data, $"{name}: the constant leaf");
        }
    }

    [Fact]
    public void Each_node_records_its_inputs_and_local_derivatives_side_by_side()
    {
        var a = new Value(3, "a");
        var b = new Value(-2, "b");

        Value product = a * b;
        Assert.Equal("*", product.Operation);
        Assert.Equal([a, b], product.Children);
        Assert.Equal([-2.0, 3.0], product.LocalDerivatives);

        Value quotient = a / b;
        Assert.Equal([-0.5, -0.75], quotient.LocalDerivatives); // 1/b and −a/b²

        Value square = b.Pow(2);
        Assert.Equal("^2", square.Operation);
        Assert.Equal([-4.0], square.LocalDerivatives);

        Assert.Equal("", a.Operation);
        Assert.True(a.IsLeaf);
        Assert.Empty(a.Children);
        Assert.Empty(a.LocalDerivatives);
        Assert.Equal("a", a.Label);
    }

    [Fact]
    public void Sum_adds_its_terms_with_local_derivative_one_each()
    {
        var terms = new[] { new Value(1.5), new Value(-4), new Value(0.25) };
        Value sum = Value.Sum(terms);
        sum.Backward();
        Numeric.Same(-2.25, sum.Data, "sum");
        Assert.Equal([1.0, 1.0, 1.0], sum.LocalDerivatives);
        Assert.All(terms, t => Numeric.Same(1, t.Gradient, "d sum / d term"));
        Assert.Throws<ArgumentException>(() => Value.Sum([]));
    }

    [Fact]
    public void Pow_with_a_value_exponent_at_base_zero_uses_the_limit_for_the_exponent_derivative()
    {
        var a = new Value(0);
        var b = new Value(2.5);
        Value output = a.Pow(b);
        output.Backward();
        Numeric.Same(0, output.Data, "0^2.5");
        Numeric.Same(0, a.Gradient, "d(a^b)/da at a = 0, b = 2.5");
        Numeric.Same(0, b.Gradient, "d(a^b)/db at a = 0 (limit of a^b ln a)");
    }

    [Theory]
    [InlineData(1000.0, 1.0)]
    [InlineData(-1000.0, 0.0)]
    [InlineData(750.0, 1.0)]
    [InlineData(-750.0, 0.0)]   // e⁷⁵⁰ overflows: a derivative written e⁻ˣ/(1 + e⁻ˣ)² would be ∞/∞ = NaN
    public void Sigmoid_saturates_without_NaN_for_large_inputs(double x, double expected)
    {
        var input = new Value(x);
        Value output = input.Sigmoid();
        output.Backward();
        Numeric.Same(expected, output.Data, $"sigmoid({x})");
        Numeric.Same(0, input.Gradient, $"sigmoid'({x})");
    }

    [Fact]
    public void Sigmoid_is_accurate_for_moderately_negative_inputs()
    {
        // e⁻³⁰/(1 + e⁻³⁰): the naive 1/(1 + e³⁰) is also fine here, so both must agree to rounding.
        Value output = new Value(-30).Sigmoid();
        Numeric.Close(1 / (1 + Math.Exp(30)), output.Data, 1e-15, "sigmoid(-30)");
        Assert.True(output.Data > 0, "sigmoid(-30) underflowed to 0");
    }

    // ---- micrograd's test_engine.py; expected numbers printed by PyTorch 2 in float64 ----

    [Fact]
    public void Micrograd_sanity_check_matches_pytorch()
    {
        var x = new Value(-4.0);
        Value z = 2 * x + 2 + x;
        Value q = z.Relu() + z * x;
        Value h = (z * z).Relu();
        Value y = h + q + q * x;
        y.Backward();

        Numeric.Same(-20.0, y.Data, "y");
        Numeric.Same(46.0, x.Gradient, "dy/dx");
    }

    [Fact]
    public void Micrograd_more_ops_matches_pytorch()
    {
        var a = new Value(-4.0);
        var b = new Value(2.0);
        Value c = a + b;
        Value d = a * b + b.Pow(3);
        c += c + 1;
        c += 1 + c + (-a);
        d += d * 2 + (b + a).Relu();
        d += 3 * d + (b - a).Relu();
        Value e = c - d;
        Value f = e.Pow(2);
        Value g = f / 2.0;
        g += 10.0 / f;
        g.Backward();

        Numeric.Close(24.70408163265306, g.Data, 1e-12, "g");
        Numeric.Close(138.83381924198252, a.Gradient, 1e-12, "dg/da");
        Numeric.Close(645.5772594752186, b.Gradient, 1e-12, "dg/db");
    }

    [Theory]
    [InlineData(-1.0, -0.7615941559557649, 0.41997434161402614)]
    [InlineData(0.123, 0.12238344189440876, 0.9850222931500778)]
    [InlineData(2.0, 0.9640275800758169, 0.07065082485316443)]
    public void Micrograd_tanh_matches_pytorch(double x, double value, double gradient)
    {
        var input = new Value(x);
        Value output = input.Tanh();
        output.Backward();
        Numeric.Close(value, output.Data, 1e-12, $"tanh({x})");
        Numeric.Close(gradient, input.Gradient, 1e-12, $"tanh'({x})");
    }

    [Theory]
    [InlineData(-1.0, 0.36787944117144233)]
    [InlineData(0.123, 1.1308844209474893)]
    [InlineData(2.0, 7.38905609893065)]
    public void Micrograd_exp_matches_pytorch(double x, double value)
    {
        var input = new Value(x);
        Value output = input.Exp();
        output.Backward();
        Numeric.Close(value, output.Data, 1e-12, $"exp({x})");
        Numeric.Close(value, input.Gradient, 1e-12, $"exp'({x})");
    }

    // ---- the seeds ----

    [Fact]
    public void Seed_cost_of_activation_0_66_against_target_1()
    {
        var a = new Value(0.66, "a");
        Value cost = (a - 1).Pow(2);
        cost.Backward();
        Numeric.Close(0.1156, cost.Data, 1e-12, "C0 = (0.66 - 1)^2");
        Numeric.Close(-0.68, a.Gradient, 1e-12, "dC0/da = 2(0.66 - 1)");
    }

    [Theory]
    [InlineData(1.5, 0.8, -1.2, 1.0)]
    [InlineData(-0.4, 2.1, 0.7, 0.0)]
    public void Seed_two_weight_chain_matches_the_hand_expanded_chain_rule(double x, double w1Value, double w2Value, double y)
    {
        var w1 = new Value(w1Value, "w1");
        var w2 = new Value(w2Value, "w2");
        var input = new Value(x, "x");
        Value a1 = (w1 * input).Sigmoid();
        Value a2 = (w2 * a1).Sigmoid();
        Value cost = (a2 - y).Pow(2);
        cost.Backward();

        static double Sigma(double z) => 1 / (1 + Math.Exp(-z));
        static double SigmaPrime(double z) => Sigma(z) * (1 - Sigma(z));
        double z1 = w1Value * x, s1 = Sigma(z1);
        double z2 = w2Value * s1, s2 = Sigma(z2);
        double dw2 = 2 * (s2 - y) * SigmaPrime(z2) * s1;
        double dw1 = 2 * (s2 - y) * SigmaPrime(z2) * w2Value * SigmaPrime(z1) * x;
        double dx = 2 * (s2 - y) * SigmaPrime(z2) * w2Value * SigmaPrime(z1) * w1Value;

        Numeric.Close((s2 - y) * (s2 - y), cost.Data, 1e-12, "C");
        Numeric.Close(dw2, w2.Gradient, 1e-12, "dC/dw2 = 2(a2-y) s'(z2) a1");
        Numeric.Close(dw1, w1.Gradient, 1e-12, "dC/dw1 = 2(a2-y) s'(z2) w2 s'(z1) x");
        Numeric.Close(dx, input.Gradient, 1e-12, "dC/dx");
    }

    // ---- accumulation over paths ----

    [Fact]
    public void A_node_reached_by_two_paths_receives_both_contributions()
    {
        var a = new Value(3);
        Value square = a * a;
        Value b = square + a;
        b.Backward();

        Numeric.Same(12, b.Data, "b = a*a + a");
        Numeric.Same(7, a.Gradient, "db/da = a + a + 1");
        Assert.Equal([a, a], square.Children);
        Assert.Equal([3.0, 3.0], square.LocalDerivatives);
    }

    [Fact]
    public void Adding_a_node_to_itself_doubles_its_gradient()
    {
        var a = new Value(-1.25);
        Value doubled = a + a;
        doubled.Backward();
        Numeric.Same(2, a.Gradient, "d(a + a)/da");
    }

    [Fact]
    public void Backward_accumulates_into_leaves_across_passes_until_gradients_are_zeroed()
    {
        var a = new Value(2);
        var b = new Value(5);
        Value product = a * b;
        Value output = product.Tanh() + product;
        double expectedA = (1 - Math.Pow(Math.Tanh(10), 2) + 1) * 5;

        output.Backward();
        Numeric.Close(expectedA, a.Gradient, Exact, "first pass");
        output.Backward();
        Numeric.Close(2 * expectedA, a.Gradient, Exact, "leaves accumulate over two passes");
        Numeric.Close(1 - Math.Pow(Math.Tanh(10), 2) + 1, product.Gradient, Exact, "an interior node holds one pass");

        output.ZeroGradients();
        Assert.All(Value.TopologicalOrder(output), node => Numeric.Same(0, node.Gradient, "after ZeroGradients"));
        output.Backward();
        Numeric.Close(expectedA, a.Gradient, Exact, "after zeroing, one pass again");
    }

    [Fact]
    public void Topological_order_lists_every_node_once_after_its_children()
    {
        var a = new Value(1);
        var b = new Value(2);
        Value c = a * b;
        Value d = c + a;
        Value e = (d * c).Exp() - b;

        IReadOnlyList<Value> order = Value.TopologicalOrder(e);

        Assert.Equal(7, order.Count); // a, b, c, d, d*c, exp, e; the constant-free graph has no other nodes
        Assert.Equal(order.Count, order.Distinct().Count());
        Assert.Same(e, order[^1]);
        for (int i = 0; i < order.Count; i++)
            foreach (var child in order[i].Children)
            {
                int position = order.ToList().IndexOf(child);
                Assert.True(position < i, $"child at {position} comes after its parent at {i}");
            }
    }

    [Fact]
    public void A_chain_of_100000_additions_runs_backward_without_overflowing_the_stack()
    {
        const int length = 100_000;
        Exception? failure = null;
        double data = 0, gradient = 0;
        int nodes = 0;
        // A 1 MB stack: a recursive topological sort needs roughly one frame per node and would overflow it.
        var thread = new Thread(() =>
        {
            try
            {
                var x = new Value(0.5);
                Value v = x;
                for (int i = 0; i < length; i++) v += x;
                v.Backward();
                data = v.Data;
                gradient = x.Gradient;
                nodes = Value.TopologicalOrder(v).Count;
                v.ZeroGradients();
                Numeric.Same(0, x.Gradient, "after ZeroGradients");
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }, maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();

        if (failure is not null) throw new Xunit.Sdk.XunitException("the deep chain failed: " + failure);
        Numeric.Same(0.5 * (length + 1), data, "x + x + ... + x");
        Numeric.Same(length + 1, gradient, "d/dx of 100001 x's");
        Assert.Equal(length + 1, nodes);
    }

    [Fact]
    public void ToString_shows_label_data_and_gradient()
    {
        var w = new Value(0.25, "w") { Gradient = -1.5 };
        Assert.Equal("Value(w: data=0.25, gradient=-1.5)", w.ToString());
        Assert.Equal("Value(data=3, gradient=0)", new Value(3).ToString());
    }
}
