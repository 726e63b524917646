using Backprop.Explaining;
using Backprop.Training;

namespace Backprop.Playground.Drawing;

/// <summary>
/// Puts the library's plane maps into the page's canvases: every input feature, every neuron, and the output map.
/// Canvas ids: <c>input-K</c>, <c>neuron-L-J</c> (L the 0-based weighted layer), <c>output-map</c>.
/// </summary>
internal static class Painter
{
    static byte[] pixels = [];

    /// <param name="thumbnails">Null when the network drawing is not redrawn this frame.</param>
    public static void Paint(TrainingRun run, PlaneMaps? thumbnails, PlaneMaps map, bool discretize)
    {
        int layers = run.Network.Layers.Count;
        var output = run.Network.Layers[^1];
        if (thumbnails != null) PaintNetwork(run, thumbnails);
        int large = map.Resolution * map.Resolution;
        var image = Buffer(large);
        if (run.Train.Task == Backprop.Data.LearningTask.Regression) Predicted(run, map.Activations[layers - 1], image);
        else Palette.Classes(map.Activations[layers - 1], large, discretize, image);
        Browser.DrawPixels("output-map", image, map.Resolution, map.Resolution);
    }

    static void PaintNetwork(TrainingRun run, PlaneMaps thumbnails)
    {
        int small = thumbnails.Resolution * thumbnails.Resolution;
        for (int k = 0; k < thumbnails.InputMaps.Count; k++)
            Signed($"input-{k}", thumbnails.InputMaps[k], thumbnails.Resolution);
        int layers = run.Network.Layers.Count;
        for (int l = 0; l < layers - 1; l++)
            for (int j = 0; j < run.Network.Layers[l].OutputSize; j++)
                Signed($"neuron-{l}-{j}", thumbnails.Of(l, j), thumbnails.Resolution);
        var output = run.Network.Layers[^1];
        for (int j = 0; j < output.OutputSize; j++)
        {
            // An output neuron's own picture: how sure it is of its class (or, alone, of class 1 against class 0).
            var buffer = Buffer(small);
            if (run.Train.Task == Backprop.Data.LearningTask.Regression) Predicted(run, thumbnails.Of(layers - 1, j), buffer);
            else if (output.OutputSize == 1) Palette.Classes(thumbnails.Of(layers - 1, j), small, false, buffer);
            else Palette.OneClass(thumbnails.Of(layers - 1, j), j, buffer);
            Browser.DrawPixels($"neuron-{layers - 1}-{j}", buffer, thumbnails.Resolution, thumbnails.Resolution);
        }
    }

    /// <summary>A regression's output map: the predicted value ŷ in the targets' units (the target standardisation
    /// undone by the library), orange below 0, blue above, full at ± the largest |y| of the training data.</summary>
    static void Predicted(TrainingRun run, ReadOnlySpan<float> outputs, Span<byte> rgba)
    {
        if (predicted.Length < outputs.Length) predicted = new float[outputs.Length];
        var values = predicted.AsSpan(0, outputs.Length);
        outputs.CopyTo(values);
        run.TargetScale?.Unapply(values);
        Palette.Diverging(values, (float)run.TargetRange, rgba);
    }

    static float[] predicted = [];

    /// <summary>Signed values scaled to the larger of 1 and their largest magnitude: tanh and sigmoid keep their
    /// natural range, ReLU's unbounded values still show their shape.</summary>
    static void Signed(string id, ReadOnlySpan<float> values, int resolution)
    {
        float scale = 1;
        foreach (float v in values) if (Math.Abs(v) > scale) scale = Math.Abs(v);
        var buffer = Buffer(values.Length);
        Palette.Diverging(values, scale, buffer);
        Browser.DrawPixels(id, buffer, resolution, resolution);
    }

    static Span<byte> Buffer(int points)
    {
        if (pixels.Length < 4 * points) pixels = new byte[4 * points];
        return pixels.AsSpan(0, 4 * points);
    }
}
