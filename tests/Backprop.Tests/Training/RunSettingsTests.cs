using Backprop.Data;
using Backprop.Tests.Data;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class RunSettingsTests
{
    [Fact]
    public void A_query_made_from_settings_reads_back_as_the_same_settings()
    {
        var settings = new RunSettings
        {
            Data = "moons", Noise = 0.25, Examples = 321, TestFraction = 0.3, Features = "x1,x2,sinx1", HiddenLayers = [5, 3],
            Activation = "relu,tanh", OutputActivation = "sigmoid", Cost = "quadratic", Optimizer = "momentum", LearningRate = 0.05,
            Momentum = 0.7, L1 = 0.002, WeightDecay = 0.01, Batch = 7, Epochs = 12, Seed = 9, Standardize = true,
        };
        var again = RunSettings.FromQuery(settings.ToQuery(3, 2));
        Assert.Equal(settings.ToQuery(3, 2), again.ToQuery(3, 2));
        Assert.Equal(settings with { HiddenLayers = again.HiddenLayers }, again);
        Assert.Equal([5, 3], again.HiddenLayers);
    }

    [Fact]
    public void The_command_line_gives_every_setting_and_quotes_what_a_shell_would_read()
    {
        var settings = new RunSettings { Data = "xor", Features = "x1,x2,x1^2", HiddenLayers = [4], Activation = "tanh", L1 = 0.001, Examples = 200 };
        Assert.Equal("backprop train --data xor --examples 200 --test-fraction 0.5 --features 'x1,x2,x1^2' --layers 3,4,2 --activation tanh "
                     + "--output-activation softmax --cost cross-entropy --optimizer adam --lr 0.01 --l1 0.001 --batch 16 --epochs 100 --seed 1 "
                     + "--out model.safetensors", settings.ToCommandLine(3, 2));
        // Two classes with a sigmoid output: one output neuron, as the CLI builds it.
        Assert.Equal([3, 4, 1], (settings with { OutputActivation = "sigmoid" }).LayerSizes(3, 2));
    }

    [Theory]
    [InlineData("lr=fast", "'lr' in the address should be a number, got 'fast'")]
    [InlineData("layers=2,40,2", "a hidden layer of 40 neurons: the playground takes 1 to 32")]
    [InlineData("layers=2,3,3,3,3,3,3,3,2", "7 hidden layers is more than the playground draws (6)")]
    [InlineData("features=x3", "unknown feature 'x3'")]
    [InlineData("activation=relu,tanh&layers=2,4,2", "names 2 activations but the network has 1 hidden layer")]
    [InlineData("optimizer=rmsprop", "unknown optimizer 'rmsprop'")]
    [InlineData("test-fraction=1", "the test fraction must be at least 0 and below 1")]
    [InlineData("examples=1", "the number of examples must be between 2 and")]
    [InlineData("l1=-1", "--l1 must be zero or positive")]
    public void A_bad_address_is_refused_naming_the_key_and_the_fix(string query, string message) =>
        Expect.Failure(() => RunSettings.FromQuery(query), message);

    [Fact]
    public void Keys_of_other_panels_are_left_to_them()
    {
        Assert.Equal(new RunSettings().ToQuery(2, 2), RunSettings.FromQuery("#plane=0,1&weight=1:0:0").ToQuery(2, 2));
    }
}

public class TrainingRunTests
{
    [Fact]
    public void A_run_stepped_batch_by_batch_equals_a_trainer_run_epoch_by_epoch()
    {
        var settings = new RunSettings { Data = "circles", Examples = 200, Features = "x1,x2,x1^2,x2^2", HiddenLayers = [6], Batch = 9, Epochs = 3, L1 = 0.001, Standardize = true };
        var run = TrainingRun.Start(settings);
        int batches = 0;
        while (!run.Finished) { run.StepBatch(); batches++; }
        Assert.Equal(3 * 12, batches);  // 100 training examples in batches of 9: 12 a epoch

        var twin = TrainingRun.Start(settings);
        foreach (var _ in twin.Trainer.Run()) { }
        for (int l = 0; l < run.Network.Layers.Count; l++)
        {
            Assert.Equal(twin.Network.Layers[l].Weights, run.Network.Layers[l].Weights);
            Assert.Equal(twin.Network.Layers[l].Biases, run.Network.Layers[l].Biases);
        }
        Assert.False(run.StepBatch());
        Assert.Equal(3, run.Epoch);
    }

    [Fact]
    public void The_model_bytes_hold_the_features_and_standardisation_and_load_back()
    {
        var run = TrainingRun.Start(new RunSettings { Data = "xor", Examples = 100, Features = "x1,x2,x1x2", HiddenLayers = [3], Standardize = true, Epochs = 1 });
        run.StepEpoch();
        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "m.safetensors");
        File.WriteAllBytes(path, run.ModelBytes());
        var model = Backprop.Serialization.ModelFile.Load(path);
        Assert.Equal("x1,x2,x1x2", model.Features!.ToString());
        var raw = run.RawTest!;
        var evaluation = Evaluation.Of(model.Network, model.Prepare(raw));
        Assert.Equal(run.Measure().TestAccuracy, evaluation.Accuracy);
    }

    [Fact]
    public void The_plane_maps_give_each_neuron_what_the_network_computes_at_that_point()
    {
        var run = TrainingRun.Start(new RunSettings { Data = "moons", Examples = 100, Features = "x1,x2,sinx2", HiddenLayers = [4, 3], Standardize = true, Epochs = 1 });
        run.StepEpoch();
        var projection = run.Projection();
        var maps = Backprop.Explaining.PlaneMaps.Compute(run.Network, projection, 7);
        var (x1, x2) = maps.Point(2, 5);
        var input = projection.Inputs([(float)x1, (float)x2]);
        var output = run.Network.Forward(input, 1);
        int point = 2 * 7 + 5;
        Assert.Equal(output[0], maps.Of(2, 0)[point], 6);
        Assert.Equal(output[1], maps.Of(2, 1)[point], 6);
        // The input the network sees at that point: x1, x2 and sin x2, standardised with the training means and deviations.
        var s = run.Standardizer!;
        Assert.Equal((float)((Math.Sin((float)x2) - s.Mean[2]) / s.Deviation[2]), maps.InputMaps[2][point], 5);
    }
}

