using Backprop.Autodiff;

namespace Backprop.Graphs;

/// <summary>One <see cref="Value"/> of a graph, placed in a column (left to right) and at a height (Row).</summary>
/// <param name="Id">Position in <see cref="ComputationGraph.Nodes"/> (topological order: leaves first, root last).</param>
/// <param name="Value">The node itself.</param>
/// <param name="Column">0 for the leftmost column; every node sits right of all its inputs.</param>
/// <param name="Row">Height in row units, 0 at the top; nodes of one column are at least 1 apart.</param>
public sealed record GraphNode(int Id, Value Value, int Column, double Row)
{
    /// <summary>
    /// What the node is: a leaf's label ("w1", "x"; "constant" when unnamed), an operation ("*", "sigmoid"), or a
    /// named operation ("a1 (sigmoid)").
    /// </summary>
    public string Title => Value.IsLeaf
        ? Value.Label ?? "constant"
        : Value.Label is null ? Value.Operation : $"{Value.Label} ({Value.Operation})";

    /// <summary>"data 0.6225 | grad −0.1427": the forward value and ∂root/∂node.</summary>
    public string Numbers => $"data {ComputationGraph.Number(Value.Data)} | grad {ComputationGraph.Number(Value.Gradient)}";
}

/// <summary>
/// A link from an input to the node computed from it; the chain rule multiplies along it by
/// <see cref="LocalDerivative"/> = ∂To/∂From. A node that uses one input twice (x·x) has two edges from it.
/// </summary>
/// <param name="From">The input.</param>
/// <param name="To">The node computed from it.</param>
/// <param name="InputIndex">Which operand of <see cref="To"/> this is (0 for a in a − b).</param>
/// <param name="LocalDerivative">∂To/∂From at the forward values.</param>
public sealed record GraphEdge(GraphNode From, GraphNode To, int InputIndex, double LocalDerivative);

/// <summary>
/// The graph below a <see cref="Value"/>, laid out to read left to right: inputs on the left, the root on the right,
/// each edge pointing rightwards. Drawn by <see cref="Svg"/> and <see cref="Dot"/>.
/// </summary>
/// <remarks>
/// Columns: an operation sits at its longest distance from the leaves (1 + the largest column among its inputs),
/// so every edge points right. A leaf sits one column left of the first operation that uses it rather than always
/// in column 0: the second layer's w2 then stands beside that layer instead of sending a long edge across the
/// whole picture. Rows: from the root leftwards, each node aims at the slot its consumers reserve for it (the
/// operands of an n-input node spread one row apart, centred on it) and nodes of a column are pushed apart until
/// they are a row apart; a chain a → b → c therefore stays on one line.
/// </remarks>
public sealed class ComputationGraph
{
    ComputationGraph(Value root, GraphNode[] nodes, GraphEdge[] edges, int columnCount, double rowCount)
    {
        Root = root;
        Nodes = nodes;
        Edges = edges;
        ColumnCount = columnCount;
        RowCount = rowCount;
    }

    /// <summary>The node the gradients are taken of: C, or f.</summary>
    public Value Root { get; }

    /// <summary>Every node once, in <see cref="Value.TopologicalOrder"/>: inputs before the nodes built from them.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>One edge per child link: Σ over nodes of Children.Count.</summary>
    public IReadOnlyList<GraphEdge> Edges { get; }

    /// <summary>Columns of the drawing, inputs in the first.</summary>
    public int ColumnCount { get; }

    /// <summary>1 + the largest <see cref="GraphNode.Row"/>: the height in row units.</summary>
    public double RowCount { get; }

    /// <summary>Lays out the graph below <paramref name="root"/> as it is now (run Backward first for gradients).</summary>
    public static ComputationGraph Of(Value root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var order = Value.TopologicalOrder(root);
        int count = order.Count;
        var index = new Dictionary<Value, int>(count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < count; i++) index[order[i]] = i;

        // Consumers of each node, as (consumer, operand index): the edges seen from their input end.
        var consumers = new List<(int Node, int Input)>[count];
        for (int i = 0; i < count; i++) consumers[i] = [];
        for (int i = 0; i < count; i++)
        {
            var children = order[i].Children;
            for (int c = 0; c < children.Count; c++) consumers[index[children[c]]].Add((i, c));
        }

        // Operations: longest path from the leaves; inputs come first in topological order, so one pass suffices.
        var column = new int[count];
        for (int i = 0; i < count; i++)
            foreach (var child in order[i].Children)
                column[i] = Math.Max(column[i], column[index[child]] + 1);
        // Leaves: just left of their first consumer. Consumers come later in the order, so go backwards.
        for (int i = count - 1; i >= 0; i--)
            if (order[i].IsLeaf && consumers[i].Count > 0)
                column[i] = consumers[i].Min(u => column[u.Node]) - 1;
        int columnCount = column.Max() + 1;

        var row = new double[count];
        var byColumn = new List<int>[columnCount];
        for (int c = 0; c < columnCount; c++) byColumn[c] = [];
        for (int i = 0; i < count; i++) byColumn[column[i]].Add(i);
        for (int c = columnCount - 1; c >= 0; c--)
        {
            var members = byColumn[c];
            var target = new double[count];
            foreach (int i in members)
            {
                if (consumers[i].Count == 0) { target[i] = 0; continue; }
                double sum = 0;
                foreach (var (node, input) in consumers[i])
                    sum += row[node] + input - (order[node].Children.Count - 1) / 2.0;
                target[i] = sum / consumers[i].Count;
            }
            members.Sort((a, b) => target[a] != target[b] ? target[a].CompareTo(target[b]) : a.CompareTo(b));
            // Push apart downwards, then shift the column back so that on average nodes sit where they aimed.
            double shift = 0;
            for (int k = 0; k < members.Count; k++)
            {
                int i = members[k];
                row[i] = k == 0 ? target[i] : Math.Max(target[i], row[members[k - 1]] + 1);
                shift += row[i] - target[i];
            }
            shift /= Math.Max(1, members.Count);
            foreach (int i in members) row[i] -= shift;
        }
        double top = row.Min();
        for (int i = 0; i < count; i++) row[i] -= top;

        var nodes = new GraphNode[count];
        for (int i = 0; i < count; i++) nodes[i] = new GraphNode(i, order[i], column[i], row[i]);
        var edges = new List<GraphEdge>();
        for (int i = 0; i < count; i++)
        {
            var value = order[i];
            for (int c = 0; c < value.Children.Count; c++)
                edges.Add(new GraphEdge(nodes[index[value.Children[c]]], nodes[i], c, value.LocalDerivatives[c]));
        }
        return new ComputationGraph(root, nodes, edges.ToArray(), columnCount, row.Max() + 1);
    }

    /// <summary>A number as the pictures show it: 4 significant digits, written as everywhere else (<see cref="NumberText"/>): -0.1427, 1.235e4.</summary>
    public static string Number(double value) => NumberText.Of(value, 4);
}
