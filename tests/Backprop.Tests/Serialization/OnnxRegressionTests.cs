using Backprop.Data;
using Backprop.Serialization;

namespace Backprop.Tests.Serialization;

/// <summary>A regression's ONNX graph ends with Mul and Add, so ONNX Runtime gives predict's numbers in the targets' units.</summary>
public class OnnxRegressionTests
{
    [Fact]
    public void Onnx_runtime_undoes_the_target_standardisation_as_predict_does()
    {
        var network = OnnxExportTests.RandomNetwork([3, 5, 2], "relu", "identity", seed: 41);
        var standardizer = OnnxExportTests.RandomStandardizer(3, seed: 42);
        var targets = new Standardizer([150f, -2.5f], [75f, 0.5f]);
        const int count = 64;
        var inputs = OnnxExportTests.RandomInputs(count, 3, standardizer, seed: 43);

        var expected = OnnxExportTests.Expected(network, standardizer, inputs, count);
        targets.Unapply(expected);
        var actual = OnnxRunner.Run(OnnxExport.ToBytes(network, standardizer, targets), inputs, count);

        OnnxRunner.AssertClose(expected, actual, 2, 1e-4, "3,5,2 regression");
        var graph = ProtobufMessage.Parse(OnnxExport.ToBytes(network, standardizer, targets)).Message(7);
        Assert.Equal(["Sub", "Div", "Gemm", "Relu", "Gemm", "Mul", "Add"], graph.Messages(1).Select(n => n.String(4)).ToArray());
    }

    [Fact]
    public void A_target_standardisation_of_the_wrong_width_is_refused()
    {
        var network = OnnxExportTests.RandomNetwork([3, 2], "relu", "identity", seed: 44);
        var e = Assert.Throws<BackpropException>(() => OnnxExport.ToBytes(network, null, new Standardizer([1f], [2f])));
        Assert.Equal("the target standardisation has 1 targets but the network has 2 outputs; export the one saved with this network", e.Message);
    }
}
