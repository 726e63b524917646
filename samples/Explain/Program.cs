// The explanation API: every derivative of backpropagation with its real numbers, checked by finite differences.
// The regions marked guide:NAME are the code of docs/library.md; GuideTests checks them.
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Explaining;
using Backprop.Layers;

// <guide:explain-chain>
// A chain of sigmoid neurons x → a¹ → a² with weights 0.8 and −0.4, input 1.5, target 0.5, cost C = (a² − y)².
ChainExplanation chain = ChainExplanation.Compute(input: 1.5, target: 0.5, weights: [0.8, -0.4]);
Console.WriteLine($"C = {chain.Cost:F6}");
foreach (ChainLayer layer in chain.Layers)
    Console.WriteLine($"layer {layer.Layer}: z = {layer.WeightedInput:F4}, a = {layer.Activation:F4}, " +
        $"∂C/∂w = {layer.CostByWeight:F6} (finite differences: {layer.NumericCostByWeight:F6})");

ChainExplanation after = chain.AfterStep(learningRate: 1.0);   // one gradient-descent step, w ← w − η ∂C/∂w
Console.WriteLine($"after one step with η = 1: C = {after.Cost:F6}");
// </guide:explain-chain>

// <guide:explain-weight>
// Any weight of a network: δ, ∂C/∂w, and ∂C/∂w as the sum over every path to the outputs.
var architecture = new Architecture([2, 3, 2], Activation.Sigmoid, Activation.Softmax, Cost.CrossEntropy);
Network<double> network = Network<float>.Initialize(architecture, seed: 1).Convert<double>();
NetworkTrace trace = NetworkTrace.Compute(network, input: [0.5, -1.0], target: [1, 0]);

WeightExplanation w = WeightExplanation.Explain(trace, ParameterReference.ParseWeight("1:2:0"), listPaths: true);
Console.WriteLine($"{w.Parameter}: value {w.Value:F4}, δ = {w.Delta:F6}, ∂C/∂w = {w.Derivative:F6}, " +
    $"sum over {w.PathCount} paths = {w.PathSum:F6}");
// </guide:explain-weight>
