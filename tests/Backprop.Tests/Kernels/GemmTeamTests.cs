using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>
/// A team product whose worker never joins: the caller settles the team at its first barrier and computes all of C
/// alone, counting one ticket past the end of each phase instead of two.
/// </summary>
public unsafe class GemmTeamTests
{
    [Theory]
    [InlineData(40, 70, 30)]     // one block
    [InlineData(193, 2050, 513)] // past an Mc row block, an Nc column block and a Kc depth block: several barriers
    public void A_caller_whose_worker_never_joins_computes_the_whole_product_alone(int m, int n, int k)
    {
        var rng = new Rng(17);
        float[] a = new float[m * k], b = new float[n * k], c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble(-1, 1);
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble(-1, 1);
        Array.Fill(c, float.NaN);
        var schedule = new GemmSchedule();
        schedule.Reset();
        var workspace = GemmWorkspace.Current;
        fixed (float* pa = a, pb = b, pc = c)
        {
            var problem = new GemmProblem { A = pa, B = pb, C = pc, M = m, N = n, K = k, BTransposed = true };
            GemmBlocked.RunTeam<MicroKernel256>(problem, workspace, new GemmTeam(workspace.PackedB, schedule));
        }
        Assert.True(schedule.WentAlone, "the caller waited for a worker that never came");
        Assert.False(schedule.Join(), "a worker arriving after the caller went alone must not join");

        double[] expected = new double[m * n];
        GemmReference.MultiplyTransposedB<double>(Array.ConvertAll(a, x => (double)x), Array.ConvertAll(b, x => (double)x), expected, m, n, k, false);
        double tolerance = 1e-5 * Math.Sqrt(k) * k;
        for (int i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= tolerance, $"C[{i / n},{i % n}] expected {expected[i]:R}, actual {c[i]:R}, tolerance {tolerance:G3}");
    }
}
