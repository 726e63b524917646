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
        var model = ModelFile.Load(path);
        if (model.Features != null)
            throw new BackpropException($"{Path.GetFileName(path)} takes the features {model.Features} of a point, which the ONNX export does not build yet; train with the plain features x1,x2 to export");
        OnnxExport.Write(output, model.Network, model.Standardizer, model.TargetScale);
        var architecture = model.Network.Architecture;
        Console.Out.WriteLine($"wrote {output}: {architecture.SizesText} {architecture.HiddenActivationsText}/{architecture.OutputActivation}" +
                              $"{(model.Standardizer != null ? ", standardisation as Sub/Div" : "")}{(model.TargetScale != null ? ", target standardisation undone as Mul/Add" : "")}; ONNX opset {OnnxExport.OpsetVersion}, " +
                              $"input '{OnnxExport.InputName}' [batch, {model.Network.InputSize}], output '{OnnxExport.OutputName}' [batch, {model.Network.OutputSize}]");
        return 0;
    }
}
