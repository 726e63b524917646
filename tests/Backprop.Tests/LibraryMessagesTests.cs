using System.Text.RegularExpressions;
using Backprop.Activations;
using Backprop.Checking;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Explaining;
using Backprop.Graphs;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Tests.Cli;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests;

/// <summary>
/// Issue 12: a refusal reached through the library names the library's parameters, members and fixes, never a flag of
/// the command line; the command line still shows its flags (<see cref="RunSettings.InCommandWords"/>), word for word
/// as before.
/// </summary>
public class LibraryMessagesTests
{
    static readonly Architecture Small = new Architecture([2, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();

    /// <summary>The message, which must name no --flag, and its command-line form.</summary>
    static string InCommandWords(BackpropException e)
    {
        Assert.False(Regex.IsMatch(e.Message, @"--[a-z]"), $"a library message names a flag: {e.Message}");
        return RunSettings.InCommandWords(e.Message);
    }

    [Fact]
    public void GradientCheck_Break_names_itself_and_the_architecture_member()
    {
        var network = Network<double>.Initialize(Small, seed: 1);
        var e = Assert.Throws<BackpropException>(() => GradientCheck.Break(network, Activation.Relu));
        Assert.Equal("GradientCheck.Break relu: no hidden layer of 2,3,2 uses relu (they use tanh); break one of those, or set Architecture.HiddenActivations relu", e.Message);
        Assert.Equal("--break relu: no hidden layer of 2,3,2 uses relu (they use tanh); break one of those, or set --activation relu", InCommandWords(e));
    }

    [Fact]
    public void CsvReader_names_labelColumn_and_ReadRegression()
    {
        var label = Assert.Throws<BackpropException>(() => CsvReader.Read(new StringReader("1,2.5\n2,3.5\n")));
        Assert.EndsWith("(choose the label column with labelColumn; a measurement needs CsvReader.ReadRegression)", label.Message);
        Assert.EndsWith("(choose the label column with --label-column; a measurement needs --task regression)", InCommandWords(label));

        var rows = string.Concat(Enumerable.Range(0, 101).Select(i => $"{i},{i + 25}\n"));
        var many = Assert.Throws<BackpropException>(() => CsvReader.Read(new StringReader(rows)));
        Assert.EndsWith("they look like measurements, not classes: read them with CsvReader.ReadRegression (or choose the class column with labelColumn)", many.Message);
        Assert.EndsWith("they look like measurements, not classes: add --task regression (or choose the class column with --label-column)", InCommandWords(many));

        var target = Assert.Throws<BackpropException>(() => CsvReader.ReadRegression(new StringReader("1,2,3\n"), [3]));
        Assert.EndsWith("target column 3 is out of range: line 1 has 3 columns, numbered 0 to 2; choose it with targetColumns", target.Message);
        Assert.EndsWith("; choose it with --label-column", InCommandWords(target));

        var empty = Assert.Throws<BackpropException>(() => CsvReader.ReadRegression(new StringReader("1,2\n"), []));
        Assert.EndsWith("targetColumns is empty; name at least one column, or leave it out (null) for the last column", empty.Message);

        using var folder = new TempDirectory();
        var missing = Assert.Throws<BackpropException>(() => CsvReader.Read(folder.File("absent.csv")));
        Assert.EndsWith("; check the path given to CsvReader", missing.Message);
        Assert.EndsWith("; check the path given to --data csv:FILE", InCommandWords(missing));
    }

    [Fact]
    public void ChainExplanation_names_its_parameters()
    {
        var count = Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1.5, 0.5, [0.8, -0.4], [0.1]));
        Assert.Equal("biases has 1 value(s) but weights has 2; give one bias per weight, or leave out biases for zeros", count.Message);
        InCommandWords(count);
        var step = Assert.Throws<BackpropException>(() => ChainExplanation.Compute(1.5, 0.5, [0.8]).AfterStep(-1));
        Assert.Equal("learningRate must be a positive number, got -1; try 0.5", step.Message);
        Assert.Equal("--lr must be a positive number, got -1; try 0.5", InCommandWords(step));
    }

    [Fact]
    public void DerivativeCost_names_the_sizes_as_an_architecture_does()
    {
        var e = Assert.Throws<BackpropException>(() => DerivativeCost.Of([3]));
        Assert.Equal("Architecture.Sizes needs at least an input and an output size, like 784,30,10 (got 1 size(s))", e.Message);
        Assert.Equal("--layers needs at least an input and an output size, like 784,30,10 (got 1 size(s))", InCommandWords(e));
    }

