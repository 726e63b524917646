using Microsoft.ML.OnnxRuntime;

namespace Backprop.Tests.Serialization;

/// <summary>Runs an ONNX model in ONNX Runtime: the independent consumer the exported files are checked against.</summary>
public static class OnnxRunner
{
    /// <summary>
    /// The model's "output" for <paramref name="count"/> rows of <paramref name="inputs"/> (row-major, fed as
    /// "input" of shape [count, inputs.Length / count]); row-major count × output width.
    /// </summary>
    public static float[] Run(InferenceSession session, float[] inputs, int count)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(inputs, [count, inputs.Length / count]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, ["input"], [input], ["output"]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        Assert.Equal(2, shape.Length);
        Assert.Equal(count, shape[0]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static float[] Run(byte[] model, float[] inputs, int count)
    {
        using var session = new InferenceSession(model);
        return Run(session, inputs, count);
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ tolerance element-wise, naming the first failing row and column with both
    /// values; returns the largest difference seen.
    /// </summary>
    public static double AssertClose(float[] expected, float[] actual, int width, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} outputs, got {actual.Length}");
        double largest = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            if (!(difference <= tolerance))
                Assert.Fail($"{what}: output [{i / width}, {i % width}] expected {expected[i]:R}, actual {actual[i]:R}, |difference| {difference:G3} > tolerance {tolerance:G3}");
            largest = Math.Max(largest, difference);
        }
        return largest;
    }
}
