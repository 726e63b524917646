using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Tests;

/// <summary>
/// <see cref="MatrixProducts"/>: what it reports follows from what the runtime says of this processor, and
/// <see cref="MatrixProducts.Use"/> moves the calling thread's products, and only its, to another instruction set.
/// (In the browser, PlaygroundGemmTests checks the 128-bit path and the single thread.)
/// </summary>
public class MatrixProductsTests
{
    /// <summary>Not a copy of the detection: under DOTNET_EnableAVX=0 (CI's second run) this is Vector128, on AVX-512 Vector512.</summary>
    static MatrixInstructionSet ExpectedWidest =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? MatrixInstructionSet.Vector512
        : Avx2.IsSupported && Fma.IsSupported ? MatrixInstructionSet.Vector256
        : Vector128.IsHardwareAccelerated ? MatrixInstructionSet.Vector128
        : MatrixInstructionSet.Scalar;

    static IEnumerable<MatrixInstructionSet> Accelerated =>
        Enum.GetValues<MatrixInstructionSet>().Where(set => set <= ExpectedWidest && (set != MatrixInstructionSet.Vector128 || Vector128.IsHardwareAccelerated));

    [Fact]
    public void The_widest_set_is_what_the_processor_accelerates_and_products_run_on_it_by_default()
    {
        Assert.Equal(ExpectedWidest, MatrixProducts.Widest);
        Assert.Equal(ExpectedWidest, MatrixProducts.Current);
        // Outside a browser, on this machine's two cores, the library may share products with its worker thread.
        Assert.Equal(Environment.ProcessorCount > 1, MatrixProducts.UsesSecondThread);
    }

    [Fact]
    public void The_description_names_the_width_how_multiply_adds_round_and_the_threads()
    {
        string threads = Environment.ProcessorCount > 1 ? ", two threads" : ", one thread";
        string expected = ExpectedWidest switch
        {
            MatrixInstructionSet.Vector512 => "512-bit SIMD (fused multiply-add)",
            MatrixInstructionSet.Vector256 => "256-bit SIMD (fused multiply-add)",
            MatrixInstructionSet.Vector128 => Fma.IsSupported || AdvSimd.IsSupported ? "128-bit SIMD (fused multiply-add)" : "128-bit SIMD (multiply, then add)",
            _ => "scalar 4×4 tiles",
        };
        Assert.Equal(expected + threads, MatrixProducts.Description);
        using (MatrixProducts.Use(MatrixInstructionSet.Scalar))
            Assert.Equal("scalar 4×4 tiles" + threads, MatrixProducts.Description);
    }

    [Fact]
    public void Use_moves_this_thread_s_products_until_disposed_and_leaves_other_threads_alone()
    {
        MatrixInstructionSet elsewhere = (MatrixInstructionSet)(-1);
        using (MatrixProducts.Use(MatrixInstructionSet.Scalar))
        {
            Assert.Equal(MatrixInstructionSet.Scalar, MatrixProducts.Current);
            var other = new Thread(() => elsewhere = MatrixProducts.Current);
            other.Start();
            other.Join();
            Assert.Equal(ExpectedWidest, elsewhere);
            Assert.Equal(ExpectedWidest, MatrixProducts.Widest);
        }
        Assert.Equal(ExpectedWidest, MatrixProducts.Current);
    }

    [Fact]
    public void Every_accelerated_set_trains_the_same_network_to_the_same_cost_and_repeats_itself_to_the_bit()
    {
        var data = DataSource.Train("spiral", new DataOptions(Seed: 3));
        var options = new TrainingOptions { Epochs = 3 };
        var shape = new ModelOptions { Layers = [2, 40, 40, 2] };
        var widest = Model.Train(data, options, shape).Evaluate(data);
        foreach (var set in Accelerated)
        {
            byte[] first, second;
            Evaluation evaluation;
            using (MatrixProducts.Use(set))
            {
                var model = Model.Train(data, options, shape);
                first = ModelFile.ToBytes(model);
                second = ModelFile.ToBytes(Model.Train(data, options, shape));
                evaluation = model.Evaluate(data);
            }
            Assert.True(first.AsSpan().SequenceEqual(second), $"{set}: two runs of the same seed gave different model files");
            // Summation order and fused or separate rounding differ between sets: the last bits may, the cost may not.
            Assert.True(Math.Abs(evaluation.Cost - widest.Cost) <= 1e-4 * widest.Cost,
                $"{set}: training cost {evaluation.Cost:R} against {widest.Cost:R} on {MatrixProducts.Widest} (relative tolerance 1e-4)");
        }
    }

    [Fact]
    public void Use_refuses_an_undefined_value_and_a_set_the_processor_does_not_accelerate()
    {
        var undefined = Assert.Throws<ArgumentOutOfRangeException>(() => MatrixProducts.Use((MatrixInstructionSet)7));
        Assert.Equal("instructionSet", undefined.ParamName);
        Assert.Contains("use Scalar, Vector128, Vector256 or Vector512", undefined.Message);
        // None on an AVX-512 machine; Vector256 and Vector512 under DOTNET_EnableAVX=0 (CI's second run).
        foreach (var set in Enum.GetValues<MatrixInstructionSet>().Except(Accelerated))
        {
            var refused = Assert.Throws<ArgumentException>(() => MatrixProducts.Use(set));
            Assert.Contains($"this processor does not accelerate {set}; use {ExpectedWidest} or a narrower set", refused.Message);
            Assert.Equal(ExpectedWidest, MatrixProducts.Current);
        }
    }
}
