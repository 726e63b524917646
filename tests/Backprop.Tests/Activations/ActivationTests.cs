using Backprop.Activations;

namespace Backprop.Tests.Activations;

public class ActivationTests
{
    /// <summary>The scalar φ′ the explanations print must agree with the batched backward pass, also at the kinks.</summary>
    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leaky-relu")]
    [InlineData("identity")]
    public void The_scalar_derivative_matches_the_backward_pass_at_the_kink_and_either_side(string name)
    {
        var activation = Activation.Parse(name);
        double[] z = [-1, -1e-300, 0, 1e-300, 2];
        var a = new double[z.Length];
        activation.Forward<double>(z, a, z.Length);
        var delta = new double[z.Length];
        activation.Backward<double>(z, a, [1, 1, 1, 1, 1], delta, z.Length);
        for (int i = 0; i < z.Length; i++)
            // Within rounding: tanh′ is 1 − tanh² from z here and from a there.
            Assert.True(Math.Abs(activation.Derivative(z[i]) - delta[i]) <= 1e-12, $"{name}′({z[i]:R}): Derivative gives {activation.Derivative(z[i]):R}, the backward pass {delta[i]:R}");
    }

    [Fact]
    public void Leaky_relu_has_slope_001_at_exactly_zero_as_pytorch()
    {
        // torch 1.13: leaky_relu(z).backward(ones) at z = 0 gives 0.01 (the kernels test the same).
        Assert.Equal(0.01, Activation.LeakyRelu.Derivative(0.0));
        Assert.Equal(0.01, Activation.LeakyRelu.Derivative(-0.0));
        Assert.Equal(1.0, Activation.LeakyRelu.Derivative(double.Epsilon));
    }
}
