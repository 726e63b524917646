using Backprop.Data;
using Backprop.Explaining;
using Backprop.Tests.Autodiff;
using Backprop.Training;

namespace Backprop.Tests.Explaining;

/// <summary>What the playground's digits panel asks of the library.</summary>
public class DigitsPageTests
{
    [Fact]
    public void A_bitmap_is_counted_in_4x4_blocks_as_the_uci_digits_were_made()
    {
        var bitmap = new bool[32 * 32];
        bitmap[5 * 32 + 9] = true;                      // block (1, 2)
        for (int r = 28; r < 32; r++)
            for (int c = 0; c < 4; c++) bitmap[r * 32 + c] = true;   // all of block (7, 0)
        bitmap[28 * 32 + 4] = true;                     // one pixel of block (7, 1)
        var image = DigitsData.FromBitmap(bitmap);
        Assert.Equal(64, image.Length);
        Assert.Equal(1 / 16f, image[1 * 8 + 2]);
        Assert.Equal(1f, image[7 * 8 + 0]);
        Assert.Equal(1 / 16f, image[7 * 8 + 1]);
        Assert.Equal(18 / 16.0, image.Sum(), 6); // 1 + 16 + 1 pixels on
        Assert.Throws<ArgumentException>(() => DigitsData.FromBitmap(new bool[64]));
    }

    [Fact]
    public void The_digits_run_of_the_page_is_the_commands_and_reads_inputs_as_the_batched_engine_does()
    {
        var settings = RunSettings.FromQuery("data=digits&layers=64,16,10&activation=relu&optimizer=adam&lr=0.01&batch=32&epochs=2&seed=1");
        Assert.Equal("backprop train --data digits --layers 64,16,10 --activation relu --output-activation softmax --cost cross-entropy "
                     + "--optimizer adam --lr 0.01 --batch 32 --epochs 2 --seed 1 --out model.safetensors", settings.ToCommandLine(64, 10));
        var run = TrainingRun.Start(settings);
        Assert.Equal((1438, 359), (run.Train.Count, run.Test!.Count));
        run.StepEpoch();

        var outputs = run.Network.Forward(run.Test.Features, run.Test.Count);
        var predictions = InputReading.Predictions(run.Network, run.Test);
        var reading = InputReading.Of(run.Network, run.Test.Example(3));
        for (int k = 0; k < 10; k++) Numeric.Close(outputs[3 * 10 + k], reading.Activations[^1][k], 1e-5, $"a2[{k}] of test digit 3");
        Numeric.Close(1, reading.Activations[^1].Sum(), 1e-12, "softmax adds to 1");
        Assert.Equal(predictions[3], reading.Predicted);
        Assert.Equal(16, reading.Activations[0].Length);
        double accuracy = predictions.Where((p, i) => p == run.Test.Labels[i]).Count() / (double)run.Test.Count;
        Numeric.Close(Evaluation.Of(run.Network, run.Test).Accuracy, accuracy, 1e-12, "accuracy from the predictions");
    }
}
