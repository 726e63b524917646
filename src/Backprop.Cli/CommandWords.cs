using System.Text.RegularExpressions;
using Backprop.Explaining;
using Backprop.Graphs;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Cli;

/// <summary>
/// Library calls whose refusals name a library parameter or fix that <see cref="Training.RunSettings.InCommandWords"/>
/// cannot translate by name alone (a parameter called "weights", a parameter's own name as the subject, a fix that is
/// another command): each says it here in the command's words.
/// </summary>
static partial class CommandWords
{
    /// <summary><see cref="ModelFile.Load(string)"/>; a file without architecture metadata is offered to <c>train --init</c>.</summary>
    public static Model LoadModel(string path)
    {
        try { return ModelFile.Load(path); }
        catch (BackpropException e) when (e.Message.EndsWith(ModelFile.NoArchitectureFix, StringComparison.Ordinal))
        {
            string name = Path.GetFileName(path);
            throw new BackpropException(e.Message[..^ModelFile.NoArchitectureFix.Length] + $"use it with `backprop train --init {name}` and the architecture flags");
        }
    }

    /// <summary><see cref="ModelFile.LoadWeights"/> for <c>train --init</c>, where the architecture comes from the flags.</summary>
    public static Network<float> LoadWeights(string path, Architecture architecture)
    {
        try { return ModelFile.LoadWeights(path, architecture); }
        catch (BackpropException e) when (e.Message.EndsWith(ModelFile.ArchitectureMismatchFix, StringComparison.Ordinal))
        {
            string message = e.Message[..^ModelFile.ArchitectureMismatchFix.Length].Replace($" but architecture is {architecture}; ", $" but the flags ask for {architecture}; ");
            throw new BackpropException(message + "make the flags match the file");
        }
    }

    /// <summary><see cref="ParameterReference.CheckIn"/>, the parameter named by its flag: "--weight: layer 3 does not exist…".</summary>
    public static ParameterReference CheckIn(ParameterReference parameter, Architecture architecture)
    {
        try { return parameter.CheckIn(architecture); }
        catch (BackpropException e) when (e.Message.StartsWith(parameter + ":", StringComparison.Ordinal))
        {
            throw new BackpropException((parameter.IsBias ? "--bias" : "--weight") + e.Message[parameter.ToString().Length..]);
        }
    }

    /// <summary><see cref="NetworkSvg.CheckSize"/>, with graph's alternative: explain --model.</summary>
    public static void CheckDrawable(Architecture architecture)
    {
        try { NetworkSvg.CheckSize(architecture); }
        catch (BackpropException)
        {
            throw new BackpropException($"graph --model draws networks of at most {NetworkSvg.MaximumLayers} weighted layers of at most {NetworkSvg.MaximumWidth} neurons " +
                $"(this one is {architecture.SizesText}); for a larger one use `backprop explain --model FILE --weight L:J:K`, which prints the same numbers");
        }
    }

    /// <summary>A <see cref="ChainExplanation"/> call, its parameters named as explain's flags: input --x, target --y, weights --w, biases --b.</summary>
    public static T Chain<T>(Func<T> explain)
    {
        try { return explain(); }
        catch (BackpropException e)
        {
            throw new BackpropException(ChainParameter().Replace(e.Message, m => m.Value switch
            {
                "input" => "--x", "target" => "--y", "weights" => "--w", _ => "--b",
            }));
        }
    }

    // A parameter as the subject ("biases has", "input must") or the object of a fix ("give weights", "leave out biases"),
    // not the plain word in "the chain has 1001 weights".
    [GeneratedRegex(@"\b(?:input|target|weights|biases)\b(?= (?:has|must)\b)|(?<=\b(?:give|leave out) )(?:weights|biases)\b")]
    private static partial Regex ChainParameter();
}