public class RegressionRunTests
{
    static readonly RunSettings Plane = new()
    {
        Data = "plane", Examples = 300, TestFraction = 0.25, HiddenLayers = [6], OutputActivation = "identity", Cost = "quadratic",
        LearningRate = 0.02, Batch = 10, Epochs = 40, Seed = 2,
    };

    [Fact]
    public void A_regression_set_makes_a_regression_command_with_one_output_and_its_address_reads_back()
    {
        Assert.Equal(LearningTask.Regression, Plane.Task);
        Assert.Equal("backprop train --data plane --task regression --examples 300 --test-fraction 0.25 --layers 2,6,1 --activation tanh "
                     + "--output-activation identity --cost quadratic --optimizer adam --lr 0.02 --batch 10 --epochs 40 --seed 2 --out model.safetensors",
            Plane.ToCommandLine(2, 1));
        string query = Plane.ToQuery(2, 1);
        Assert.StartsWith("data=plane&task=regression&", query);
        var again = RunSettings.FromQuery(query);
        Assert.Equal(query, again.ToQuery(2, 1));
        Assert.Equal(Plane with { HiddenLayers = again.HiddenLayers }, again);
        Assert.Equal(LearningTask.Classification, (Plane with { Data = "spiral" }).Task);
    }

    [Fact]
    public void A_csv_file_is_read_as_the_address_says_and_its_command_says_so_too()
    {
        var table = RunSettings.FromQuery("task=regression&data=csv:prices.csv&label-column=2&test-fraction=0.2&standardize&layers=2,8,1&activation=tanh"
                                          + "&output-activation=identity&cost=quadratic");
        Assert.Equal(LearningTask.Regression, table.Task);
        Assert.Equal(LearningTask.Regression, table.DataOptions.Task);
        Assert.Equal([2, 8, 1], table.LayerSizes(2, 1));
        Assert.StartsWith("backprop train --data csv:prices.csv --task regression --label-column 2 --test-fraction 0.2 --standardize --layers 2,8,1 ",
            table.ToCommandLine(2, 1));
        Assert.Equal(table.ToQuery(2, 1), RunSettings.FromQuery(table.ToQuery(2, 1)).ToQuery(2, 1));
        // Without task=, a file holds classes; the task of a CSV file is not read for the built-in sets.
        Assert.Equal(LearningTask.Classification, RunSettings.FromQuery("data=csv:points.csv").Task);
        Assert.Equal(LearningTask.Classification, (table with { Data = "spiral" }).Task);
    }

    [Theory]
    [InlineData("data=spiral&task=regression", "task=regression does not go with data=spiral: plane and gaussians are regressions, the other sets classes (a CSV file is either)")]
    [InlineData("data=plane&task=classification", "task=classification does not go with data=plane")]
    [InlineData("data=plane&task=ranking", "task=ranking: unknown task; write task=regression or task=classification")]
    public void An_address_whose_task_is_not_its_data_s_is_refused(string query, string message) =>
        Expect.Failure(() => RunSettings.FromQuery(query), message);

    [Fact]
    public void A_regression_run_measures_its_fit_and_its_model_file_gives_the_same_fit()
    {
        var run = TrainingRun.Start(Plane with { Standardize = true });
        var before = run.Measure();
        while (!run.Finished) run.StepEpoch();
        var after = run.Measure();
        Assert.NotNull(after.TestFit);
        Assert.True(after.TestFit!.R2 > 0.98 && after.TestFit.R2 > before.TestFit!.R2, $"test R² {before.TestFit!.R2} → {after.TestFit.R2}");
        Assert.Equal(0, after.TrainAccuracy);

        string path = Path.Combine(Directory.CreateTempSubdirectory().FullName, "m.safetensors");
        File.WriteAllBytes(path, run.ModelBytes());
        var model = Backprop.Serialization.ModelFile.Load(path);
        Assert.Equal(LearningTask.Regression, model.Task);
        Assert.NotNull(model.TargetScale);
        var fromFile = RegressionMetrics.Of(model.Network, model.Prepare(run.RawTest!), model.TargetScale);
        Assert.Equal(after.TestFit.R2, fromFile.R2, 12);
        Assert.Equal(after.TestFit.Rmse, fromFile.Rmse, 12);
    }

    [Fact]
    public void A_regression_with_softmax_is_refused_in_the_command_s_words()
    {
        Expect.Failure(() => TrainingRun.Start(Plane with { OutputActivation = "softmax", Cost = "cross-entropy" }),
            "a regression predicts real numbers, which softmax (outputs summing to 1) cannot; leave --output-activation out for identity");
    }
}
