using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>
/// Every fast product against <see cref="GemmReference"/> (in double) over awkward sizes, on every code path:
/// scalar, Vector128, Vector256 and Vector512 micro-kernels (those this processor accelerates), one and two threads, packed and unpacked.
/// </summary>
public class GemmFloatTests
{
    public enum Product { TransposedB, Multiply, TransposedA }

    /// <summary>0, 1, around the vector widths (4, 8, 16), the micro-tiles (4, 6, 12 rows; 4, 8, 16, 32 columns) and primes.</summary>
    static readonly int[] Awkward = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 32, 33, 63, 64, 65, 97, 127, 128, 129, 257];

    /// <summary>Every forced path whose instruction set this processor runs in hardware (emulated sets would only be slow).</summary>
    public static TheoryData<string> Paths => new(PathSettings.Where(path => path.Value is not { } settings || Runs(settings.InstructionSet)).Select(path => path.Key));

    static bool Runs(MatrixInstructionSet instructionSet) => instructionSet switch
    {
        MatrixInstructionSet.Vector512 => GemmFloat.Detected == MatrixInstructionSet.Vector512,
        MatrixInstructionSet.Vector256 => GemmFloat.Detected is MatrixInstructionSet.Vector512 or MatrixInstructionSet.Vector256,
        MatrixInstructionSet.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    static readonly Dictionary<string, GemmSettings?> PathSettings = new()
    {
        ["auto"] = null,
        ["scalar, 1 thread"] = new(MatrixInstructionSet.Scalar, GemmStrategy.Packed, 1),
        ["scalar, 2 threads"] = new(MatrixInstructionSet.Scalar, GemmStrategy.Packed, 2),
        ["Vector128, 1 thread"] = new(MatrixInstructionSet.Vector128, GemmStrategy.Packed, 1),
        ["Vector128, 2 threads"] = new(MatrixInstructionSet.Vector128, GemmStrategy.Packed, 2),
        ["Vector128, direct, 1 thread"] = new(MatrixInstructionSet.Vector128, GemmStrategy.Direct, 1),
        ["Vector128, direct, 2 threads"] = new(MatrixInstructionSet.Vector128, GemmStrategy.Direct, 2),
        ["Vector256, 1 thread"] = new(MatrixInstructionSet.Vector256, GemmStrategy.Packed, 1),
        ["Vector256, 2 threads"] = new(MatrixInstructionSet.Vector256, GemmStrategy.Packed, 2),
        ["Vector256, direct, 1 thread"] = new(MatrixInstructionSet.Vector256, GemmStrategy.Direct, 1),
        ["Vector256, direct, 2 threads"] = new(MatrixInstructionSet.Vector256, GemmStrategy.Direct, 2),
        ["Vector512, 1 thread"] = new(MatrixInstructionSet.Vector512, GemmStrategy.Packed, 1),
        ["Vector512, 2 threads"] = new(MatrixInstructionSet.Vector512, GemmStrategy.Packed, 2),
        ["Vector512, direct, 1 thread"] = new(MatrixInstructionSet.Vector512, GemmStrategy.Direct, 1),
        ["Vector512, direct, 2 threads"] = new(MatrixInstructionSet.Vector512, GemmStrategy.Direct, 2),
        ["Vector256, matrix-vector, 1 thread"] = new(MatrixInstructionSet.Vector256, GemmStrategy.MatrixVector, 1),
        ["Vector256, matrix-vector, 2 threads"] = new(MatrixInstructionSet.Vector256, GemmStrategy.MatrixVector, 2),
        ["Vector512, matrix-vector, 1 thread"] = new(MatrixInstructionSet.Vector512, GemmStrategy.MatrixVector, 1),
        ["Vector512, matrix-vector, 2 threads"] = new(MatrixInstructionSet.Vector512, GemmStrategy.MatrixVector, 2),
    };

    [Fact]
    public void DetectedSetIsTheWidestTheProcessorAccelerates()
    {
        // Not a copy of the detection: the expectation follows from what the runtime reports, so under
        // DOTNET_EnableAVX=0 (CI's second run) it must be Vector128, and on an AVX-512 machine Vector512.
        var expected = Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? MatrixInstructionSet.Vector512
            : Avx2.IsSupported && Fma.IsSupported ? MatrixInstructionSet.Vector256
            : Vector128.IsHardwareAccelerated ? MatrixInstructionSet.Vector128
            : MatrixInstructionSet.Scalar;
        Assert.Equal(expected, GemmFloat.Detected);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX") == "0" && (Sse2.IsSupported || AdvSimd.IsSupported))
            Assert.Equal(MatrixInstructionSet.Vector128, GemmFloat.Detected);
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64)
            Assert.Equal(MatrixInstructionSet.Vector128, GemmFloat.Detected);
    }

    [Fact]
    public void The_128_bit_multiply_add_rounds_once_where_the_processor_has_FMA_and_twice_elsewhere()
    {
        // x = 1 + 2⁻¹²: x² = 1 + 2⁻¹¹ + 2⁻²⁴ needs 25 significant bits. A separate multiply rounds the 2⁻²⁴ away
        // (a tie, to even), so x·x − (1 + 2⁻¹¹) is 0; a fused multiply-add (ARM64 FMLA, x86 FMA) keeps it. Under
        // DOTNET_EnableAVX=0 this is the unfused branch, not a lane-by-lane emulation of FMA (which would give 2⁻²⁴).
        var x = Vector128.Create(1f + MathF.ScaleB(1, -12));
        var result = MultiplyAdd128.Run(x, x, Vector128.Create(-(1f + MathF.ScaleB(1, -11))));
        float expected = Fma.IsSupported || AdvSimd.IsSupported ? MathF.ScaleB(1, -24) : 0;
        Assert.Equal(Vector128.Create(expected), result);
    }

    /// <summary>Each dimension swept over the awkward sizes with the other two awkward too; then blocks crossed.</summary>
    static IEnumerable<(int M, int N, int K)> Shapes()
    {
        foreach (int d in Awkward)
        {
            yield return (d, 33, 17);
            yield return (13, d, 31);
            yield return (11, 35, d);
        }
        yield return (193, 70, 300);  // one row past an Mc = 192 row block
        yield return (5, 2049, 3);    // one column past an Nc = 2048 column block
        yield return (5, 1025, 3);    // one column past the 512-bit kernel's Nc = 1024
        yield return (193, 2050, 5);  // the same, split between two threads
        yield return (97, 129, 513);  // one step past a Kc = 512 depth block (the 256- and 128-bit kernels')
        yield return (257, 40, 513);  // the same, shared by two threads
        yield return (97, 129, 1025); // one step past the 512-bit kernel's Kc = 1024
        yield return (257, 40, 1025); // the same, shared by two threads
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryProductMatchesTheReferenceOnAwkwardSizes(string path)
    {
        using var scope = PathSettings[path] is { } settings ? GemmFloat.Force(settings) : default;
        var rng = new Rng(20240611);
        foreach (var (m, n, k) in Shapes())
            foreach (Product product in Enum.GetValues<Product>())
                foreach (bool accumulate in new[] { false, true })
                    CheckAgainstReference(path, product, m, n, k, accumulate, rng);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void OneRowOfAMatchesTheReferenceOnAwkwardWidthsAndDepths(string path)
    {
        // m = 1 is one example's forward pass, the matrix-vector kernel's case: every awkward n against every awkward k.
        using var scope = PathSettings[path] is { } settings ? GemmFloat.Force(settings) : default;
        var rng = new Rng(20261201);
        foreach (int n in Awkward)
            foreach (int k in Awkward)
                foreach (bool accumulate in new[] { false, true })
                    CheckAgainstReference(path, Product.TransposedB, 1, n, k, accumulate, rng);
        CheckAgainstReference(path, Product.TransposedB, 1, 1024, 784, accumulate: false, rng); // large enough to share
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void WeightsPackedOnceGiveTheBitsOfPackingPerCallOnAwkwardSizes(string path)
    {
        // The predictor's forward product: W packed once for the forced set, then read in place by every call. Its
        // summation order is that of packing per call, so the results must be the same bits, and near the reference.
        using var scope = PathSettings[path] is { } settings ? GemmFloat.Force(settings) : default;
        var rng = new Rng(20261202);
        // m = 1 over every awkward width and depth: the matrix-vector kernel on W's rows grouped by 4 (chunks of 16 or 32).
        var oneRow = Awkward.Where(n => n > 0).SelectMany(n => Awkward.Where(k => k > 0).Select(k => (1, n, k)));
        var shapes = Shapes().Where(s => s.N > 0 && s.K > 0).Concat(oneRow).Concat([(256, 256, 784), (256, 128, 256), (64, 1024, 784), (1, 1024, 784)]);
        foreach (var (m, n, k) in shapes)
            foreach (bool accumulate in new[] { false, true })
            {
                float[] a = RandomMatrix(m * k, rng), w = RandomMatrix(n * k, rng), initial = RandomMatrix(m * n, rng);
                float[] perCall = (float[])initial.Clone(), packedOnce = (float[])initial.Clone();
                // For one row, as a predictor for one example at a time packs it: without the micro-panels.
                var packed = GemmPackedWeights.Pack(w, n, k, GemmFloat.Current, oneRowOnly: m == 1 && accumulate);
                GemmFloat.MultiplyTransposedB(a, w, perCall, m, n, k, accumulate);
                GemmFloat.MultiplyTransposedB(a, packed, packedOnce, m, accumulate);
                for (int i = 0; i < m * n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(perCall[i]) == BitConverter.SingleToInt32Bits(packedOnce[i]),
                        $"{path}: m={m} n={n} k={k} accumulate={accumulate}: C[{i / n},{i % n}] packed per call {perCall[i]:R}, packed once {packedOnce[i]:R}");
                double[] expected = Array.ConvertAll(initial, x => (double)x), magnitude = new double[m * n];
                GemmReference.MultiplyTransposedB<double>(Array.ConvertAll(a, x => (double)x), Array.ConvertAll(w, x => (double)x), expected, m, n, k, accumulate);
                GemmReference.MultiplyTransposedB<double>(Array.ConvertAll(a, x => Math.Abs((double)x)), Array.ConvertAll(w, x => Math.Abs((double)x)), magnitude, m, n, k, false);
                for (int i = 0; i < m * n; i++)
                {
                    double tolerance = 1e-5 * Math.Sqrt(k) * (magnitude[i] + (accumulate ? Math.Abs(initial[i]) : 0) + 1e-30);
                    Assert.True(Math.Abs(packedOnce[i] - expected[i]) <= tolerance,
                        $"{path}: m={m} n={n} k={k} accumulate={accumulate}: C[{i / n},{i % n}] expected {expected[i]:R}, packed once {packedOnce[i]:R}, tolerance {tolerance:E2}");
                }
            }
    }

    [Fact]
    public void WeightsPackedForAnotherSetAreNotReadByThisOne()
    {
        // Panels of the 4-wide scalar kernel read by a 32-wide kernel would be garbage: the product must pack per call.
        var rng = new Rng(11);
        const int m = 40, n = 70, k = 300;
        float[] a = RandomMatrix(m * k, rng), w = RandomMatrix(n * k, rng);
        var scalarPanels = GemmPackedWeights.Pack(w, n, k, MatrixInstructionSet.Scalar);
        float[] expected = new float[m * n], actual = new float[m * n];
        using var scope = GemmFloat.Force(new GemmSettings(GemmFloat.Detected, GemmStrategy.Packed, 1));
        GemmFloat.MultiplyTransposedB(a, w, expected, m, n, k, accumulate: false);
        GemmFloat.MultiplyTransposedB(a, scalarPanels, actual, m, accumulate: false);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void PackingRefusesWeightsOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => GemmPackedWeights.Pack(new float[11], 3, 4, MatrixInstructionSet.Scalar));
        Assert.Equal("weights", e.ParamName);
        Assert.StartsWith("a 3×4 weight matrix has 12 values, got 11", e.Message);
    }

    [Fact]
    public void OneRowOfAGivesTheSameBitsOnOneThreadAndOnTwo()
    {
        // The predictor promises the same outputs whichever thread computes them and whether the worker is free.
        var rng = new Rng(8);
        float[] a = RandomMatrix(1024, rng), b = RandomMatrix(1030 * 1024, rng);
        float[] one = new float[1030], two = new float[1030];
        using (GemmFloat.Force(new GemmSettings(GemmFloat.Detected, GemmStrategy.Auto, 1)))
            GemmFloat.MultiplyTransposedB(a, b, one, 1, 1030, 1024, accumulate: false);
        long before = GemmWorker.Available ? GemmWorker.JobsSharedByCurrentThread : 0;
        using (GemmFloat.Force(new GemmSettings(GemmFloat.Detected, GemmStrategy.Auto, 2)))
            for (int attempt = 0; attempt < 100 && (!GemmWorker.Available || GemmWorker.JobsSharedByCurrentThread == before); attempt++)
                GemmFloat.MultiplyTransposedB(a, b, two, 1, 1030, 1024, accumulate: false);
        if (GemmWorker.Available) Assert.True(GemmWorker.JobsSharedByCurrentThread > before, "the worker never took a half");
        for (int j = 0; j < one.Length; j++)
            Assert.True(BitConverter.SingleToInt32Bits(one[j]) == BitConverter.SingleToInt32Bits(two[j]), $"C[0,{j}]: one thread {one[j]:R}, two {two[j]:R}");
    }

    [Fact]
    public void TrainingShapesMatchTheReference()
    {
        var rng = new Rng(7);
        foreach (var (m, n, k) in new[] { (10, 30, 784), (10, 784, 30), (30, 784, 10), (64, 256, 784), (64, 784, 256), (256, 784, 64) })
            foreach (Product product in Enum.GetValues<Product>())
                foreach (bool accumulate in new[] { false, true })
                    CheckAgainstReference("auto", product, m, n, k, accumulate, rng);
    }

    [Theory]
    [InlineData(16)] // one 12-row tile and a 4-row edge: one pass of the short kernel
    [InlineData(20)] // an 8-row edge: two passes
    [InlineData(18)] // a 6-row edge: a whole pass and a part one, through the scratch tile
    public void A_short_last_row_tile_gives_the_bits_of_a_whole_tile(int m)
    {
        // Rows 12… of an m-row product sit in the short last tile; in a 24-row product the same rows of A fill a
        // whole tile. Each element's sum is taken in the same order by both kernels, so the bits must agree,
        // accumulating or not, across a depth block of every kernel (k = 1100 > 1024) and a ragged last column panel (n = 70).
        const int n = 70, k = 1100;
        var rng = new Rng(41);
        float[] a = RandomMatrix(24 * k, rng), b = RandomMatrix(n * k, rng), start = RandomMatrix(24 * n, rng);
        foreach (string path in new[] { "Vector512, 1 thread", "Vector512, 2 threads", "Vector256, 1 thread", "Vector128, 1 thread" })
        {
            if (PathSettings[path] is not { } settings || !Runs(settings.InstructionSet)) continue;
            using var scope = GemmFloat.Force(settings);
            foreach (bool accumulate in new[] { false, true })
            {
                float[] edge = start[..(m * n)], whole = (float[])start.Clone();
                GemmFloat.MultiplyTransposedB(a.AsSpan(0, m * k), b, edge, m, n, k, accumulate);
                GemmFloat.MultiplyTransposedB(a, b, whole, 24, n, k, accumulate);
                for (int i = 12 * n; i < m * n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(edge[i]) == BitConverter.SingleToInt32Bits(whole[i]),
                        $"{path}, accumulate {accumulate}: C[{i / n},{i % n}] {edge[i]:R} in the short tile, {whole[i]:R} in a whole one");
            }
        }
    }

    [Fact]
    public void Row_major_A_read_in_place_gives_the_bits_of_A_packed()
    {
        // A·B from row-major A (whole panels read in place by the 12×32 kernel) and from Aᵀ storage (always packed)
        // take every sum in the same order: the bits must agree, with a short last panel (30 = 2·12 + 6), a ragged
        // last column panel (70) and a second depth block (1100 > every kernel's Kc).
        const int m = 30, n = 70, k = 1100;
        var rng = new Rng(43);
        float[] a = RandomMatrix(m * k, rng), b = RandomMatrix(k * n, rng), start = RandomMatrix(m * n, rng);
        float[] aTransposed = new float[k * m];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) aTransposed[p * m + i] = a[i * k + p];
        foreach (MatrixInstructionSet set in new[] { MatrixInstructionSet.Vector512, MatrixInstructionSet.Vector256, MatrixInstructionSet.Vector128 })
        {
            if (!Runs(set)) continue;
            using var scope = GemmFloat.Force(new GemmSettings(set, GemmStrategy.Packed, 1));
            foreach (bool accumulate in new[] { false, true })
            {
                float[] inPlace = (float[])start.Clone(), packed = (float[])start.Clone();
                GemmFloat.Multiply(a, b, inPlace, m, n, k, accumulate);
                GemmFloat.MultiplyTransposedA(aTransposed, b, packed, m, n, k, accumulate);
                for (int i = 0; i < m * n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(inPlace[i]) == BitConverter.SingleToInt32Bits(packed[i]),
                        $"{set}, accumulate {accumulate}: C[{i / n},{i % n}] {inPlace[i]:R} from A in place, {packed[i]:R} from A packed");
            }
        }
    }

    [Theory]
    [InlineData(17, 70, 1100)] // packed tiles: a short last row tile, a ragged column panel, two depth blocks
    [InlineData(300, 130, 40)] // tall enough for two threads
    [InlineData(5, 40, 300)]  // the direct tiles (n < 64)
    [InlineData(1, 300, 200)] // one example: the matrix-vector kernel
    public void A_layer_with_its_bias_and_relu_finished_in_the_product_gives_the_bits_of_separate_passes(int m, int n, int k)
    {
        var rng = new Rng(47);
        float[] a = RandomMatrix(m * k, rng), w = RandomMatrix(n * k, rng), bias = RandomMatrix(n, rng);
        if (m > 1) a[k / 2] = float.NaN; // row 0's z all NaN, which ReLU must keep, as TensorPrimitives.Max does
        foreach (MatrixInstructionSet set in new[] { MatrixInstructionSet.Vector512, MatrixInstructionSet.Vector256, MatrixInstructionSet.Vector128, MatrixInstructionSet.Scalar })
        {
            if (!Runs(set)) continue;
            using var scope = GemmFloat.Force(new GemmSettings(set));
            var packed = GemmPackedWeights.Pack(w, n, k, set, oneRowOnly: m == 1);
            foreach (bool relu in new[] { false, true })
            {
                float[] expected = new float[m * n], actual = new float[m * n];
                GemmFloat.MultiplyTransposedB(a, w, expected, m, n, k, accumulate: false);
                for (int row = 0; row < m; row++)
                {
                    var z = expected.AsSpan(row * n, n);
                    System.Numerics.Tensors.TensorPrimitives.Add(z, bias, z);
                    if (relu) System.Numerics.Tensors.TensorPrimitives.Max(z, 0f, z);
                }
                GemmFloat.Layer(a, packed, bias, relu, actual, m);
                Assert.True(m == 1 || float.IsNaN(actual[0]), "the NaN input's row");
                if (relu) Assert.Contains(actual, v => v == 0); // some z < 0 were cut
                for (int i = 0; i < m * n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{set}, relu {relu}: z[{i / n},{i % n}] {expected[i]:R} in separate passes, {actual[i]:R} finished in the product");
            }
        }
    }

    [Fact]
    public void TwoThreadSettingHandsHalfOfTheProductToTheWorker()
    {
        // Counted per calling thread, so other tests' products on the worker do not count. A product that finds the
        // worker held by another test computes alone (0 jobs, and right); it is tried again until it shares.
        using var scope = GemmFloat.Force(new GemmSettings(GemmFloat.Detected, GemmStrategy.Packed, 2));
        var rng = new Rng(5);
        var counts = new List<long>();
        for (int attempt = 0; attempt < 1000 && !counts.Contains(1); attempt++)
        {
            long before = GemmWorker.JobsSharedByCurrentThread;
            CheckAgainstReference("2 threads", Product.Multiply, 40, 100, 20, accumulate: false, rng);
            counts.Add(GemmWorker.JobsSharedByCurrentThread - before);
        }
        Assert.True(counts.All(c => c is 0 or 1) && counts[^1] == 1,
            $"jobs handed to the worker per product: {string.Join(", ", counts)}; expected exactly one once the worker was free (0 while another thread held it)");
    }

    [Fact]
    public void ConcurrentCallersBothGetCorrectResults()
    {
        // Only one caller can hold the worker; the other must compute alone, not share or corrupt it.
        var failures = new Exception?[2];
        var threads = new Thread[2];
        for (int t = 0; t < 2; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    using var scope = GemmFloat.Force(new GemmSettings(GemmFloat.Detected, GemmStrategy.Packed, 2));
                    var rng = new Rng((ulong)index + 1);
                    for (int repeat = 0; repeat < 10; repeat++)
                        CheckAgainstReference($"caller {index}", (Product)(repeat % 3), 70, 90, 50, accumulate: false, rng);
                }
                catch (Exception exception)
                {
                    failures[index] = exception;
                }
            });
            threads[t].Start();
        }
        foreach (var thread in threads) thread.Join();
        Assert.Null(failures[0]);
        Assert.Null(failures[1]);
    }

    [Theory]
    [InlineData(10, 30, 784)]
    [InlineData(1, 1024, 1024)] // one example's forward pass, the matrix-vector kernel shared with the worker
    [InlineData(64, 256, 784)] // large enough for two threads, each with half of C
    [InlineData(256, 64, 64)]  // tall: two threads, each with half of C's rows
    public void RepeatedCallsAtTrainingShapesAllocateNothing(int m, int n, int k)
    {
        var rng = new Rng(3);
        float[] a = RandomMatrix(Math.Max(m, n) * k, rng), b = RandomMatrix(Math.Max(m, n) * k, rng);
        float[] c = new float[Math.Max(m, n) * Math.Max(n, k)];
        void RunAll()
        {
            GemmFloat.MultiplyTransposedB(a, b, c, m, n, k, accumulate: false);   // forward: batch × out, summed over in
            GemmFloat.Multiply(a, b, c, m, k, n, accumulate: false);              // backward: batch × in, summed over out
            GemmFloat.MultiplyTransposedA(a, b, c, n, k, m, accumulate: true);    // gradient: out × in, summed over batch
        }
        WarmUp.PastTieredCompilation(RunAll); // also this thread's packing buffers and the worker thread
        var worker = GemmWorker.Instance;
        long before = GC.GetAllocatedBytesForCurrentThread(), workerBefore = worker.AllocatedBytes, jobsBefore = worker.CompletedJobs;
        for (int i = 0; i < 100; i++) RunAll();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before, workerAllocated = worker.AllocatedBytes - workerBefore;
        Assert.True(allocated == 0, $"100 rounds of the three products at {m}×{n}×{k} allocated {allocated} bytes on the calling thread; expected 0");
        Assert.True(workerAllocated == 0, $"... and {workerAllocated} bytes on the worker thread ({worker.CompletedJobs - jobsBefore} jobs); expected 0");
    }

    [Fact]
    public void ShortSpansAreRejectedBeforeAnyPointerIsRead()
    {
        var ex = Assert.Throws<ArgumentException>(() => GemmFloat.Multiply(new float[5], new float[6], new float[6], 2, 3, 3, false));
        Assert.Contains("A has 5 (needs 6)", ex.Message);
    }

    static void CheckAgainstReference(string path, Product product, int m, int n, int k, bool accumulate, Rng rng)
    {
        float[] a = RandomMatrix(m * k, rng), b = RandomMatrix(k * n, rng);
        const int guard = 5;
        float[] c = new float[m * n + guard];
        // Without accumulate every entry must be overwritten: NaN anywhere left over would show.
        for (int i = 0; i < c.Length; i++) c[i] = i < m * n && accumulate ? (float)rng.NextDouble(-1, 1) : float.NaN;
        float[] initial = (float[])c.Clone();

        double[] ad = Array.ConvertAll(a, x => (double)x), bd = Array.ConvertAll(b, x => (double)x);
        double[] expected = Array.ConvertAll(initial[..(m * n)], x => (double)x);
        double[] magnitude = new double[m * n];
        double[] aAbs = Array.ConvertAll(ad, Math.Abs), bAbs = Array.ConvertAll(bd, Math.Abs);
        switch (product)
        {
            case Product.TransposedB:
                GemmReference.MultiplyTransposedB<double>(ad, bd, expected, m, n, k, accumulate);
                GemmReference.MultiplyTransposedB<double>(aAbs, bAbs, magnitude, m, n, k, false);
                GemmFloat.MultiplyTransposedB(a, b, c, m, n, k, accumulate);
                break;
            case Product.Multiply:
                GemmReference.Multiply<double>(ad, bd, expected, m, n, k, accumulate);
                GemmReference.Multiply<double>(aAbs, bAbs, magnitude, m, n, k, false);
                GemmFloat.Multiply(a, b, c, m, n, k, accumulate);
                break;
            default:
                GemmReference.MultiplyTransposedA<double>(ad, bd, expected, m, n, k, accumulate);
                GemmReference.MultiplyTransposedA<double>(aAbs, bAbs, magnitude, m, n, k, false);
                GemmFloat.MultiplyTransposedA(a, b, c, m, n, k, accumulate);
                break;
        }

        double relative = 1e-5 * Math.Sqrt(Math.Max(k, 1));
        for (int i = 0; i < m * n; i++)
        {
            // Float rounding error grows with the sum of |terms|, not with the (possibly cancelling) result.
            double scale = magnitude[i] + (accumulate ? Math.Abs(initial[i]) : 0) + 1e-30;
            double error = Math.Abs(c[i] - expected[i]);
            if (!(error <= relative * scale))
                Assert.Fail($"{path}: {product} m={m} n={n} k={k} accumulate={accumulate}: C[{i / n},{i % n}] (index {i}) expected {expected[i]:R}, actual {c[i]:R}, error {error:E2} > tolerance {relative * scale:E2}");
        }
        for (int i = m * n; i < c.Length; i++)
            if (!float.IsNaN(c[i]))
                Assert.Fail($"{path}: {product} m={m} n={n} k={k}: wrote past C at index {i} (value {c[i]})");
    }

    static float[] RandomMatrix(int length, Rng rng)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)rng.NextDouble(-1, 1);
        return values;
    }
}
