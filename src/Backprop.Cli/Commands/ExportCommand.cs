using System.ComponentModel;
using Backprop.Serialization;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>Writes a model file as an ONNX graph, for ONNX Runtime and the tools that read ONNX.</summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A model file written by `backprop train`")]
        public string? Model { get; init; }

        [CommandOption("--onnx <FILE>")]
        [Description("Where to write the ONNX model (replaced atomically if it exists)")]
        public string? Onnx { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var path = settings.Model ?? throw new BackpropException("export needs --model FILE, a model written by `backprop train`");
        var output = settings.Onnx ?? throw new BackpropException("export needs --onnx OUT.onnx, the file to write");
        OutputFile.Check(output);
        OutputFile.CheckDistinct([new("--onnx", output)], [new("--model", path)]);
        var model = CommandWords.LoadModel(path);
        OnnxExport.Write(output, model.Network, model.Standardizer, model.TargetScale, model.Features);
        var architecture = model.Network.Architecture;
        Console.Out.WriteLine($"wrote {output}: {architecture.SizesText} {architecture.HiddenActivationsText}/{architecture.OutputActivation}" +
                              $"{(model.Standardizer != null ? ", standardisation as Sub/Div" : "")}{(model.TargetScale != null ? ", target standardisation undone as Mul/Add" : "")}; ONNX opset {OnnxExport.OpsetVersion}, " +
                              $"input '{OnnxExport.InputName}' [batch, {model.RawFeatureCount}]{(model.Features is null ? "" : $" (the point x1, x2; features {model.Features} made inside)")}, output '{OnnxExport.OutputName}' [batch, {model.Network.OutputSize}]");
        return 0;
    }
}
