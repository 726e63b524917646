using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// The optimizers' per-parameter updates as fused loops: one pass over the parameters, gradients and state instead
/// of one per operation. Each runs <see cref="Vector{T}"/> lanes and finishes the remainder with the scalar form,
/// which is the reference: the vector body evaluates exactly the same operations in the same order (no fused
/// multiply-add), so both give the same bits and a model file does not depend on where the vector body stopped.
/// </summary>
internal static class UpdateKernels
{
    /// <summary>p ← p − η (g + λp).</summary>
    public static void Sgd<T>(Span<T> p, ReadOnlySpan<T> g, T eta, T lambda) where T : IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> e = new(eta), l = new(lambda);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var pv = new Vector<T>(p[i..]);
                (pv - e * (new Vector<T>(g[i..]) + l * pv)).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++) p[i] -= eta * (g[i] + lambda * p[i]);
    }

    /// <summary>v ← μv + (g + λp), p ← p − ηv.</summary>
    public static void Momentum<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T eta, T lambda, T mu) where T : IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> e = new(eta), l = new(lambda), m = new(mu);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var pv = new Vector<T>(p[i..]);
                var vv = m * new Vector<T>(v[i..]) + (new Vector<T>(g[i..]) + l * pv);
                vv.CopyTo(v[i..]);
                (pv - e * vv).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            v[i] = mu * v[i] + (g[i] + lambda * p[i]);
            p[i] -= eta * v[i];
        }
    }

    /// <summary>
    /// g′ = g + λp; m ← β1 m + (1−β1) g′; v ← β2 v + (1−β2) g′²; p ← p − s · m / (√v / c + ε),
    /// with s = η / (1−β1ᵗ) and c = √(1−β2ᵗ) computed by the caller.
    /// </summary>
    public static void Adam<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T stepSize, T lambda,
        T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T correction2, T epsilon) where T : IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            Vector<T> s = new(stepSize), l = new(lambda), b1 = new(beta1), c1 = new(oneMinusBeta1), b2 = new(beta2),
                c2 = new(oneMinusBeta2), c = new(correction2), eps = new(epsilon);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var pv = new Vector<T>(p[i..]);
                var gv = new Vector<T>(g[i..]) + l * pv;
                var mv = new Vector<T>(m[i..]) * b1 + gv * c1;
                var vv = new Vector<T>(v[i..]) * b2 + c2 * gv * gv;
                mv.CopyTo(m[i..]);
                vv.CopyTo(v[i..]);
                (pv - s * mv / (Vector.SquareRoot(vv) / c + eps)).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            T gi = g[i] + lambda * p[i];
            m[i] = m[i] * beta1 + gi * oneMinusBeta1;
            v[i] = v[i] * beta2 + oneMinusBeta2 * gi * gi;
            p[i] -= stepSize * m[i] / (T.Sqrt(v[i]) / correction2 + epsilon);
        }
    }
}
