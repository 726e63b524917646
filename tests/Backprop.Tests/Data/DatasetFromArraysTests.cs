using Backprop.Activations;
using Backprop.Data;
using Backprop.Layers;

namespace Backprop.Tests.Data;

public class DatasetFromArraysTests
{
    [Fact]
    public void A_table_and_labels_make_a_classification_with_the_rows_in_order()
    {
        var data = Dataset.FromArrays(new float[,] { { 0.5f, -1f }, { 2f, 3f }, { 4f, 5f } }, [2, 0, 1]);

        Assert.Equal(LearningTask.Classification, data.Task);
        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal([0.5f, -1f, 2f, 3f, 4f, 5f], data.Features);
        Assert.Equal([2f, 3f], data.Example(1).ToArray());
        Assert.Equal([2, 0, 1], data.Labels);
    }

    [Fact]
    public void Jagged_rows_give_the_same_dataset_as_the_table()
    {
        var table = Dataset.FromArrays(new float[,] { { 1f, 2f }, { 3f, 4f } }, [0, 1], ["cat", "dog"]);
        var jagged = Dataset.FromArrays([[1f, 2f], [3f, 4f]], [0, 1], ["cat", "dog"]);

        Assert.Equal(table.Features, jagged.Features);
        Assert.Equal(table.Labels, jagged.Labels);
        Assert.Equal(["cat", "dog"], jagged.ClassNames);
        Assert.Equal(2, jagged.ClassCount);
    }

    [Fact]
    public void The_arrays_are_copied_so_later_changes_by_the_caller_do_not_reach_the_dataset()
    {
        float[][] rows = [[1f], [2f]];
        int[] labels = [0, 1];
        var data = Dataset.FromArrays(rows, labels);
        rows[0][0] = 99f;
        labels[0] = 1;

        Assert.Equal([1f, 2f], data.Features);
        Assert.Equal([0, 1], data.Labels);
    }

    [Fact]
    public void One_target_per_row_or_a_table_of_targets_make_a_regression()
    {
        var one = Dataset.FromArrays(new float[,] { { 1f }, { 2f }, { 3f } }, [10f, 20f, 30f]);
        var two = Dataset.FromArrays(new float[,] { { 1f }, { 2f } }, new float[,] { { 10f, -1f }, { 20f, -2f } });
        var jagged = Dataset.FromArrays([[1f], [2f], [3f]], [10f, 20f, 30f]);

        Assert.Equal(LearningTask.Regression, one.Task);
        Assert.Equal((3, 1, 1), (one.Count, one.FeatureCount, one.TargetCount));
        Assert.Equal([10f, 20f, 30f], one.Values!);
        Assert.Equal((2, 1, 2), (two.Count, two.FeatureCount, two.TargetCount));
        Assert.Equal([10f, -1f, 20f, -2f], two.Values!);
        Assert.Equal(one.Features, jagged.Features);
        Assert.Equal(one.Values, jagged.Values);
        var y = new float[2];
        two.FillTargets(1, y, 2);
        Assert.Equal([20f, -2f], y);
    }

    [Fact]
    public void A_label_of_one_output_neuron_network_is_a_two_class_dataset()
    {
        var data = Dataset.FromArrays(new float[,] { { 0f }, { 1f } }, [0, 0]);
        Assert.Equal(2, data.ClassCount);
    }

    [Theory]
    [InlineData("count", "labels", "3 rows of inputs but 2 labels")]
    [InlineData("negative", "labels", "labels[1] is -1")]
    [InlineData("nan", "inputs", "inputs[2, 1] is NaN")]
    [InlineData("ragged", "inputs", "inputs[1] has 1 features but inputs[0] has 2")]
    [InlineData("unnamed", "labels", "labels[0] is 2 but 2 class names name classes 0 to 1")]
    [InlineData("empty", "inputs", "the inputs have no rows")]
    [InlineData("values", "values", "3 rows of inputs but 2 rows of target values")]
    [InlineData("infinite target", "values", "values[1, 0] is Infinity")]
    public void Bad_arrays_are_refused_naming_the_parameter_and_the_place(string problem, string parameter, string fragment)
    {
        float[,] table = { { 1f, 2f }, { 3f, 4f }, { 5f, float.NaN } };
        float[,] finite = { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } };
        Action act = problem switch
        {
            "count" => () => Dataset.FromArrays(finite, [0, 1]),
            "negative" => () => Dataset.FromArrays(finite, [0, -1, 1]),
            "nan" => () => Dataset.FromArrays(table, [0, 1, 1]),
            "ragged" => () => Dataset.FromArrays([[1f, 2f], [3f]], [0, 1]),
            "unnamed" => () => Dataset.FromArrays(finite, [2, 0, 1], ["cat", "dog"]),
            "empty" => () => Dataset.FromArrays(new float[0, 2], []),
            "values" => () => Dataset.FromArrays(finite, [1f, 2f]),
            "infinite target" => () => Dataset.FromArrays(finite, [1f, float.PositiveInfinity, 2f]),
            _ => throw new ArgumentException(problem),
        };
        var e = Assert.Throws<ArgumentException>(act);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void A_network_trains_on_a_dataset_made_from_arrays()
    {
        // XOR as a table: the data is the library's to train, without a file.
        var data = Dataset.FromArrays(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } }, [0, 1, 1, 0]);
        var architecture = new Architecture([2, 8, 2], Activation.Tanh, Activation.Parse("softmax"), Backprop.Costs.Cost.Parse("cross-entropy"));
        var network = Network<float>.Initialize(architecture, seed: 1);
        var trainer = new Backprop.Training.Trainer(network, new Backprop.Training.TrainingOptions { Optimizer = "adam", LearningRate = 0.05, BatchSize = 4, Epochs = 300 }, data);
        foreach (var _ in trainer.Run()) { }

        var outputs = network.Forward(data.Features, data.Count);
        for (int i = 0; i < data.Count; i++)
            Assert.True(outputs[2 * i + data.Labels[i]] > 0.9f, $"example {i}: a = ({outputs[2 * i]}, {outputs[2 * i + 1]}), label {data.Labels[i]}");
    }
}

public class LibraryWordsTests
{
    [Fact]
    public void An_unknown_activation_is_refused_in_the_library_words_without_a_cli_flag()
    {
        var e = Assert.Throws<BackpropException>(() => Activation.Parse("swish"));
        Assert.Equal("unknown activation 'swish'; use one of: sigmoid, tanh, relu, leaky-relu, identity, softmax", e.Message);
        var hidden = Assert.Throws<BackpropException>(() => Architecture.ParseHiddenActivations("relu,tanh", 3));
        Assert.StartsWith("activations relu,tanh names 2 activations but the network has 3 hidden layers", hidden.Message);
    }
}
