using System.ComponentModel;
using Backprop.Cli.Rendering;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : ModelSettings;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var model = settings.LoadModel("evaluate");
        var (data, _) = settings.EvaluationData(model, "evaluate");
        var network = model.Network;
        if (model.Task == LearningTask.Regression)
        {
            var m = RegressionMetrics.Of(network, data, model.TargetScale);
            if (settings.Json) JsonLines.Write(TrainCommand.Metrics(m)!);
            else Console.Out.WriteLine($"R² {Format.Number(m.R2, "F4")}  RMSE {Format.Number(m.Rmse, "G6")}  MAE {Format.Number(m.Mae, "G6")}  MSE {Format.Number(m.Mse, "G6")}  " +
                                       $"({m.Count} examples, in the targets' units)  on {settings.Data}");
            return 0;
        }
        var confusion = new ConfusionMatrix(ModelFile.ClassCount(network.OutputSize));
        var result = Evaluation.Of(network, data, confusion);
        var classes = Enumerable.Range(0, confusion.ClassCount).Select(model.ClassName).ToArray();
        if (settings.Json)
            JsonLines.Write(new
            {
                accuracy = result.Accuracy, cost = result.Cost, examples = result.Count, classes, confusion = confusion.Rows(),
                per_class = Enumerable.Range(0, confusion.ClassCount).Select(k => new
                {
                    @class = classes[k], precision = confusion.Precision(k), recall = confusion.Recall(k), examples = confusion.Actual(k),
                }).ToArray(),
            });
        else
        {
            Console.Out.WriteLine($"accuracy {Format.Percent(result.Accuracy)} ({(int)Math.Round(result.Accuracy * result.Count)}/{result.Count})  " +
                                  $"cost {Format.Number(result.Cost, "F6")} ({network.Architecture.Cost})  on {settings.Data}");
            WriteClasses(confusion, classes);
        }
        return 0;
    }

    /// <summary>Too many classes make a matrix no one reads; the per-class table still helps.</summary>
    const int MaxMatrixClasses = 20;

    static void WriteClasses(ConfusionMatrix confusion, string[] names)
    {
        var shown = names.Select(n => ShownText.Of(n, 20)).ToArray();
        int width = Math.Max(8, shown.Max(n => n.Length)) + 2;
        var output = Console.Out;
        if (confusion.ClassCount <= MaxMatrixClasses)
        {
            output.WriteLine("confusion matrix (rows: actual class, columns: predicted class)");
            output.WriteLine(new string(' ', width) + string.Concat(shown.Select(n => n.PadLeft(width))));
            for (int a = 0; a < confusion.ClassCount; a++)
                output.WriteLine(shown[a].PadRight(width) + string.Concat(Enumerable.Range(0, confusion.ClassCount).Select(p => confusion[a, p].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width))));
        }
        output.WriteLine("class".PadRight(width) + "precision".PadLeft(11) + "recall".PadLeft(10) + "examples".PadLeft(10));
        for (int k = 0; k < confusion.ClassCount; k++)
            output.WriteLine(shown[k].PadRight(width) + Percent(confusion.Precision(k)).PadLeft(11) + Percent(confusion.Recall(k)).PadLeft(10) +
                             confusion.Actual(k).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(10));
    }

    static string Percent(double? fraction) => fraction is { } f ? Format.Percent(f) : "—";
}
