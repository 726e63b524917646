using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Activations;

namespace Backprop.Costs;

/// <summary>
/// C, comparing the output activations a = aᴸ with the targets y. Like Nielsen's network2, the cost owns the
/// output layer's δᴸ, because softmax with cross-entropy cancels φ′ to give δᴸ = a − y.
/// All spans are (batch × width), row-major.
/// </summary>
public abstract class Cost
{
    /// <summary>C = Σⱼ (aⱼ − yⱼ)² per example (no ½), so ∂C/∂a = 2(a − y).</summary>
    public static readonly Cost Quadratic = new QuadraticCost();
    /// <summary>C = −Σⱼ yⱼ ln aⱼ per example, after a softmax output; then δᴸ = a − y.</summary>
    public static readonly Cost CrossEntropy = new CrossEntropyCost();
    /// <summary>Every cost.</summary>
    public static IReadOnlyList<Cost> All { get; } = [Quadratic, CrossEntropy];

    /// <summary>The cost's name, as <see cref="Parse(string)"/> takes it: quadratic or cross-entropy.</summary>
    public abstract string Name { get; }

    /// <summary>Σ_k C_k over the batch's examples (the caller divides by the batch size).</summary>
    public abstract T Total<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int width) where T : IFloatingPointIeee754<T>;

    /// <summary>δᴸ = ∂C_k/∂zᴸ for every example of the batch (not yet divided by the batch size).</summary>
    public abstract void OutputDelta<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Activation output, Span<T> delta, int width)
        where T : IFloatingPointIeee754<T>;

    /// <summary>Throws a <see cref="BackpropException"/> when this cost cannot follow <paramref name="output"/>.</summary>
    public virtual void Validate(Activation output, int outputSize) { }

    /// <summary>The cost's name.</summary>
    public override string ToString() => Name;

    /// <summary>The cost named <paramref name="name"/>; a <see cref="BackpropException"/> naming the choices otherwise.</summary>
    public static Cost Parse(string name) =>
        All.FirstOrDefault(c => c.Name == name.Trim().ToLowerInvariant())
        ?? throw new BackpropException($"unknown cost '{ShownText.Of(name)}' for Architecture.Cost; use one of: {string.Join(", ", All.Select(c => c.Name))}");

    sealed class QuadraticCost : Cost
    {
        public override string Name => "quadratic";

        /// <summary>C_k = Σ_j (a_j − y_j)², the seeds' cost, without the ½ some books add.</summary>
        public override T Total<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int width)
        {
            T sum = T.Zero;
            for (int i = 0; i < a.Length; i++) { T d = a[i] - y[i]; sum += d * d; }
            return sum;
        }

        /// <summary>∂C/∂a = 2(a − y), then δᴸ = ∂C/∂a ⊙ φ′(zᴸ) through the output activation.</summary>
        public override void OutputDelta<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Activation output, Span<T> delta, int width)
        {
            TensorPrimitives.Subtract(a, y, delta);
            TensorPrimitives.Multiply(delta, T.CreateTruncating(2), delta);
            output.Backward(z, a, delta, delta, width);
        }
    }

    sealed class CrossEntropyCost : Cost
    {
        public override string Name => "cross-entropy";

        public override void Validate(Activation output, int outputSize)
        {
            if (output != Activation.Softmax)
                throw new BackpropException($"cross-entropy needs Architecture.OutputActivation softmax (got {output.Name}); or use Architecture.Cost quadratic");
        }

        /// <summary>
        /// C_k = −Σ_j y_j ln a_j with ln a_j = z_j − m − ln Σ_i e^(z_i − m), m = max z: computed from z, never from a,
        /// so a softmax output that rounds to 0 gives a large finite cost instead of ∞.
        /// </summary>
        public override T Total<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int width)
        {
            T sum = T.Zero;
            for (int row = 0; row < z.Length; row += width)
            {
                var zr = z.Slice(row, width);
                T m = TensorPrimitives.Max(zr);
                T logSum = T.Zero;
                for (int j = 0; j < width; j++) logSum += T.Exp(zr[j] - m);
                logSum = T.Log(logSum);
                for (int j = 0; j < width; j++)
                {
                    T yj = y[row + j];
                    if (yj != T.Zero) sum -= yj * (zr[j] - m - logSum);
                }
            }
            return sum;
        }

        /// <summary>With softmax, ∂C/∂z_j = a_j − y_j (for targets that sum to one): φ′ cancels.</summary>
        public override void OutputDelta<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, Activation output, Span<T> delta, int width) =>
            TensorPrimitives.Subtract(a, y, delta);
    }
}
