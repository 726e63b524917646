using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Activations;

/// <summary>
/// φ, applied to a layer's weighted inputs z to give its activations a = φ(z), with its derivative beside it.
/// Every rule works on a whole batch: z, a and the gradients are (batch × width), row-major.
/// </summary>
public abstract class Activation
{
    /// <summary>σ(z) = 1 / (1 + e⁻ᶻ); σ′(z) = σ(z)(1 − σ(z)).</summary>
    public static readonly Activation Sigmoid = new SigmoidActivation();
    /// <summary>tanh(z); tanh′(z) = 1 − tanh²(z).</summary>
    public static readonly Activation Tanh = new TanhActivation();
    /// <summary>relu(z) = max(0, z); relu′(z) = 1 for z &gt; 0, else 0 (relu′(0) = 0, as PyTorch).</summary>
    public static readonly Activation Relu = new ReluActivation();
    /// <summary>z for z &gt; 0, else 0.01·z; the derivative is 1 or 0.01.</summary>
    public static readonly Activation LeakyRelu = new LeakyReluActivation();
    /// <summary>φ(z) = z; φ′ = 1: the output of a regression.</summary>
    public static readonly Activation Identity = new IdentityActivation();
    /// <summary>aⱼ = e^zⱼ / Σₖ e^zₖ over the whole layer; for the output layer only, with the cross-entropy cost.</summary>
    public static readonly Activation Softmax = new SoftmaxActivation();

    /// <summary>Every activation, in the order names are listed in messages.</summary>
    public static IReadOnlyList<Activation> All { get; } = [Sigmoid, Tanh, Relu, LeakyRelu, Identity, Softmax];

    /// <summary>The name used on the command line and in model files.</summary>
    public abstract string Name { get; }

    /// <summary>True for ReLU-like units, which get He initialisation; the rest get Xavier/Glorot.</summary>
    public virtual bool IsRectifier => false;

    /// <summary>Softmax couples the neurons of a layer, so it only makes sense at the output.</summary>
    public virtual bool OutputOnly => false;

    /// <summary>a = φ(z).</summary>
    public abstract void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) where T : IFloatingPointIeee754<T>;

    /// <summary>
    /// δ = ∂C/∂z from g = ∂C/∂a: for element-wise φ, δ = g ⊙ φ′(z); for softmax, δ = Jᵀg = a ⊙ (g − (g·a)) per row.
    /// </summary>
    public abstract void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width)
        where T : IFloatingPointIeee754<T>;

    /// <summary>φ′(z) for one value, for the explanations; softmax has no element-wise derivative.</summary>
    public abstract double Derivative(double z);

    /// <summary>φ(z) for one value.</summary>
    public abstract double Apply(double z);

    /// <summary>The activation's name, as <see cref="Parse(string)"/> takes it.</summary>
    public override string ToString() => Name;

    /// <summary>The activation named <paramref name="name"/> (sigmoid, tanh, relu, leaky-relu, identity, softmax; case and surrounding spaces ignored); a <see cref="BackpropException"/> naming the choices otherwise.</summary>
    public static Activation Parse(string name) => Parse(name, optionName: null);

    /// <summary>As <see cref="Parse(string)"/>; an error names <paramref name="optionName"/> (a CLI flag, or an option such as Architecture.OutputActivation that the CLI translates) as the source of the name.</summary>
    internal static Activation Parse(string name, string? optionName) =>
        All.FirstOrDefault(a => a.Name == name.Trim().ToLowerInvariant())
        ?? throw new BackpropException($"unknown activation '{ShownText.Of(name)}'{(optionName is null ? "" : " for " + optionName)}; use one of: {string.Join(", ", All.Select(a => a.Name))}");

    sealed class SigmoidActivation : Activation
    {
        public override string Name => "sigmoid";
        // TensorPrimitives.Sigmoid is 1/(1+e^−z): at z = −1000 e^1000 is ∞ and the result a clean 0, never NaN.
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => TensorPrimitives.Sigmoid(z, a);
        /// <summary>σ′(z) = a(1 − a).</summary>
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width) =>
            ActivationKernels.SigmoidBackward(a, g, delta);
        public override double Apply(double z) => 1.0 / (1.0 + Math.Exp(-z));
        public override double Derivative(double z) { double s = Apply(z); return s * (1 - s); }
    }

    sealed class TanhActivation : Activation
    {
        public override string Name => "tanh";
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => TensorPrimitives.Tanh(z, a);
        /// <summary>tanh′(z) = 1 − a².</summary>
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width) =>
            ActivationKernels.TanhBackward(a, g, delta);
        public override double Apply(double z) => Math.Tanh(z);
        public override double Derivative(double z) { double t = Math.Tanh(z); return 1 - t * t; }
    }

    sealed class ReluActivation : Activation
    {
        public override string Name => "relu";
        public override bool IsRectifier => true;
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => TensorPrimitives.Max(z, T.Zero, a);
        /// <summary>relu′(z) = 1 for z &gt; 0, else 0 (PyTorch's choice at z = 0).</summary>
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width) =>
            ActivationKernels.ReluBackward(z, g, delta);
        public override double Apply(double z) => Math.Max(z, 0);
        public override double Derivative(double z) => z > 0 ? 1 : 0;
    }

    sealed class LeakyReluActivation : Activation
    {
        /// <summary>The slope for z &lt; 0, PyTorch's default negative_slope.</summary>
        public const double Slope = 0.01;
        public override string Name => "leaky-relu";
        public override bool IsRectifier => true;
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) =>
            ActivationKernels.LeakyReluForward(z, a, T.CreateTruncating(Slope));
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width) =>
            ActivationKernels.LeakyReluBackward(z, g, delta, T.CreateTruncating(Slope));
        public override double Apply(double z) => z > 0 ? z : Slope * z;
        public override double Derivative(double z) => z > 0 ? 1 : Slope;
    }

    sealed class IdentityActivation : Activation
    {
        public override string Name => "identity";
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width) => z.CopyTo(a);
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width) => g.CopyTo(delta);
        public override double Apply(double z) => z;
        public override double Derivative(double z) => 1;
    }

    sealed class SoftmaxActivation : Activation
    {
        public override string Name => "softmax";
        public override bool OutputOnly => true;
        /// <summary>a_j = e^(z_j − max z) / Σ_i e^(z_i − max z): subtracting the max keeps e^z finite at z = 1000.</summary>
        public override void Forward<T>(ReadOnlySpan<T> z, Span<T> a, int width)
        {
            for (int row = 0; row < z.Length; row += width)
            {
                var zr = z.Slice(row, width);
                var ar = a.Slice(row, width);
                TensorPrimitives.Subtract(zr, TensorPrimitives.Max(zr), ar);
                TensorPrimitives.Exp(ar, ar);
                TensorPrimitives.Divide(ar, TensorPrimitives.Sum<T>(ar), ar);
            }
        }
        public override void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> g, Span<T> delta, int width)
        {
            for (int row = 0; row < z.Length; row += width)
            {
                var ar = a.Slice(row, width);
                var gr = g.Slice(row, width);
                T ga = TensorPrimitives.Dot(gr, ar);
                for (int j = 0; j < width; j++) delta[row + j] = ar[j] * (gr[j] - ga);
            }
        }
        public override double Apply(double z) => throw new InvalidOperationException("softmax is not element-wise");
        public override double Derivative(double z) => throw new InvalidOperationException("softmax is not element-wise");
    }
}
