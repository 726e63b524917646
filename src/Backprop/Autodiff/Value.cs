using System.Globalization;

namespace Backprop.Autodiff;

/// <summary>
/// One scalar in a computation graph: the teaching engine, micrograd's <c>Value</c> in double precision.
/// </summary>
/// <remarks>
/// Every operation computes its forward value and, right beside it, the local derivative ∂out/∂input for each of
/// its inputs, stored in <see cref="LocalDerivatives"/> aligned with <see cref="Children"/>. <see cref="Backward"/>
/// then applies the chain rule from the output down: for every node and every input,
/// <c>input.Gradient += local · node.Gradient</c>. Because it is <c>+=</c>, a node reached along several paths
/// receives the sum over all paths — <c>b = a·a + a</c> gives ∂b/∂a = a + a + 1.
/// <para>
/// A node is a snapshot: setting a leaf's <see cref="Data"/> (a gradient-descent step) does not recompute the
/// nodes built from it; build the graph again.
/// </para>
/// </remarks>
public sealed class Value
{
    static readonly Value[] NoChildren = [];
    static readonly double[] NoDerivatives = [];

    readonly Value[] children;
    readonly double[] localDerivatives;

    /// <summary>A leaf: an input, a parameter or a constant.</summary>
    public Value(double data, string? label = null)
        : this(data, "", NoChildren, NoDerivatives) => Label = label;

    Value(double data, string operation, Value[] children, double[] localDerivatives)
    {
        Data = data;
        Operation = operation;
        this.children = children;
        this.localDerivatives = localDerivatives;
    }

    /// <summary>The forward value.</summary>
    public double Data { get; set; }

    /// <summary>∂root/∂this after <c>root.Backward()</c>.</summary>
    public double Gradient { get; set; }

    /// <summary>A name for pictures of the graph ("w1", "x"); null when unnamed.</summary>
    public string? Label { get; set; }

    /// <summary>The operation that produced this node ("+", "*", "exp", "sigmoid", "^2", …); "" for a leaf.</summary>
    public string Operation { get; }

    /// <summary>The operation's inputs, in operand order (<c>a - b</c> has children [a, b]).</summary>
    public IReadOnlyList<Value> Children => children;

    /// <summary>∂this/∂Children[i], evaluated at the forward values; aligned with <see cref="Children"/>.</summary>
    public IReadOnlyList<double> LocalDerivatives => localDerivatives;

    /// <summary>True for a node that no operation produced (an input, a parameter, a constant).</summary>
    public bool IsLeaf => children.Length == 0;

    static Value Constant(double c) => new(c);

    // ---- arithmetic: forward value, then [∂out/∂a, ∂out/∂b] ----

    /// <summary>a + b; ∂/∂a = 1, ∂/∂b = 1.</summary>
    public static Value operator +(Value a, Value b) => new(a.Data + b.Data, "+", [a, b], [1.0, 1.0]);
    /// <summary>a + b for a constant b.</summary>
    public static Value operator +(Value a, double b) => a + Constant(b);
    /// <summary>a + b for a constant a.</summary>
    public static Value operator +(double a, Value b) => Constant(a) + b;

    /// <summary>a − b; ∂/∂a = 1, ∂/∂b = −1.</summary>
    public static Value operator -(Value a, Value b) => new(a.Data - b.Data, "-", [a, b], [1.0, -1.0]);
    /// <summary>a − b for a constant b.</summary>
    public static Value operator -(Value a, double b) => a - Constant(b);
    /// <summary>a − b for a constant a.</summary>
    public static Value operator -(double a, Value b) => Constant(a) - b;

    /// <summary>a·b; ∂/∂a = b, ∂/∂b = a.</summary>
    public static Value operator *(Value a, Value b) => new(a.Data * b.Data, "*", [a, b], [b.Data, a.Data]);
    /// <summary>a·b for a constant b: ∂/∂a = b.</summary>
    public static Value operator *(Value a, double b) => a * Constant(b);
    /// <summary>a·b for a constant a: ∂/∂b = a.</summary>
    public static Value operator *(double a, Value b) => Constant(a) * b;

    /// <summary>q = a / b; ∂/∂a = 1/b, ∂/∂b = −a/b² = −q/b.</summary>
    public static Value operator /(Value a, Value b)
    {
        double q = a.Data / b.Data;
        return new(q, "/", [a, b], [1.0 / b.Data, -q / b.Data]);
    }
    /// <summary>a / b for a constant b.</summary>
    public static Value operator /(Value a, double b) => a / Constant(b);
    /// <summary>a / b for a constant a.</summary>
    public static Value operator /(double a, Value b) => Constant(a) / b;

    /// <summary>−a; ∂/∂a = −1.</summary>
    public static Value operator -(Value a) => new(-a.Data, "neg", [a], [-1.0]);

    /// <summary>
    /// aᵖ for a constant exponent p; ∂/∂a = p·aᵖ⁻¹. The exponent is part of the operation ("^2"), not an input.
    /// </summary>
    public Value Pow(double exponent)
    {
        double local = exponent == 0 ? 0.0 : exponent * Math.Pow(Data, exponent - 1); // p = 0: d(1)/da = 0, not 0·a⁻¹
        return new(Math.Pow(Data, exponent), "^" + exponent.ToString(CultureInfo.InvariantCulture), [this], [local]);
    }

    /// <summary>
    /// aᵇ with b a node; ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a. Where aᵇ = 0 (a = 0, b &gt; 0) ∂/∂b is its limit 0; for
    /// a &lt; 0 it is NaN, because aᵇ is not differentiable in b there.
    /// </summary>
    public Value Pow(Value exponent)
    {
        double a = Data, b = exponent.Data;
        double y = Math.Pow(a, b);
        double dBase = b == 0 ? 0.0 : b * Math.Pow(a, b - 1);
        double dExponent = y == 0 ? 0.0 : y * Math.Log(a);
        return new(y, "^", [this, exponent], [dBase, dExponent]);
    }

