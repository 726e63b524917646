using Backprop.Activations;
using Backprop.Checking;
using Backprop.Costs;
using Backprop.Layers;

namespace Backprop.Tests.Checking;

public class GradientCheckTests
{
    public static TheoryData<string, string, string> EveryActivationAndCost()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var hidden in Activation.All.Where(a => !a.OutputOnly))
            foreach (var output in Activation.All)
                foreach (var cost in Cost.All)
                    if (cost != Cost.CrossEntropy || output == Activation.Softmax)
                        data.Add(hidden.Name, output.Name, cost.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryActivationAndCost))]
    public void Backpropagation_agrees_with_central_differences_for_every_activation_and_cost(string hidden, string output, string cost)
    {
        var architecture = new Architecture([3, 5, 4, 3], Activation.Parse(hidden), Activation.Parse(output), Cost.Parse(cost));
        var result = GradientCheck.Random(architecture, seed: 7);
        Assert.True(result.MaxRelativeError < 1e-6, $"{hidden}/{output}/{cost}: max relative error {result.MaxRelativeError:E3} ≥ 1e-6");
        Assert.Equal(3, result.Layers.Count);
        Assert.Equal(3 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3, result.ParameterCount);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("identity")]
    public void A_single_output_neuron_learning_the_label_itself_checks_out(string output)
    {
        var architecture = new Architecture([2, 3, 1], Activation.Tanh, Activation.Parse(output), Cost.Quadratic);
        Assert.True(GradientCheck.Random(architecture, seed: 3).MaxRelativeError < 1e-6);
    }

    [Fact]
    public void A_deliberately_broken_derivative_fails_the_check()
    {
        var architecture = new Architecture([3, 4, 2], new SigmoidWithWrongDerivative(), Activation.Sigmoid, Cost.Quadratic);
        var result = GradientCheck.Random(architecture, seed: 5);
        Assert.True(result.Layers[0].MaxRelativeError > 1e-2, $"layer 1 error {result.Layers[0].MaxRelativeError:E3} should expose the broken φ′");
        Assert.True(result.Layers[1].MaxRelativeError < 1e-6, "the output layer does not use the hidden φ′ and must still agree");
    }

    /// <summary>σ with φ′ off by 10%: exactly the kind of slip the check exists to catch.</summary>
    sealed class SigmoidWithWrongDerivative : Activation
    {
        public override string Name => "broken-sigmoid";
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => Sigmoid.Forward(z, a, width);
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width)
        {
            Sigmoid.Backward(z, a, g, delta, width);
            for (int i = 0; i < delta.Length; i++) delta[i] *= T.CreateTruncating(1.1);
        }
        public override double Apply(double z) => Sigmoid.Apply(z);
        public override double Derivative(double z) => 1.1 * Sigmoid.Derivative(z);
    }
}
