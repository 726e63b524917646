using System.ComponentModel;
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

/// <summary>Options of the commands that use a trained model: evaluate, predict, explain --model.</summary>
public class ModelSettings : DataSettings
{
    [CommandOption("--model <FILE>")]
    [Description("A model file written by `backprop train`")]
    public string? Model { get; init; }

    /// <summary>Loads --model, or says how to get one.</summary>
    public Model LoadModel(string command)
    {
        if (Model is null) throw new BackpropException($"{command} needs --model FILE, a model written by `backprop train`");
        if (!File.Exists(Model))
            throw new BackpropException($"model file '{Model}' does not exist; train one with `backprop train --out {Path.GetFileName(Model)}` or check the path");
        return CommandWords.LoadModel(Model);
    }

    /// <summary>
    /// The examples a model is judged on: the test part where the source has one (t10k files, a synthetic set's
    /// test draw), a CSV file whole — standardised as the model was trained. Part is "test part" or "file".
    /// </summary>
    public (Dataset Data, string Part) EvaluationData(Model model, string command)
    {
        var spec = Data ?? throw new BackpropException($"{command} needs --data, e.g. --data fashion-mnist or --data csv:test.csv");
        RequireTask(model);
        var options = OptionsFor(model.Task) with { ClassNames = model.ClassNames };
        var test = DataSource.Test(spec, options);
        var data = test ?? DataSource.Train(spec, options);
        string part = test != null ? "test part" : "file";
        var prepared = model.Prepare(data);
        // In the model's words: evaluate and explain take no --layers to change.
        Targets.CheckFits(model.Network.Architecture, prepared, $"the {part} of {spec}", Path.GetFileName(Model));
        return (prepared, part);
    }

    /// <summary>A --task that is not the model's is refused: a regression's outputs are not class scores.</summary>
    public void RequireTask(Model model)
    {
        if (TaskGiven is { } task && task != model.Task)
            throw new BackpropException($"{Path.GetFileName(Model)} is a {Name(model.Task)} model but --task asks for {Name(task)}; leave --task out (the model knows its task) or use a {Name(task)} model");
    }

    static string Name(LearningTask task) => task == LearningTask.Regression ? "regression" : "classification";
}
