using System.Globalization;

namespace Backprop.Autodiff;

/// <summary>
/// A fully connected network built from scalar <see cref="Value"/>s (micrograd's MLP): slow, but every weight's
/// gradient comes from the plain chain rule, so the batched engine is checked against it.
/// </summary>
/// <remarks>
/// Index convention: the math numbers the input layer 0, so the first weight matrix is W¹. Here lists are 0-based:
/// <c>Weights[l]</c> and <c>Biases[l]</c> belong to layer l+1 of the math, and their labels say so ("W1[j,k]").
/// </remarks>
public sealed class ScalarNetwork
{
    /// <summary>"quadratic": Cₖ = Σⱼ (aⱼ − yⱼ)². "cross-entropy": Cₖ = −Σⱼ yⱼ ln aⱼ.</summary>
    public static IReadOnlyList<string> CostNames { get; } = ["quadratic", "cross-entropy"];

    readonly int[] sizes;
    readonly ScalarLayer[] layers;

    /// <param name="sizes">Neurons per layer, input first: [n0, n1, …, nL].</param>
    /// <param name="weights">weights[l] is W of layer l+1, n(l+1) × n(l) row-major.</param>
    /// <param name="biases">biases[l] is b of layer l+1, n(l+1).</param>
    /// <param name="activations">One name per layer (see <see cref="ScalarLayer.ActivationNames"/>); "softmax" only last.</param>
    /// <param name="cost">One of <see cref="CostNames"/>.</param>
    public ScalarNetwork(IReadOnlyList<int> sizes, IReadOnlyList<double[]> weights, IReadOnlyList<double[]> biases,
        IReadOnlyList<string> activations, string cost)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(cost);
        if (sizes.Count < 2)
            throw new BackpropException($"a network needs an input size and at least one layer size, got {sizes.Count} size(s)");
        for (int l = 0; l < sizes.Count; l++)
            if (sizes[l] <= 0) throw new BackpropException($"layer {l} has size {sizes[l]}; every layer needs at least one neuron");
        int layerCount = sizes.Count - 1;
        if (weights.Count != layerCount || biases.Count != layerCount || activations.Count != layerCount)
            throw new BackpropException($"sizes describe {layerCount} layer(s) but got {weights.Count} weight matrices, {biases.Count} bias vectors and {activations.Count} activations; give one of each per layer");
        if (!CostNames.Contains(cost))
            throw new BackpropException($"unknown cost '{cost}'; use one of {string.Join(", ", CostNames)}");

