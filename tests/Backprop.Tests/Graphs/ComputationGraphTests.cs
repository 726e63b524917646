using Backprop.Activations;
using Backprop.Autodiff;
using Backprop.Graphs;
using Backprop.Tests.Autodiff;

namespace Backprop.Tests.Graphs;

public class ComputationGraphTests
{
    static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>The seeds' chain: x = 1.5, y = 0.5, w = (0.8, −0.4), b = 0, sigmoid.</summary>
    internal static NeuronChain SeedChain()
    {
        var chain = NeuronChain.Build(1.5, 0.5, [0.8, -0.4], [0.0, 0.0], Activation.Sigmoid);
        chain.Cost.Backward();
        return chain;
    }

    [Fact]
    public void The_chain_computes_the_seeds_forward_values_and_chain_rule_gradients()
    {
        var chain = SeedChain();
        // By hand: z1 = w1·x, a1 = σ(z1), z2 = w2·a1, a2 = σ(z2), C = (a2 − y)²;
        // ∂C/∂w2 = 2(a2 − y)·σ′(z2)·a1 and ∂C/∂w1 = 2(a2 − y)·σ′(z2)·w2·σ′(z1)·x, with σ′ = σ(1 − σ).
        double z1 = 0.8 * 1.5, a1 = Sigmoid(z1), z2 = -0.4 * a1, a2 = Sigmoid(z2), cost = (a2 - 0.5) * (a2 - 0.5);
        double dCda2 = 2 * (a2 - 0.5), dz2 = dCda2 * a2 * (1 - a2), dz1 = dz2 * -0.4 * a1 * (1 - a1);

        Numeric.Close(cost, chain.Cost.Data, 1e-15, "C");
        Numeric.Close(a1, chain.Activations[0].Data, 1e-15, "a1");
        Numeric.Close(dz2 * a1, chain.Weights[1].Gradient, 1e-14, "∂C/∂w2");
        Numeric.Close(dz1 * 1.5, chain.Weights[0].Gradient, 1e-14, "∂C/∂w1");
        Numeric.Close(dz2, chain.Biases[1].Gradient, 1e-14, "∂C/∂b2");
        Numeric.Close(dz1, chain.Biases[0].Gradient, 1e-14, "∂C/∂b1");
        Numeric.Close(dz1 * 0.8, chain.Input.Gradient, 1e-14, "∂C/∂x");
        Assert.Equal(["w1", "w2"], chain.Weights.Select(w => w.Label));
        Assert.Equal(["z1", "z2"], chain.WeightedInputs.Select(z => z.Label));
        Assert.Equal(["a1", "a2"], chain.Activations.Select(a => a.Label));
        Assert.Equal("C", chain.Cost.Label);
    }

    [Fact]
    public void The_graph_has_every_value_once_and_one_edge_per_child_link()
    {
        var chain = SeedChain();
        var graph = ComputationGraph.Of(chain.Cost);

        var values = Value.TopologicalOrder(chain.Cost);
        Assert.Equal(values.Count, graph.Nodes.Count);
        Assert.Equal(14, graph.Nodes.Count); // x, y, w1, w2, b1, b2, two products, z1, z2, a1, a2, a2 − y, C
        Assert.Equal(values.Sum(v => v.Children.Count), graph.Edges.Count);
        Assert.Equal(13, graph.Edges.Count);
        for (int i = 0; i < values.Count; i++) Assert.Same(values[i], graph.Nodes[i].Value);
        foreach (var e in graph.Edges)
        {
            Assert.Same(e.From.Value, e.To.Value.Children[e.InputIndex]);
            Assert.Equal(e.To.Value.LocalDerivatives[e.InputIndex], e.LocalDerivative);
        }
    }

    [Fact]
    public void Columns_increase_from_the_leaves_to_the_root()
    {
        var graph = ComputationGraph.Of(SeedChain().Cost);

        foreach (var e in graph.Edges)
            Assert.True(e.From.Column < e.To.Column, $"edge {e.From.Title} (column {e.From.Column}) → {e.To.Title} (column {e.To.Column}) does not point right");
        var root = graph.Nodes.Single(n => n.Value.Label == "C");
        Assert.Equal(graph.ColumnCount - 1, root.Column);
        Assert.All(graph.Nodes.Where(n => n.Value.IsLeaf && n.Value.Label is "x" or "w1"), n => Assert.Equal(0, n.Column));
        // w1·x, + b1, sigmoid, w2·a1, + b2, sigmoid, − y, ^2: the longest path has 8 operations.
        Assert.Equal(9, graph.ColumnCount);
    }

