namespace Backprop.Autodiff;

/// <summary>
/// A fully connected layer of scalar neurons: z = W·a_prev + b, a = φ(z), with W (out × in, row-major: W[j*in+k]
/// connects input k to neuron j) and b (out).
/// </summary>
public sealed class ScalarLayer
{
    /// <summary>The activation names a layer accepts. "leaky-relu" has slope 0.01; "softmax" couples the whole
    /// layer and is for the output layer.</summary>
    public static IReadOnlyList<string> ActivationNames { get; } = ["sigmoid", "tanh", "relu", "leaky-relu", "identity", "softmax"];

    const double LeakySlope = 0.01;

    readonly Neuron[] neurons;
    readonly Value[] weights;
    readonly Value[] biases;

    /// <param name="inputCount">in: the size of the previous layer.</param>
    /// <param name="weights">W, out × in, row-major.</param>
    /// <param name="biases">b, out.</param>
    /// <param name="activation">One of <see cref="ActivationNames"/>.</param>
    public ScalarLayer(int inputCount, IReadOnlyList<double> weights, IReadOnlyList<double> biases, string activation)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        ArgumentNullException.ThrowIfNull(activation);
        if (inputCount <= 0) throw new BackpropException($"a layer needs at least one input, got {inputCount}");
        if (biases.Count == 0) throw new BackpropException("a layer needs at least one neuron, got 0 biases");
        int outputCount = biases.Count;
        if (weights.Count != outputCount * inputCount)
            throw new BackpropException($"a layer of {outputCount} neurons with {inputCount} inputs needs {outputCount}x{inputCount} = {outputCount * inputCount} weights, got {weights.Count}");
        if (!ActivationNames.Contains(activation))
            throw new BackpropException($"unknown activation '{activation}'; use one of {string.Join(", ", ActivationNames)}");

        InputCount = inputCount;
        Activation = activation;
        neurons = new Neuron[outputCount];
        this.weights = new Value[outputCount * inputCount];
        this.biases = new Value[outputCount];
        for (int j = 0; j < outputCount; j++)
        {
            var row = new double[inputCount];
            for (int k = 0; k < inputCount; k++) row[k] = weights[j * inputCount + k];
            neurons[j] = new Neuron(row, biases[j]);
            for (int k = 0; k < inputCount; k++) this.weights[j * inputCount + k] = neurons[j].Weights[k];
            this.biases[j] = neurons[j].Bias;
        }
    }

    /// <summary>Inputs to each neuron: the size of a_prev.</summary>
    public int InputCount { get; }
    /// <summary>Neurons in the layer: the size of z and a.</summary>
    public int OutputCount => neurons.Length;
    /// <summary>The activation's name, one of <see cref="ActivationNames"/>.</summary>
    public string Activation { get; }
    /// <summary>The layer's neurons, j = 0 … out−1; neuron j holds row j of W and b[j].</summary>
    public IReadOnlyList<Neuron> Neurons => neurons;

    /// <summary>W as Values, row-major: Weights[j*InputCount + k] = wⱼₖ, the same objects as Neurons[j].Weights[k].</summary>
    public IReadOnlyList<Value> Weights => weights;

    /// <summary>b as Values: Biases[j] = bⱼ, the same objects as Neurons[j].Bias.</summary>
    public IReadOnlyList<Value> Biases => biases;

    /// <summary>z = W·a_prev + b (out).</summary>
    public Value[] WeightedInputs(IReadOnlyList<Value> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != InputCount)
            throw new BackpropException($"a layer with {InputCount} inputs was given {inputs.Count} values; give one per input");
        var z = new Value[neurons.Length];
        for (int j = 0; j < neurons.Length; j++) z[j] = neurons[j].WeightedInput(inputs);
        return z;
    }

    /// <summary>a = φ(z) (out).</summary>
    public Value[] Activate(IReadOnlyList<Value> z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (Activation == "softmax")
        {
            Value[] exponentials = ShiftByMaximum(z).Select(s => s.Exp()).ToArray();
            Value normalizer = Value.Sum(exponentials);
            return exponentials.Select(e => e / normalizer).ToArray();
        }
        var a = new Value[z.Count];
        for (int j = 0; j < z.Count; j++)
        {
            a[j] = Activation switch
            {
                "sigmoid" => z[j].Sigmoid(),
                "tanh" => z[j].Tanh(),
                "relu" => z[j].Relu(),
                "leaky-relu" => z[j].LeakyRelu(LeakySlope),
                _ => z[j], // identity: no node at all, so ∂a/∂z = 1 with nothing to show
            };
        }
        return a;
    }

    /// <summary>a = φ(W·a_prev + b).</summary>
    public Value[] Forward(IReadOnlyList<Value> inputs) => Activate(WeightedInputs(inputs));

    /// <summary>
    /// sⱼ = zⱼ − m with m = maxₖ zₖ. Softmax does not change when all logits shift together, so m may enter as a
    /// constant: the gradient with respect to z is unchanged, while every exponent is ≤ 0 (no overflow) and
    /// Σₖ e^{sₖ} ≥ 1 (its log finite), even for logits of ±1000.
    /// </summary>
    static Value[] ShiftByMaximum(IReadOnlyList<Value> z)
    {
        double m = double.NegativeInfinity;
        foreach (var zj in z) m = Math.Max(m, zj.Data);
        return z.Select(zj => zj - m).ToArray();
    }

    /// <summary>ln softmax(z)ⱼ = sⱼ − ln Σₖ e^{sₖ} with sⱼ = zⱼ − maxₖ zₖ; finite for any finite logits.</summary>
    public static Value[] LogSoftmax(IReadOnlyList<Value> z)
    {
        ArgumentNullException.ThrowIfNull(z);
        Value[] shifted = ShiftByMaximum(z);
        Value logNormalizer = Value.Sum(shifted.Select(s => s.Exp())).Log();
        return shifted.Select(s => s - logNormalizer).ToArray();
    }
}
