using System.ComponentModel;
using Backprop.Cli.Rendering;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A model file written by `backprop train`")]
        public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var model = ModelFile.Load(settings.Model ?? throw new BackpropException("evaluate needs --model FILE, a model written by `backprop train`"));
        var spec = settings.Data ?? throw new BackpropException("evaluate needs --data, e.g. --data fashion-mnist or --data csv:test.csv");
        // The test part where the source has one (t10k files, a synthetic set's test draw); a CSV file is evaluated whole.
        var data = DataSource.Test(spec, settings.DataOptions) ?? DataSource.Train(spec, settings.DataOptions);
        if (model.Standardizer != null) data = model.Standardizer.Apply(data);
        var result = Evaluation.Of(model.Network, data);
        if (settings.Json)
            JsonLines.Write(new { accuracy = result.Accuracy, cost = result.Cost, examples = result.Count });
        else
            Console.Out.WriteLine($"accuracy {Format.Percent(result.Accuracy)} ({(int)Math.Round(result.Accuracy * result.Count)}/{result.Count})  " +
                                  $"cost {Format.Number(result.Cost, "F6")} ({model.Network.Architecture.Cost})  on {spec}");
        return 0;
    }
}
