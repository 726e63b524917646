using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>
/// The fused update loops against the plain formulas, for every length 0…70 (vector width ± 1, two widths ± 1, …):
/// bit for bit, because the vector body must not change a model file.
/// </summary>
public class UpdateKernelsTests
{
    static float[] Random(Rng rng, int n, double low = -1, double high = 1) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble(low, high)).ToArray();

    [Fact]
    public void Sgd_momentum_and_adam_match_their_formulas_bit_for_bit_at_every_length()
    {
        var rng = new Rng(5);
        for (int n = 0; n <= 70; n++)
        {
            float[] p = Random(rng, n), g = Random(rng, n), v = Random(rng, n), m = Random(rng, n), s = Random(rng, n, 0, 1);
            const float eta = 0.1f, lambda = 0.01f, mu = 0.9f;

            float[] sgd = (float[])p.Clone();
            UpdateKernels.Sgd<float>(sgd, g, eta, lambda);
            for (int i = 0; i < n; i++) Assert.True(BitConverter.SingleToInt32Bits(p[i] - eta * (g[i] + lambda * p[i])) == BitConverter.SingleToInt32Bits(sgd[i]), $"sgd n={n} i={i}");

            float[] mp = (float[])p.Clone(), mv = (float[])v.Clone();
            UpdateKernels.Momentum<float>(mp, g, mv, eta, lambda, mu);
            for (int i = 0; i < n; i++)
            {
                float vi = mu * v[i] + (g[i] + lambda * p[i]);
                Assert.True(vi == mv[i] && p[i] - eta * vi == mp[i], $"momentum n={n} i={i}: expected {vi:R}/{p[i] - eta * vi:R}, actual {mv[i]:R}/{mp[i]:R}");
            }

            float[] ap = (float[])p.Clone(), am = (float[])m.Clone(), av = (float[])s.Clone();
            const float step = 0.001f / 0.1f, b1 = 0.9f, c1 = 0.1f, b2 = 0.999f, c2 = 0.001f, corr = 0.0316f, eps = 1e-8f;
            UpdateKernels.Adam<float>(ap, g, am, av, step, lambda, b1, c1, b2, c2, corr, eps);
            for (int i = 0; i < n; i++)
            {
                float gi = g[i] + lambda * p[i];
                float mi = m[i] * b1 + gi * c1, vi = s[i] * b2 + c2 * gi * gi;
                float pi = p[i] - step * mi / (MathF.Sqrt(vi) / corr + eps);
                Assert.True(mi == am[i] && vi == av[i] && pi == ap[i], $"adam n={n} i={i}: expected {pi:R}, actual {ap[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(UpdateKernels.ParallelLength - 1)] // one thread
    [InlineData(UpdateKernels.ParallelLength)]     // two halves from here
    [InlineData(UpdateKernels.ParallelLength + 37)]
    [InlineData(3 * UpdateKernels.ParallelLength + 5)]
    public void Long_updates_shared_with_the_worker_give_the_same_bits_and_allocate_nothing(int n)
    {
        var rng = new Rng(8);
        float[] p = Random(rng, n), g = Random(rng, n), v = Random(rng, n), m = Random(rng, n), s = Random(rng, n, 0, 1);
        const float eta = 0.1f, lambda = 0.01f, mu = 0.9f;
        const float step = 0.01f, b1 = 0.9f, c1 = 0.1f, b2 = 0.999f, c2 = 0.001f, corr = 0.0316f, eps = 1e-8f;
        float[] sgd = (float[])p.Clone(), mp = (float[])p.Clone(), mv = (float[])v.Clone();
        float[] ap = (float[])p.Clone(), am = (float[])m.Clone(), av = (float[])s.Clone();
        var worker = GemmWorker.Instance;
        long jobsBefore = worker.CompletedJobs;
        UpdateKernels.Sgd<float>(sgd, g, eta, lambda);
        UpdateKernels.Momentum<float>(mp, g, mv, eta, lambda, mu);
        UpdateKernels.Adam<float>(ap, g, am, av, step, lambda, b1, c1, b2, c2, corr, eps);
        // Other tests may hold the worker at the same moment (then the caller does it all), so only "at most".
        Assert.InRange(worker.CompletedJobs - jobsBefore, 0, n >= UpdateKernels.ParallelLength ? long.MaxValue : 0);
        for (int i = 0; i < n; i++)
        {
            Assert.True(p[i] - eta * (g[i] + lambda * p[i]) == sgd[i], $"sgd n={n} i={i}");
            float vi = mu * v[i] + (g[i] + lambda * p[i]);
            Assert.True(vi == mv[i] && p[i] - eta * vi == mp[i], $"momentum n={n} i={i}");
            float gi = g[i] + lambda * p[i];
            float mi = m[i] * b1 + gi * c1, si = s[i] * b2 + c2 * gi * gi;
            Assert.True(mi == am[i] && si == av[i] && p[i] - step * mi / (MathF.Sqrt(si) / corr + eps) == ap[i], $"adam n={n} i={i}");
        }

        WarmUp.PastTieredCompilation(() => UpdateKernels.Momentum<float>(mp, g, mv, eta, lambda, mu));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) UpdateKernels.Momentum<float>(mp, g, mv, eta, lambda, mu);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