    // ---- functions of one input: forward value, then ∂out/∂a ----

    /// <summary>y = eᵃ; ∂y/∂a = eᵃ = y.</summary>
    public Value Exp()
    {
        double y = Math.Exp(Data);
        return new(y, "exp", [this], [y]);
    }

    /// <summary>ln a (natural); ∂/∂a = 1/a.</summary>
    public Value Log() => new(Math.Log(Data), "ln", [this], [1.0 / Data]);

    /// <summary>y = √a; ∂y/∂a = 1/(2√a) = 1/(2y).</summary>
    public Value Sqrt()
    {
        double y = Math.Sqrt(Data);
        return new(y, "sqrt", [this], [0.5 / y]);
    }

    /// <summary>
    /// y = σ(a) = 1/(1 + e⁻ᵃ); ∂y/∂a = σ(a)(1 − σ(a)) = y(1 − y). Stable for large |a|: σ(±1000) is 1 or 0 and its
    /// derivative 0.
    /// </summary>
    public Value Sigmoid()
    {
        double y = ScalarFunctions.Sigmoid(Data);
        return new(y, "sigmoid", [this], [y * (1.0 - y)]);
    }

    /// <summary>y = tanh a; ∂y/∂a = 1 − y².</summary>
    public Value Tanh()
    {
        double y = Math.Tanh(Data);
        return new(y, "tanh", [this], [1.0 - y * y]);
    }

    /// <summary>max(0, a); ∂/∂a = 1 for a &gt; 0, else 0 (0 at the kink, as PyTorch).</summary>
    public Value Relu() => new(ScalarFunctions.Relu(Data), "relu", [this], [Data > 0 ? 1.0 : 0.0]);

    /// <summary>a for a &gt; 0, slope·a otherwise; ∂/∂a = 1 for a &gt; 0, else slope (slope at the kink, as PyTorch).</summary>
    public Value LeakyRelu(double slope = 0.01) =>
        new(ScalarFunctions.LeakyRelu(Data, slope), "leaky-relu", [this], [Data > 0 ? 1.0 : slope]);

    /// <summary>sin a; ∂/∂a = cos a.</summary>
    public Value Sin() => new(Math.Sin(Data), "sin", [this], [Math.Cos(Data)]);

    /// <summary>cos a; ∂/∂a = −sin a.</summary>
    public Value Cos() => new(Math.Cos(Data), "cos", [this], [-Math.Sin(Data)]);

    /// <summary>
    /// Σᵢ termsᵢ as one node; ∂/∂termsᵢ = 1. One node instead of a chain of "+" keeps a neuron's weighted input
    /// z = Σₖ wₖaₖ + b readable in a picture of the graph.
    /// </summary>
    public static Value Sum(IEnumerable<Value> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        Value[] inputs = terms.ToArray();
        if (inputs.Length == 0) throw new ArgumentException("a sum needs at least one term", nameof(terms));
        double total = 0;
        foreach (var term in inputs) total += term.Data;
        var ones = new double[inputs.Length];
        Array.Fill(ones, 1.0);
        return new(total, "sum", inputs, ones);
    }

    // ---- the backward pass ----

    /// <summary>
    /// Every node of the graph below <paramref name="root"/> exactly once, each after all of its children: leaves
    /// first, <paramref name="root"/> last. Computed with an explicit stack, so a graph a million nodes deep does
    /// not overflow the call stack (micrograd's recursive version would).
    /// </summary>
    public static IReadOnlyList<Value> TopologicalOrder(Value root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var order = new List<Value>();
        var visited = new HashSet<Value>(ReferenceEqualityComparer.Instance) { root };
        // Each frame is a node and the index of the next child to visit; a node is emitted once all are done.
        var stack = new Stack<(Value Node, int NextChild)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.children.Length)
            {
                stack.Push((node, next + 1));
                Value child = node.children[next];
                if (visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(node);
            }
        }
        return order;
    }

    /// <summary>
    /// Sets this node's gradient to 1 and, in reverse topological order, adds <c>local · node.Gradient</c> to each
    /// input's gradient, so that every node ends with ∂this/∂node summed over all paths.
    /// </summary>
    /// <remarks>
    /// Interior nodes start the pass from 0, so their gradients belong to this pass alone. Leaves (inputs,
    /// parameters) keep accumulating across passes, as in PyTorch: two passes give twice the gradient. Call
    /// <see cref="ZeroGradients"/> between steps.
    /// </remarks>
    public void Backward()
    {
        var order = TopologicalOrder(this);
        foreach (var node in order)
            if (!node.IsLeaf) node.Gradient = 0;
        Gradient = 1;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            Value node = order[i];
            for (int c = 0; c < node.children.Length; c++)
                node.children[c].Gradient += node.localDerivatives[c] * node.Gradient;
        }
    }

    /// <summary>Sets the gradient of every node in the graph below (and including) this one to 0.</summary>
    public void ZeroGradients()
    {
        foreach (var node in TopologicalOrder(this)) node.Gradient = 0;
    }

    /// <summary>The value and its gradient, with its label when it has one: <c>Value(w1: data=0.8, gradient=0.0149)</c>.</summary>
    public override string ToString()
    {
        string data = Data.ToString(CultureInfo.InvariantCulture);
        string gradient = Gradient.ToString(CultureInfo.InvariantCulture);
        return Label is null ? $"Value(data={data}, gradient={gradient})" : $"Value({Label}: data={data}, gradient={gradient})";
    }
}
