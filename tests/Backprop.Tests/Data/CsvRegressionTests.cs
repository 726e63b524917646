using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Tests.Data;

/// <summary>Tables whose targets are real numbers: the reader, the dataset, and the metrics.</summary>
public class CsvRegressionTests
{
    static Dataset ReadText(string text, int[]? targets = null)
    {
        using var dir = new TempDirectory();
        return CsvReader.ReadRegression(dir.WriteText("data.csv", text), targets);
    }

    static void FailsWith(string text, int[]? targets, params string[] fragments)
    {
        using var dir = new TempDirectory();
        string path = dir.WriteText("data.csv", text);
        Expect.Failure(() => CsvReader.ReadRegression(path, targets), [path, .. fragments]);
    }

    [Fact]
    public void The_last_column_is_the_real_target_and_a_header_is_skipped()
    {
        var data = ReadText("age,bmi,progression\n0.5,1.25,151\n-0.5,2,75.5\n");

        Assert.Equal(LearningTask.Regression, data.Task);
        Assert.Equal(2, data.Count);
        Assert.Equal(2, data.FeatureCount);
        Assert.Equal(1, data.TargetCount);
        Assert.Equal([0.5f, 1.25f, -0.5f, 2f], data.Features);
        Assert.Equal([151f, 75.5f], data.Values!);
        Assert.Empty(data.Labels);
    }

    [Fact]
    public void Several_target_columns_are_read_in_the_order_given()
    {
        var data = ReadText("1,10,2,20\n3,30,4,40\n", [3, 1]);

        Assert.Equal(2, data.TargetCount);
        Assert.Equal([20f, 10f, 40f, 30f], data.Values!);
        Assert.Equal([1f, 2f, 3f, 4f], data.Features);
        var y = new float[2];
        data.FillTargets(1, y, 2);
        Assert.Equal([40f, 30f], y);
    }

    [Fact]
    public void A_subset_and_a_split_keep_each_examples_targets()
    {
        var data = ReadText("1,10\n2,20\n3,30\n4,40\n");
        var subset = data.Subset([3, 0]);
        Assert.Equal([4f, 1f], subset.Features);
        Assert.Equal([40f, 10f], subset.Values!);
        var (train, test) = ValidationSplit.Split(data, 0.5, 1);
        for (int i = 0; i < train.Count; i++) Assert.Equal(train.Features[i] * 10, train.Values![i]);
        for (int i = 0; i < test.Count; i++) Assert.Equal(test.Features[i] * 10, test.Values![i]);
    }

    [Fact]
    public void A_target_that_is_not_finite_is_refused_with_its_line()
    {
        FailsWith("1,2\n3,nan\n", null, "line 2, column 2: target \"nan\" is not a finite number");
        FailsWith("1,2\n3,1e39\n", null, "line 2, column 2: target \"1e39\" is not a finite number");
    }

    [Fact]
    public void A_target_column_out_of_range_or_given_twice_is_refused()
    {
        FailsWith("1,2,3\n", [3], "target column 3 is out of range: line 1 has 3 columns, numbered 0 to 2; choose it with targetColumns");
        FailsWith("1,2,3\n", [1, 1], "target column 1 is given twice; name each target column once");
        FailsWith("1,2\n", [0, 1], "line 1 has 2 columns; a regression table needs at least one feature column beside its 2 target columns");
    }

    [Fact]
    public void The_label_column_list_is_parsed_and_several_columns_need_a_regression()
    {
        var (label, targets) = DataOptions.ParseColumns("4, 5", LearningTask.Regression);
        Assert.Equal(4, label);
        Assert.Equal([4, 5], targets!);
        Expect.Failure(() => DataOptions.ParseColumns("4,5", LearningTask.Classification), "several target columns need --task regression");
        Expect.Failure(() => DataOptions.ParseColumns("2,x", LearningTask.Regression), "\"x\" is not a column number");
        Expect.Failure(() => DataOptions.ParseColumns("2,2", LearningTask.Regression), "column 2 is given twice");
    }

    [Fact]
    public void Metrics_are_in_the_targets_units_and_match_a_hand_computation()
    {
        // ŷ = 2x on x = 1, 2, 3 against y = 2, 4, 7: residuals 0, 0, −1.
        var architecture = new Architecture([1, 1], [], Activation.Identity, Cost.Quadratic);
        var network = new Network<float>(architecture, [new Layer<float>(1, 1, Activation.Identity, [2f], [0f])]);
        var data = new Dataset([1f, 2f, 3f], [2f, 4f, 7f], 1, 1);

        var m = RegressionMetrics.Of(network, data, null);
        Assert.Equal(1.0 / 3, m.Mse, 12);
        Assert.Equal(Math.Sqrt(1.0 / 3), m.Rmse, 12);
        Assert.Equal(1.0 / 3, m.Mae, 12);
        // ȳ = 13/3, Σ(y − ȳ)² = 38/3: R² = 1 − 1/(38/3) = 35/38.
        Assert.Equal(35.0 / 38, m.R2, 6);
        Assert.Equal(3, m.Count);

        // The same network on standardised targets (μ = 1, σ = 10): the metrics undo it and come out in the units.
        var scale = new Standardizer([1f], [10f]);
        var scaledNetwork = new Network<float>(architecture, [new Layer<float>(1, 1, Activation.Identity, [0.2f], [-0.1f])]);
        var scaled = new Dataset([1f, 2f, 3f], [0.1f, 0.3f, 0.6f], 1, 1);
        var inUnits = RegressionMetrics.Of(scaledNetwork, scaled, scale);
        Assert.Equal(1.0 / 3, inUnits.Mse, 5);
        Assert.Equal(35.0 / 38, inUnits.R2, 5);
    }

    [Fact]
    public void The_trainer_fits_a_line_with_one_identity_neuron()
    {
        var rows = Enumerable.Range(0, 64).Select(i => i / 32f - 1).ToArray();
        var data = new Dataset(rows, rows.Select(x => 3 * x + 0.5f).ToArray(), 1, 1);
        var network = Network<float>.Initialize(new Architecture([1, 1], [], Activation.Identity, Cost.Quadratic), 1);
        var trainer = new Trainer(network, new TrainingOptions { Epochs = 200, BatchSize = 16, Optimizer = "adam", LearningRate = 0.05, Seed = 1 }, data);
        var report = trainer.Run(test: data).Last();

        Assert.True(report.TestMetrics!.R2 > 0.9999, $"R² {report.TestMetrics.R2}");
        Assert.Equal(3f, network.Layers[0].Weights[0], 2);
        Assert.Equal(0.5f, network.Layers[0].Biases[0], 2);
        Assert.Null(report.TestAccuracy);
    }
}