    [Fact]
    public void ParameterReference_names_the_parameter_and_its_parser()
    {
        var layer = Assert.Throws<BackpropException>(() => new ParameterReference(3, 0, 0).CheckIn(Small));
        Assert.Equal("W3[0,0]: layer 3 does not exist; the network 2,3,2 has weighted layers 1…2 (L is 1-based, layer 0 is the input)", layer.Message);
        InCommandWords(layer);
        var input = Assert.Throws<BackpropException>(() => new ParameterReference(2, 1, 5).CheckIn(Small));
        Assert.Equal("W2[1,5]: layer 1 has 3 neuron(s), so K must be 0…2 (0-based), got 5", input.Message);
        var parse = Assert.Throws<BackpropException>(() => ParameterReference.ParseBias("2:0:1"));
        Assert.Equal("ParameterReference.ParseBias takes L:J, like 2:0 (layer 2, neuron 0); got '2:0:1'", parse.Message);
        Assert.Equal("--bias takes L:J, like 2:0 (layer 2, neuron 0); got '2:0:1'", InCommandWords(parse));
    }

    [Fact]
    public void WeightExplanation_names_listPaths()
    {
        var architecture = new Architecture([2, 1, 200, 200, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        var network = Network<double>.Initialize(architecture, seed: 1);
        var trace = NetworkTrace.Compute(network, [0.5, -0.5], Targets.Create<double>([1], 2));
        var e = Assert.Throws<BackpropException>(() => WeightExplanation.Explain(trace, new ParameterReference(1, 0, 0), listPaths: true));
        Assert.Equal("W1[0,0] reaches the cost along 80000 paths; listPaths lists at most 10000: choose a parameter nearer the output or a smaller network, or leave out listPaths", e.Message);
        Assert.Equal("W1[0,0] reaches the cost along 80000 paths; --paths lists at most 10000: choose a parameter nearer the output or a smaller network, or leave out --paths", InCommandWords(e));
    }

    [Fact]
    public void NetworkSvg_offers_WeightExplanation_for_a_large_network()
    {
        var wide = new Architecture([2, 9, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        var e = Assert.Throws<BackpropException>(() => NetworkSvg.CheckSize(wide));
        Assert.Equal("NetworkSvg draws networks of at most 6 weighted layers of at most 8 neurons (this one is 2,9,2); for a larger one use WeightExplanation.Explain, which gives the same numbers", e.Message);
        InCommandWords(e);
    }

    [Fact]
    public void ModelFile_names_LoadWeights_and_the_architecture_sizes()
    {
        var bare = SafeTensorsFile.ToBytes([new Tensor("layers.0.weight", [1, 1], [1f])], new Dictionary<string, string>());
        var plain = Assert.Throws<BackpropException>(() => ModelFile.Load(new MemoryStream(bare), "plain.safetensors"));
        Assert.Equal("plain.safetensors has no architecture metadata (layers, activation, output_activation, cost); it was not written by backprop — " +
            "load its weights with ModelFile.LoadWeights and the Architecture they fit", plain.Message);
        InCommandWords(plain);

        using var folder = new TempDirectory();
        var model = folder.File("small.safetensors");
        File.WriteAllBytes(model, ModelFile.ToBytes(new Model(Network<float>.Initialize(Small, seed: 1), null)));
        var deeper = new Architecture([2, 3, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        // The file's own metadata says 2,3,2; a bare copy of its tensors has none, so only the tensors can disagree.
        var tensors = SafeTensorsFile.Read(model).Tensors;
        var stripped = folder.File("stripped.safetensors");
        File.WriteAllBytes(stripped, SafeTensorsFile.ToBytes(tensors, new Dictionary<string, string>()));
        var shape = Assert.Throws<BackpropException>(() => ModelFile.LoadWeights(stripped, deeper));
        Assert.Equal("stripped.safetensors: tensor 'layers.1.weight' is [2, 3] but Architecture.Sizes 2,3,3,2 needs [3, 3]", shape.Message);
        Assert.Equal("stripped.safetensors: tensor 'layers.1.weight' is [2, 3] but --layers 2,3,3,2 needs [3, 3]", InCommandWords(shape));
    }

    [Fact]
    public void Checkpoints_validation_split_and_idx_folders_are_named_by_library_types()
    {
        using var folder = new TempDirectory();
        var missing = Assert.Throws<BackpropException>(() => new CheckpointStore(folder.File("nope")).LoadNewest());
        Assert.Equal($"{folder.File("nope")}: no such folder; give the folder a run wrote with --checkpoint-dir", InCommandWords(missing));

        var data = Dataset.FromArrays(Enumerable.Range(0, 10).Select(i => new float[] { i }).ToArray(), Enumerable.Range(0, 10).Select(i => i % 2).ToArray());
        var split = Assert.Throws<BackpropException>(() => ValidationSplit.Split(data, 1.5, seed: 1));
        Assert.Equal("ValidationSplit.Split fraction must be between 0 and 1 (exclusive), got 1.5; try 0.1", split.Message);
        Assert.Equal("--validation-split must be between 0 and 1 (exclusive), got 1.5; try 0.1", InCommandWords(split));

        var idx = Assert.Throws<BackpropException>(() => IdxReader.FindRequired(folder.File("absent"), "t10k-labels-idx1-ubyte"));
        Assert.Equal($"{folder.File("absent")}: no such folder; give the folder that holds the IDX files", idx.Message);
        InCommandWords(idx);
    }
}

/// <summary>The refusals the command translates at the call (<c>CommandWords</c>), seen on its error line.</summary>
public class CommandWordsTests
{
    static string ErrorOf(RunResult run)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        return Assert.Single(run.ErrorLines);
    }

    [Fact]
    public void Explain_names_the_chain_parameters_by_their_flags()
    {
        var run = BackpropProcess.Run(Path.GetTempPath(), "explain", "--w", "0.8,-0.4", "--b", "0.1");
        Assert.Equal("error: --b has 1 value(s) but --w has 2; give one bias per weight, or leave out --b for zeros", ErrorOf(run));
        var nan = BackpropProcess.Run(Path.GetTempPath(), "explain", "--x", "NaN");
        Assert.Equal("error: --x must be a finite number, got NaN", ErrorOf(nan));
    }

    [Fact]
    public void Model_commands_keep_their_flags_and_their_fix()
    {
        using var folder = new TempDirectory();
        var small = new Architecture([2, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        File.WriteAllBytes(folder.File("m.safetensors"), ModelFile.ToBytes(new Model(Network<float>.Initialize(small, seed: 1), null)));
        var layer = BackpropProcess.Run(folder.Path, "explain", "--model", "m.safetensors", "--data", "xor", "--weight", "3:0:0");
        Assert.Equal("error: --weight: layer 3 does not exist; the network 2,3,2 has weighted layers 1…2 (L is 1-based, layer 0 is the input)", ErrorOf(layer));

        var wide = new Architecture([2, 9, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        File.WriteAllBytes(folder.File("wide.safetensors"), ModelFile.ToBytes(new Model(Network<float>.Initialize(wide, seed: 1), null)));
        var graph = BackpropProcess.Run(folder.Path, "graph", "--model", "wide.safetensors", "--data", "xor");
        Assert.Equal("error: graph --model draws networks of at most 6 weighted layers of at most 8 neurons (this one is 2,9,2); " +
            "for a larger one use `backprop explain --model FILE --weight L:J:K`, which prints the same numbers", ErrorOf(graph));

        File.WriteAllBytes(folder.File("plain.safetensors"), SafeTensorsFile.ToBytes([new Tensor("layers.0.weight", [1, 1], [1f])], new Dictionary<string, string>()));
        var plain = BackpropProcess.Run(folder.Path, "evaluate", "--model", "plain.safetensors", "--data", "xor");
        Assert.Equal("error: plain.safetensors has no architecture metadata (layers, activation, output_activation, cost); it was not written by backprop — " +
            "use it with `backprop train --init plain.safetensors` and the architecture flags", ErrorOf(plain));
    }
}

/// <summary><see cref="ModelFile.LoadWeights"/> refusing another architecture: the library names its parameter, train --init its flags.</summary>
public class LoadWeightsWordsTests
{
    [Fact]
    public void Another_architecture_is_refused_in_each_ones_words()
    {
        using var folder = new TempDirectory();
        var small = new Architecture([2, 3, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        File.WriteAllBytes(folder.File("m.safetensors"), ModelFile.ToBytes(new Model(Network<float>.Initialize(small, seed: 1), null)));
        var other = new Architecture([2, 4, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy).Validate();
        var e = Assert.Throws<BackpropException>(() => ModelFile.LoadWeights(folder.File("m.safetensors"), other));
        Assert.Equal("m.safetensors holds a 2,3,2 tanh/softmax cross-entropy network but architecture is 2,4,2 tanh/softmax cross-entropy; give LoadWeights the architecture the file holds", e.Message);

        var run = BackpropProcess.Run(folder.Path, "train", "--data", "xor", "--layers", "2,4,2", "--activation", "tanh", "--epochs", "1", "--init", "m.safetensors", "--no-pictures", "--out", "n.safetensors");
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: m.safetensors holds a 2,3,2 tanh/softmax cross-entropy network but the flags ask for 2,4,2 tanh/softmax cross-entropy; make the flags match the file", Assert.Single(run.ErrorLines));
    }
}
