using System.Numerics;
using Backprop.Cli.Commands;
using Backprop.Explaining;

namespace Backprop.Cli.Rendering;

/// <summary>`backprop explain --json`: one object per run, keys in snake case like the math (dC_dw = ∂C/∂w).</summary>
internal static class ExplainJson
{
    public static object Chain(ChainExplanation e) => new
    {
        cost = e.Cost,
        layers = e.Layers.Select(l => new
        {
            layer = l.Layer,
            w = l.Weight,
            b = l.Bias,
            z = l.WeightedInput,
            a = l.Activation,
            dC_da = l.CostByActivation,
            da_dz = l.ActivationByWeightedInput,
            dC_dz = l.CostByWeightedInput,
            dz_dw = l.WeightedInputByWeight,
            dC_dw = l.CostByWeight,
            dC_db = l.CostByBias,
            dC_da_prev = l.CostByPreviousActivation,
            numeric_dC_dw = l.NumericCostByWeight,
        }),
        x = e.Input,
        y = e.Target,
        activation = e.Activation.Name,
    };

    /// <summary>The second line with --lr on the chain: every w′ and b′, the cost before and after.</summary>
    public static object ChainStep(ChainExplanation before, ChainExplanation after, double learningRate) => new
    {
        step = new
        {
            learning_rate = learningRate,
            layers = before.Layers.Zip(after.Layers).Select(p => new { layer = p.First.Layer, w = p.First.Weight, w_new = p.Second.Weight, b = p.First.Bias, b_new = p.Second.Bias }),
            cost_before = before.Cost,
            cost_after = after.Cost,
        },
    };

    /// <summary>The second line with --lr on a model: the explained parameter's step, the cost before and after.</summary>
    public static object Step(GradientStep step, int examples) => new
    {
        step = new
        {
            learning_rate = step.LearningRate,
            parameter = step.Parameter.ToString(),
            examples,
            value = step.Before,
            derivative = step.Derivative,
            value_new = step.After,
            cost_before = step.CostBefore,
            cost_after = step.CostAfter,
        },
    };

    /// <summary>--example with several examples: each C_k and ∂C_k/∂w, their means, and the batched engine's gradient.</summary>
    public static object Batch(BatchDerivative batch, double batchGradient, ExampleSource source) => new
    {
        model = source.Model,
        data = source.Data,
        parameter = batch.Parameter.ToString(),
        value = batch.Value,
        examples = batch.Examples.Select(e => new { example = e.Index, label = source.Label is null ? (int?)null : e.Label, cost = e.Cost, derivative = e.Derivative }),
        mean_cost = batch.MeanCost,
        mean_derivative = batch.MeanDerivative,
        batch_derivative = batchGradient,
    };

    public static object Weight(WeightExplanation e, ExampleSource source)
    {
        var trace = e.Trace;
        return new
        {
            model = source.Model,
            data = source.Data,
            example = source.Index,
            label = source.Label,
            target = trace.Target,
            cost = trace.Cost,
            parameter = e.Parameter.ToString(),
            layer = e.Parameter.Layer,
            neuron = e.Parameter.Neuron,
            input = e.Parameter.Input,
            value = e.Value,
            dz_dparameter = e.WeightedInputByParameter,
            delta = e.Delta,
            derivative = e.Derivative,
            activation_slope = Finite(e.ActivationSlope),
            dC_da = Finite(e.CostByActivation),
            next_layer_terms = e.IsOutputLayer ? null : e.NextLayerTerms.Select(t => new { neuron = t.Neuron, weight = t.Weight, delta = t.Delta, product = t.Product }),
            output_terms = e.IsOutputLayer
                ? e.OutputTerms.Select(t => new { output = t.Output, dC_da = Finite(t.CostByActivation), da_dz = Finite(t.ActivationByWeightedInput), product = t.Product })
                : null,
            forward = Enumerable.Range(0, trace.Network.Layers.Count).Select(l => new
            {
                layer = l + 1,
                z = trace.WeightedInputs[l],
                a = trace.Activations[l],
                delta = trace.Deltas[l],
            }),
            path_count = Count(e.PathCount),
            paths = e.Paths?.Select(p => new
            {
                neurons = p.Neurons,
                output = p.Output,
                factors = p.Factors.Select(f => new { symbol = f.Symbol, value = f.Value }),
                product = p.Product,
            }),
            path_sum = e.PathSum,
        };
    }

    public static object Cost(DerivativeCost cost, Growth growth) => new
    {
        layers = cost.Sizes,
        backpropagation = Count(cost.Backpropagation),
        separately = Count(cost.Separately),
        ratio = cost.Ratio,
        per_layer = cost.Layers.Select(l => new
        {
            layer = l.Layer,
            weights = l.Weights,
            paths_per_weight = Count(l.PathsPerWeight),
            multiplications_per_path = l.MultiplicationsPerPath,
            backpropagation_delta = l.Delta,
            backpropagation_gradient = l.Gradient,
            backpropagation = l.Backpropagation,
            separately = Count(l.Separately),
        }),
        growth_by_depth = growth.ByDepth.Select(g => Row(g.Cost)),
        growth_by_width = growth.ByWidth.Select(g => Row(g.Cost)),
    };

    static object Row(DerivativeCost c) => new { layers = c.Sizes, backpropagation = Count(c.Backpropagation), separately = Count(c.Separately), ratio = c.Ratio };

    /// <summary>Exact while it fits a long; past 9.2e18 a double, since JSON readers rarely take bigger integers.</summary>
    static object Count(BigInteger value) => value <= long.MaxValue ? (long)value : (double)value;

    /// <summary>JSON has no NaN: a derivative that does not exist (softmax's element-wise φ′) is null.</summary>
    static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
