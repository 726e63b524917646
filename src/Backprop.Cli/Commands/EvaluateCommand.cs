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
        var result = Evaluation.Of(model.Network, data);
        if (settings.Json)
            JsonLines.Write(new { accuracy = result.Accuracy, cost = result.Cost, examples = result.Count });
        else
            Console.Out.WriteLine($"accuracy {Format.Percent(result.Accuracy)} ({(int)Math.Round(result.Accuracy * result.Count)}/{result.Count})  " +
                                  $"cost {Format.Number(result.Cost, "F6")} ({model.Network.Architecture.Cost})  on {settings.Data}");
        return 0;
    }
}
