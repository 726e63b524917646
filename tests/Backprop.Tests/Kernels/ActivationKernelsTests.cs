using Backprop.Activations;
using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>
/// The vector loops for δ = g ⊙ φ′ against the plain formulas, bit for bit, at every length 0…70 (so each vector
/// width ends at every remainder), with the awkward z: exact zeros of both signs, NaN and ±∞; and against
/// φ′ evaluated in double, so that the formula itself is the derivative.
/// </summary>
public class ActivationKernelsTests
{
    static float[] Values(Rng rng, int n)
    {
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f];
        return Enumerable.Range(0, n).Select(i => i % 9 == 4 ? special[i / 9 % special.Length] : (float)rng.NextDouble(-3, 3)).ToArray();
    }

    static void AssertSameBits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual) || float.IsNaN(expected) && float.IsNaN(actual),
            $"{what}: expected {expected:R}, actual {actual:R}");

    [Fact]
    public void Backward_loops_match_their_formulas_bit_for_bit_at_every_length()
    {
        var rng = new Rng(11);
        const float slope = 0.01f;
        for (int n = 0; n <= 70; n++)
        {
            float[] z = Values(rng, n), g = Values(rng, n), a = z.Select(v => 1 / (1 + MathF.Exp(-v))).ToArray(), delta = new float[n];

            ActivationKernels.ReluBackward<float>(z, g, delta);
            for (int i = 0; i < n; i++) AssertSameBits(z[i] <= 0 ? 0f : g[i], delta[i], $"relu′ n={n} i={i} z={z[i]}");

            ActivationKernels.LeakyReluBackward<float>(z, g, delta, slope);
            for (int i = 0; i < n; i++) AssertSameBits(z[i] > 0 ? g[i] : slope * g[i], delta[i], $"leaky-relu′ n={n} i={i} z={z[i]}");

            ActivationKernels.LeakyReluForward<float>(z, delta, slope);
            for (int i = 0; i < n; i++) AssertSameBits(z[i] > 0 ? z[i] : slope * z[i], delta[i], $"leaky-relu n={n} i={i} z={z[i]}");

            ActivationKernels.SigmoidBackward<float>(a, g, delta);
            for (int i = 0; i < n; i++) AssertSameBits(g[i] * a[i] * (1 - a[i]), delta[i], $"sigmoid n={n} i={i}");

            ActivationKernels.TanhBackward<float>(a, g, delta);
            for (int i = 0; i < n; i++) AssertSameBits(g[i] * (1 - a[i] * a[i]), delta[i], $"tanh n={n} i={i}");
        }
    }

    [Fact]
    public void At_nan_and_zero_the_rectifiers_pass_on_what_pytorch_does()
    {
        // torch 1.13: relu(z).backward(ones) at z = [nan, -1, 0, 2] gives [1, 0, 0, 1]; leaky_relu gives [0.01, 0.01, 0.01, 1].
        float[] z = [float.NaN, -1, 0, 2], g = [1, 1, 1, 1], delta = new float[4];
        ActivationKernels.ReluBackward<float>(z, g, delta);
        Assert.Equal([1f, 0f, 0f, 1f], delta);
        ActivationKernels.LeakyReluBackward<float>(z, g, delta, 0.01f);
        Assert.Equal([0.01f, 0.01f, 0.01f, 1f], delta);
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leaky-relu")]
    public void Backward_is_g_times_the_derivative_in_double(string name)
    {
        var activation = Activation.Parse(name);
        var rng = new Rng(3);
        const int n = 67;
        double[] z = Enumerable.Range(0, n).Select(_ => rng.NextDouble(-4, 4)).ToArray(), g = Enumerable.Range(0, n).Select(_ => rng.NextDouble(-2, 2)).ToArray();
        double[] a = new double[n], delta = new double[n];
        activation.Forward<double>(z, a, width: n);
        activation.Backward<double>(z, a, g, delta, width: n);
        for (int i = 0; i < n; i++) Assert.Equal(g[i] * activation.Derivative(z[i]), delta[i], 1e-12);
    }
}
