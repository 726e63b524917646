// The ARM64 check (issue 13), run by .ci/arm64.sh: published self-contained for linux-arm64 and run under
// qemu-aarch64, it says which GEMM instruction set this processor gets, runs the kernel, layer, cross-check and
// training tests of Backprop.Tests in-process, and trains two small networks to compare with the x86 run.
//
//   Arm64Check --write-training FILE          (x86) train and write the reference run
//   Arm64Check --expect-training FILE [P…]    (ARM64) report, run the tests whose Namespace.Class.Method starts with a P (default below),
//                                             train and compare with FILE; exit 1 on any mismatch or failure
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Backprop.Kernels;
using Backprop.Tests.Arm64Check;

string[] defaultNamespaces =
[
    "Backprop.Tests.Kernels.", "Backprop.Tests.Layers.", "Backprop.Tests.Activations.", "Backprop.Tests.Checking.",
    "Backprop.Tests.Descent.", "Backprop.Tests.CrossCheck.", "Backprop.Tests.Training.",
];
// Left out: tests that start the x64 `backprop` CLI or PyTorch as another process (they would not run on ARM64, and
// need the checkout), and the two allocation tests that repeat a large product ~160 times to get past tiered
// compilation (3 minutes each under emulation; allocation is managed code, checked on x86 by every CI run).
string[] excluded =
[
    "Backprop.Tests.CrossCheck.ModelFileInTorchTests.",
    "Backprop.Tests.Training.TrainingControlTests.Model_train_in_one_call_makes_the_model_file_the_command_makes",
    "Backprop.Tests.Kernels.GemmFloatTests.RepeatedCallsAtTrainingShapesAllocateNothing",
    "Backprop.Tests.Layers.PredictorTests.A_call_allocates_nothing_after_warm_up",
];

if (args.Length >= 2 && args[0] == "--write-training")
{
    Console.WriteLine(Processor.Describe());
    File.WriteAllText(args[1], SmallTraining.Run().ToJson());
    Console.WriteLine($"wrote the training run to {args[1]}");
    return 0;
}
if (args.Length >= 2 && args[0] == "--expect-training")
{
    var expected = SmallTraining.Result.FromJson(File.ReadAllText(args[1]));
    string[] namespaces = args.Length > 2 ? args[2..] : defaultNamespaces;
    Console.WriteLine(Processor.Describe());
    bool processorOk = Processor.Check(out string processorProblem);
    if (!processorOk) Console.WriteLine($"MISMATCH: {processorProblem}");

    var (passed, failed, skipped) = InProcessRunner.Run(typeof(Backprop.Tests.WarmUp).Assembly, namespaces, excluded);

    var actual = SmallTraining.Run();
    bool trainingOk = SmallTraining.Compare(expected, actual, Console.Out);

    // A processor or training mismatch counts as one failed check each, beside the tests.
    passed += (processorOk ? 1 : 0) + (trainingOk ? 1 : 0);
    failed += (processorOk ? 0 : 1) + (trainingOk ? 0 : 1);
    Console.WriteLine($"{passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
    return failed == 0 && passed > 2 ? 0 : 1;
}
Console.Error.WriteLine("usage: Arm64Check --write-training FILE | --expect-training FILE [TEST-NAME-PREFIX…]");
return 2;

namespace Backprop.Tests.Arm64Check
{
    /// <summary>What the runtime reports of the processor, and the GEMM instruction set it leads to.</summary>
    static class Processor
    {
        /// <summary>
        /// x·x − (1 + 2⁻¹¹) for x = 1 + 2⁻¹²: x² = 1 + 2⁻¹¹ + 2⁻²⁴ needs 25 significant bits, so a separate multiply
        /// rounds the 2⁻²⁴ away (a tie, to even) and gives 0, while a fused multiply-add keeps it: 2⁻²⁴.
        /// </summary>
        public static float FusedProbe()
        {
            var x = Vector128.Create(1f + MathF.ScaleB(1, -12));
            return MultiplyAdd128.Run(x, x, Vector128.Create(-(1f + MathF.ScaleB(1, -11)))).ToScalar();
        }

        public static bool Fused => FusedProbe() == MathF.ScaleB(1, -24);

        public static string Describe() =>
            $"processor: {RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores; " +
            $"AdvSimd {AdvSimd.IsSupported}, Sse2 {Sse2.IsSupported}, Avx {Avx.IsSupported}; " +
            $"Vector128 accelerated {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, " +
            $"Vector<float> {System.Numerics.Vector<float>.Count} lanes; " +
            $"GEMM instruction set {GemmFloat.Detected}, 128-bit multiply-add {(Fused ? "fused (one rounding)" : "multiply then add (two roundings)")}";

        /// <summary>On ARM64 the 128-bit kernels with FMLA must be chosen; elsewhere nothing is required here.</summary>
        public static bool Check(out string problem)
        {
            problem = "";
            if (RuntimeInformation.ProcessArchitecture != Architecture.Arm64) return true;
            if (!AdvSimd.IsSupported || !Vector128.IsHardwareAccelerated) problem = "ARM64 without AdvSimd acceleration";
            else if (GemmFloat.Detected != MatrixInstructionSet.Vector128) problem = $"ARM64 chose {GemmFloat.Detected}, expected Vector128";
            else if (!Fused) problem = $"ARM64's 128-bit multiply-add is not fused (probe gave {FusedProbe():R}, expected 2^-24)";
            return problem.Length == 0;
        }
    }
}
