using Backprop.Data;
using Backprop.Explaining;
using Backprop.Playground.Drawing;
using Backprop.Training;

namespace Backprop.Playground;

/// <summary>
/// The digits, the running example: a draw pad read as the UCI digits were made (<see cref="DigitsData.FromBitmap"/>),
/// what each layer makes of it (<see cref="InputReading"/>), the test part's confusion matrix and its misclassified
/// digits — all recomputed from the network as it trains.
/// </summary>
public partial class Playground
{
    float[]? padImage;
    InputReading? padReading;
    ConfusionMatrix? confusion;
    int[] testPredictions = [];

    internal bool IsDigits => run?.Settings.IsDigits == true;
    internal float[]? PadImage => padImage;
    internal InputReading? PadReading => padReading;
    internal ConfusionMatrix? Confusion => confusion;
    internal IReadOnlyList<int> TestPredictions => testPredictions;

    /// <summary>The input the network drawing shows for image inputs, with every layer's activations on it: the pad's
    /// drawing while there is one, else the chosen example (as the step-through traces it).</summary>
    internal (IReadOnlyList<float> Pixels, IReadOnlyList<double[]> Activations, string Source)? ShownInput =>
        padImage is { } image && padReading is { } reading ? (image, reading.Activations, "the pad's drawing")
        : walk is { } w && example is int n ? (w.Trace.Input.Select(v => (float)v).ToArray(), w.Trace.Activations, $"{ExplainedPart} example {n}")
        : null;

    void ReadDigits()
    {
        if (!IsDigits || run?.Test is not { } test)
        {
            confusion = null;
            testPredictions = [];
            padReading = null;
            return;
        }
        testPredictions = InputReading.Predictions(run.Network, test);
        confusion = new ConfusionMatrix(run.ClassCount);
        for (int i = 0; i < test.Count; i++) confusion.Add(test.Labels[i], testPredictions[i]);
        padReading = padImage is null ? null : InputReading.Of(run.Network, padImage);
    }

    void ReadPad()
    {
        string cells = Browser.ReadPad("pad");
        if (cells.Length != DigitsData.BitmapSide * DigitsData.BitmapSide || run is null) return;
        var bitmap = new bool[cells.Length];
        for (int i = 0; i < cells.Length; i++) bitmap[i] = cells[i] == '1';
        padImage = DigitsData.FromBitmap(bitmap);
        padReading = InputReading.Of(run.Network, padImage);
    }

    internal void PadChanged() => Then(ReadPad);
    internal void PadCleared() => Then(() =>
    {
        Browser.ClearPad("pad");
        padImage = null;
        padReading = null;
    });
}
