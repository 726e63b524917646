using System.ComponentModel;
using Backprop.Cli.Rendering;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--input <SPEC>")]
        [Description("csv:FILE (one example per row; a trailing label column is ignored) or idx:DIR (its t10k images)")]
        public string? Input { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var model = settings.LoadModel("predict");
        settings.RequireTask(model);
        var spec = settings.Input ?? throw new BackpropException("predict needs --input csv:FILE or --input idx:DIR");
        var network = model.Network;
        var inputs = DataSource.Inputs(spec, model.RawFeatureCount, settings.OptionsFor(model.Task));
        if (model.Features != null) inputs = model.Features.Apply(inputs);
        model.Standardizer?.Apply(inputs);
        int count = inputs.Length / network.InputSize, outputs = network.OutputSize;
        const int chunk = 1000;
        var writer = Console.Out;
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var a = network.Forward(inputs.AsSpan(start * network.InputSize, n * network.InputSize), n);
            for (int i = 0; i < n; i++)
            {
                var row = a.AsSpan(i * outputs, outputs);
                if (model.Task == LearningTask.Regression)
                {
                    // In the targets' units: the standardisation the network learned in is undone.
                    model.TargetScale?.Unapply(row);
                    if (settings.Json) JsonLines.Write(new { index = start + i, outputs = row.ToArray() });
                    else writer.WriteLine($"{start + i}\t{string.Join(' ', row.ToArray().Select(v => Format.Number(v, "G7")))}");
                    continue;
                }
                int predicted = Targets.Predict<float>(row);
                string? name = model.ClassNames is null ? null : model.ClassName(predicted);
                if (settings.Json) JsonLines.Write(new { index = start + i, @class = predicted, class_name = name, outputs = row.ToArray() });
                else writer.WriteLine($"{start + i}\tclass {(name is null ? predicted : ShownText.Of(name, 40))}\t{string.Join(' ', row.ToArray().Select(v => Format.Number(v, "F6")))}");
            }
        }
        return 0;
    }
}
