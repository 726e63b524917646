using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Kernels;

/// <summary>
/// The optimizers' per-parameter updates as fused loops: one pass over the parameters, gradients and state instead
/// of one per operation. Each runs <see cref="Vector{T}"/> lanes and finishes the remainder with the scalar form,
/// which is the reference: the vector body evaluates exactly the same operations in the same order (no fused
/// multiply-add), so both give the same bits and a model file does not depend on where the vector body stopped.
/// That also makes a float tensor of <see cref="ParallelLength"/> or more safe to update in two halves, the second
/// on the GEMM worker thread: the update is memory-bound, and one core alone does not saturate memory.
/// </summary>
internal static unsafe class UpdateKernels
{
    /// <summary>
    /// From this many parameters a float update is shared with the worker. Measured with the worker awake
    /// (momentum, best of 5, µs, one thread / two): 16 K 4.9 / 3.7, 32 K 10.8 / 6.6, 64 K 20.1 / 11.9,
    /// 128 K 40.9 / 22.3, 200 K 66.5 / 35.6, 1 M 331 / 163. But a worker that no product has woken lately sleeps,
    /// and waking it costs 10–50 µs: at 16 K, configuration A (23,520 weights, products too small for two
    /// threads) went from 0.15 to 0.19–0.40 s per epoch. From 128 K the saving outweighs a wake-up.
    /// </summary>
    public const int ParallelLength = 1 << 17;

    /// <summary>
    /// g ← g + λ₁·sign(w), sign(0) = 0: the L1 term's gradient, added before the optimizer's own weight decay as
    /// autograd adds it for a loss C + λ₁‖W‖₁. A plain loop: L1 is for the playground's small networks.
    /// </summary>
    public static void AddL1<T>(Span<T> g, ReadOnlySpan<T> w, T lambda) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < g.Length; i++)
            g[i] += w[i] > T.Zero ? lambda : w[i] < T.Zero ? -lambda : T.Zero;
    }

    /// <summary>p ← p − η (g + λp).</summary>
    public static void Sgd<T>(Span<T> p, ReadOnlySpan<T> g, T eta, T lambda) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && p.Length >= ParallelLength)
        {
            fixed (float* pp = FloatView.Of(p), pg = FloatView.Of(g))
            {
                var o = new Operands { P = pp, G = pg, S0 = FloatView.Of(eta), S1 = FloatView.Of(lambda) };
                GemmWorker.RunHalves(&o, p.Length, &SgdPart);
            }
            return;
        }
        SgdLoop(p, g, eta, lambda);
    }

    /// <summary>v ← μv + (g + λp), p ← p − ηv.</summary>
    public static void Momentum<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T eta, T lambda, T mu) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && p.Length >= ParallelLength)
        {
            fixed (float* pp = FloatView.Of(p), pg = FloatView.Of(g), pv = FloatView.Of<T>(v))
            {
                var o = new Operands { P = pp, G = pg, V = pv, S0 = FloatView.Of(eta), S1 = FloatView.Of(lambda), S2 = FloatView.Of(mu) };
                GemmWorker.RunHalves(&o, p.Length, &MomentumPart);
            }
            return;
        }
        MomentumLoop(p, g, v, eta, lambda, mu);
    }

    /// <summary>
    /// g′ = g + λp; m ← β1 m + (1−β1) g′; v ← β2 v + (1−β2) g′²; p ← p − s · m / (√v / c + ε),
    /// with s = η / (1−β1ᵗ) and c = √(1−β2ᵗ) computed by the caller.
    /// </summary>
    public static void Adam<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T stepSize, T lambda,
        T beta1, T oneMinusBeta1, T beta2, T oneMinusBeta2, T correction2, T epsilon) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && p.Length >= ParallelLength)
        {
            fixed (float* pp = FloatView.Of(p), pg = FloatView.Of(g), pm = FloatView.Of<T>(m), pv = FloatView.Of<T>(v))
            {
                var o = new Operands
                {
                    P = pp, G = pg, M = pm, V = pv, S0 = FloatView.Of(stepSize), S1 = FloatView.Of(lambda), S2 = FloatView.Of(beta1), S3 = FloatView.Of(oneMinusBeta1),
                    S4 = FloatView.Of(beta2), S5 = FloatView.Of(oneMinusBeta2), S6 = FloatView.Of(correction2), S7 = FloatView.Of(epsilon),
                };
                GemmWorker.RunHalves(&o, p.Length, &AdamPart);
            }
            return;
        }
        AdamLoop(p, g, m, v, stepSize, lambda, beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction2, epsilon);
    }

    /// <summary>A float update's tensors and scalars, for the two threads of <see cref="GemmWorker.RunHalves"/>.</summary>
    struct Operands
    {
        public float* P, G, V, M;
        public float S0, S1, S2, S3, S4, S5, S6, S7;
    }

    static Span<float> Slice(float* start, int from, int to) => new(start + from, to - from);

    static void SgdPart(void* state, int from, int to)
    {
        var o = (Operands*)state;
        SgdLoop<float>(Slice(o->P, from, to), Slice(o->G, from, to), o->S0, o->S1);
    }

    static void MomentumPart(void* state, int from, int to)
    {
        var o = (Operands*)state;
        MomentumLoop<float>(Slice(o->P, from, to), Slice(o->G, from, to), Slice(o->V, from, to), o->S0, o->S1, o->S2);
    }

    static void AdamPart(void* state, int from, int to)
    {
        var o = (Operands*)state;
        AdamLoop<float>(Slice(o->P, from, to), Slice(o->G, from, to), Slice(o->M, from, to), Slice(o->V, from, to),
            o->S0, o->S1, o->S2, o->S3, o->S4, o->S5, o->S6, o->S7);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SgdLoop<T>(Span<T> p, ReadOnlySpan<T> g, T eta, T lambda) where T : IFloatingPointIeee754<T>
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MomentumLoop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T eta, T lambda, T mu) where T : IFloatingPointIeee754<T>
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AdamLoop<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T stepSize, T lambda,
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