    [Fact]
    public void A_leaf_sits_just_left_of_the_first_operation_that_uses_it()
    {
        var chain = SeedChain();
        var graph = ComputationGraph.Of(chain.Cost);
        GraphNode Node(Value v) => graph.Nodes.Single(n => ReferenceEquals(n.Value, v));

        Assert.Equal(Node(chain.WeightedInputs[1]).Column - 2, Node(chain.Weights[1]).Column);
        Assert.Equal(Node(chain.WeightedInputs[1]).Column - 1, Node(chain.Biases[1]).Column);
        Assert.Equal(Node(chain.Cost).Column - 2, Node(chain.Target).Column);
    }

    [Fact]
    public void Nodes_of_one_column_are_at_least_a_row_apart()
    {
        var root = Expression.Parse("x1*x2 + x2*x3 + x3*x1 + sin(x1) + exp(x2 - x3)")
            .Build([new Value(0.5, "x1"), new Value(-1, "x2"), new Value(2, "x3")]);
        var graph = ComputationGraph.Of(root);

        foreach (var column in graph.Nodes.GroupBy(n => n.Column))
        {
            var rows = column.Select(n => n.Row).Order().ToArray();
            for (int i = 1; i < rows.Length; i++)
                Assert.True(rows[i] - rows[i - 1] >= 1 - 1e-12, $"column {column.Key}: rows {rows[i - 1]} and {rows[i]} overlap");
        }
        Assert.True(graph.Nodes.Min(n => n.Row) == 0, "the top row is 0");
    }

    [Fact]
    public void An_input_used_twice_by_one_operation_has_two_edges()
    {
        var x = new Value(3, "x");
        var square = x * x;
        square.Backward();
        var graph = ComputationGraph.Of(square);

        Assert.Equal(2, graph.Nodes.Count);
        Assert.Equal(2, graph.Edges.Count);
        Assert.Equal([0, 1], graph.Edges.Select(e => e.InputIndex));
        Assert.All(graph.Edges, e => Assert.Equal(3.0, e.LocalDerivative));
        Assert.Equal(6.0, x.Gradient);
    }

    [Fact]
    public void A_graph_a_hundred_thousand_nodes_deep_is_laid_out_without_recursion()
    {
        Value v = new(0.0, "x");
        for (int i = 0; i < 100_000; i++) v += 1;
        var graph = ComputationGraph.Of(v);

        Assert.Equal(200_001, graph.Nodes.Count);
        Assert.Equal(100_001, graph.ColumnCount);
    }

    [Fact]
    public void Titles_name_leaves_by_label_and_operations_by_operation()
    {
        var graph = ComputationGraph.Of(SeedChain().Cost);
        var titles = graph.Nodes.Select(n => n.Title).ToHashSet();

        Assert.Superset(new HashSet<string> { "x", "y", "w1", "w2", "b1", "b2", "*", "z1 (+)", "a1 (sigmoid)", "a2 (sigmoid)", "-", "C (^2)" }, titles);
        Assert.Equal("constant", ComputationGraph.Of(new Value(2) * new Value(3, "x")).Nodes.First(n => n.Value.Label is null && n.Value.IsLeaf).Title);
    }

    [Theory]
    [InlineData(0.7685247834990178, "0.7685")]
    [InlineData(-0.14271, "-0.1427")]
    [InlineData(1.0, "1")]
    [InlineData(0.0, "0")]
    [InlineData(12345.678, "1.235e4")]
    [InlineData(2.1637e-9, "2.164e-9")]
    public void Numbers_show_four_significant_digits_as_the_text_does(double value, string expected)
    {
        Assert.Equal(expected, ComputationGraph.Number(value));
    }

    [Fact]
    public void Negative_zero_shows_as_zero() => Assert.Equal("0", ComputationGraph.Number(-0.0));

    [Fact]
    public void The_identity_chain_names_one_node_both_z_and_a()
    {
        var chain = NeuronChain.Build(2, 1, [0.5], [0.25], Activation.Identity);
        chain.Cost.Backward();

        Assert.Same(chain.WeightedInputs[0], chain.Activations[0]);
        Assert.Equal("z1 = a1", chain.Activations[0].Label);
        Numeric.Close(Math.Pow(0.5 * 2 + 0.25 - 1, 2), chain.Cost.Data, 1e-15, "C");
        Numeric.Close(2 * (1.25 - 1) * 2, chain.Weights[0].Gradient, 1e-15, "∂C/∂w1 = 2(a − y)·x");
    }

    [Fact]
    public void The_chain_refuses_softmax_and_mismatched_biases()
    {
        Assert.Throws<BackpropException>(() => NeuronChain.Build(1, 0, [0.5], [0.0], Activation.Softmax));
        var error = Assert.Throws<BackpropException>(() => NeuronChain.Build(1, 0, [0.5, 0.1], [0.0], Activation.Sigmoid));
        Assert.Contains("2 weight(s) but 1 bias(es)", error.Message);
        Assert.Throws<BackpropException>(() => NeuronChain.Build(1, 0, [], [], Activation.Sigmoid));
    }
}
