using Backprop.Kernels;

namespace Backprop.Benchmarks;

/// <summary>The three products in training, named by the pass they serve.</summary>
public enum GemmProduct
{
    /// <summary>Forward Z = A_prev·Wᵀ: C = A·Bᵀ.</summary>
    TransposedB,

    /// <summary>Backward Δ_prev = Δ·W: C = A·B.</summary>
    Multiply,

    /// <summary>Gradient ∂C/∂W = Δᵀ·A_prev: C = Aᵀ·B.</summary>
    TransposedA,
}

/// <summary>C is m×n; k is the summed dimension.</summary>
public readonly record struct GemmShape(int M, int N, int K)
{
    public static GemmShape Parse(string text)
    {
        var parts = text.Split('x');
        return new GemmShape(int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
    }

    public override string ToString() => $"{M}x{N}x{K}";
}

/// <summary>Random operands for one product at one shape, and a call of the kernel on them.</summary>
public sealed class GemmOperands
{
    readonly float[] a, b, c;
    readonly GemmProduct product;
    readonly GemmShape shape;

    public GemmOperands(GemmProduct product, GemmShape shape)
    {
        this.product = product;
        this.shape = shape;
        var rng = new Rng(12345);
        a = Fill(new float[shape.M * shape.K], rng);
        b = Fill(new float[shape.K * shape.N], rng);
        c = new float[shape.M * shape.N];
    }

    static float[] Fill(float[] values, Rng rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)rng.NextDouble(-1, 1);
        return values;
    }

    public void Run()
    {
        var (m, n, k) = (shape.M, shape.N, shape.K);
        switch (product)
        {
            case GemmProduct.TransposedB: GemmFloat.MultiplyTransposedB(a, b, c, m, n, k, accumulate: false); break;
            case GemmProduct.Multiply: GemmFloat.Multiply(a, b, c, m, n, k, accumulate: false); break;
            default: GemmFloat.MultiplyTransposedA(a, b, c, m, n, k, accumulate: false); break;
        }
    }
}
