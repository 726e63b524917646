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
        var inputs = DataSource.Inputs(spec, model.RawFeatureCount, settings.OptionsFor(model.Task));
        // The model's own pipeline: its features, its standardisation, and a regression's values back in the targets' units.
        const int chunk = 1000;
        var predictor = model.CreatePredictor(chunk);
        int count = inputs.Length / predictor.InputSize, outputs = predictor.OutputSize;
        var a = new float[chunk * outputs];
        var writer = Console.Out;
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            predictor.PredictOutputs(inputs.AsSpan(start * predictor.InputSize, n * predictor.InputSize), a.AsSpan(0, n * outputs));
            for (int i = 0; i < n; i++)
            {
                var row = a.AsSpan(i * outputs, outputs);
                if (model.Task == LearningTask.Regression)
                {
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