        this.sizes = sizes.ToArray();
        layers = new ScalarLayer[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            int fanIn = sizes[l], fanOut = sizes[l + 1];
            string layerName = "layer " + (l + 1).ToString(CultureInfo.InvariantCulture);
            if (weights[l] is null || weights[l].Length != fanOut * fanIn)
                throw new BackpropException($"{layerName}: W must be {fanOut}x{fanIn} = {fanOut * fanIn} values (out x in, row-major), got {weights[l]?.Length ?? 0}");
            if (biases[l] is null || biases[l].Length != fanOut)
                throw new BackpropException($"{layerName}: b must have {fanOut} values, got {biases[l]?.Length ?? 0}");
            if (activations[l] == "softmax" && l != layerCount - 1)
                throw new BackpropException($"{layerName}: softmax is only for the output layer; use sigmoid, tanh, relu, leaky-relu or identity");
            layers[l] = new ScalarLayer(fanIn, weights[l], biases[l], activations[l]);
            for (int j = 0; j < fanOut; j++)
            {
                for (int k = 0; k < fanIn; k++)
                    layers[l].Weights[j * fanIn + k].Label = $"W{l + 1}[{j},{k}]";
                layers[l].Biases[j].Label = $"b{l + 1}[{j}]";
            }
        }
        CostFunction = cost;
        Weights = layers.Select(layer => layer.Weights).ToArray();
        Biases = layers.Select(layer => layer.Biases).ToArray();
    }

    /// <summary>[n0, n1, …, nL], input first.</summary>
    public IReadOnlyList<int> Sizes => sizes;

    /// <summary>The layers, l = 1 … L (index l−1).</summary>
    public IReadOnlyList<ScalarLayer> Layers => layers;

    /// <summary>The cost's name, one of <see cref="CostNames"/>.</summary>
    public string CostFunction { get; }

    /// <summary>Weights[l][j*in + k]: W of layer l+1, row j, column k.</summary>
    public IReadOnlyList<IReadOnlyList<Value>> Weights { get; }

    /// <summary>Biases[l][j]: b of layer l+1, entry j.</summary>
    public IReadOnlyList<IReadOnlyList<Value>> Biases { get; }

    /// <summary>Every weight and bias: for each layer, its weights row-major, then its biases.</summary>
    public IEnumerable<Value> Parameters() => layers.SelectMany(layer => layer.Weights.Concat(layer.Biases));

    /// <summary>Sets every weight's and bias's gradient to 0.</summary>
    public void ZeroGradients()
    {
        foreach (var parameter in Parameters()) parameter.Gradient = 0;
    }

    /// <summary>The output activations a^L for one input (n0 values), as a new graph.</summary>
    public Value[] Forward(IReadOnlyList<double> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Count != sizes[0])
            throw new BackpropException($"the network takes {sizes[0]} input values, got {input.Count}");
        Value[] a = InputValues(input);
        foreach (var layer in layers) a = layer.Forward(a);
        return a;
    }

    /// <summary>
    /// C = (1/n) Σₖ Cₖ over the n examples, as a graph; nothing is differentiated yet.
    /// </summary>
    /// <remarks>
    /// Cross-entropy terms with yⱼ = 0 are left out (0·ln 0 is taken as 0, so a saturated output is no NaN).
    /// With a softmax output, ln aⱼ is computed as log softmax (<see cref="ScalarLayer.LogSoftmax"/>), which stays finite
    /// where aⱼ itself underflows to 0.
    /// </remarks>
    public Value BuildCost(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Count == 0) throw new BackpropException("the cost needs at least one example, got none");
        if (inputs.Count != targets.Count)
            throw new BackpropException($"got {inputs.Count} inputs but {targets.Count} targets; give one target per input");
        int outputCount = sizes[^1];
        var exampleCosts = new Value[inputs.Count];
        for (int n = 0; n < inputs.Count; n++)
        {
            double[] x = inputs[n], y = targets[n];
            if (x is null || x.Length != sizes[0])
                throw new BackpropException($"example {n}: the network takes {sizes[0]} input values, got {x?.Length ?? 0}");
            if (y is null || y.Length != outputCount)
                throw new BackpropException($"example {n}: the network has {outputCount} outputs, but the target has {y?.Length ?? 0} values");
            exampleCosts[n] = ExampleCost(x, y);
        }
        return Value.Sum(exampleCosts) / inputs.Count;
    }

    /// <summary>
    /// Builds the cost (<see cref="BuildCost"/>), zeroes the parameters' gradients and runs the backward pass: on
    /// return every weight's and bias's <see cref="Value.Gradient"/> is ∂C/∂w or ∂C/∂b.
    /// </summary>
    public Value Cost(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets)
    {
        Value cost = BuildCost(inputs, targets);
        ZeroGradients();
        cost.Backward();
        return cost;
    }

    Value ExampleCost(double[] x, double[] y)
    {
        Value[] a = InputValues(x);
        for (int l = 0; l < layers.Length - 1; l++) a = layers[l].Forward(a);
        ScalarLayer output = layers[^1];
        Value[] z = output.WeightedInputs(a);

        if (CostFunction == "quadratic")
        {
            Value[] activations = output.Activate(z);
            return Value.Sum(activations.Select((aj, j) => (aj - y[j]).Pow(2)));
        }

        // Cross-entropy: Cₖ = −Σⱼ yⱼ ln aⱼ.
        Value[] logs = output.Activation == "softmax"
            ? ScalarLayer.LogSoftmax(z)
            : output.Activate(z).Select(aj => aj.Log()).ToArray();
        var terms = new List<Value>();
        for (int j = 0; j < y.Length; j++)
            if (y[j] != 0) terms.Add(logs[j] * y[j]);
        return terms.Count == 0 ? new Value(0) : -Value.Sum(terms);
    }

    static Value[] InputValues(IReadOnlyList<double> x)
    {
        var values = new Value[x.Count];
        for (int k = 0; k < x.Count; k++) values[k] = new Value(x[k], $"x[{k}]");
        return values;
    }
}
