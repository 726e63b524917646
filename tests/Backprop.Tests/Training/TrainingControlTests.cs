using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Serialization;
using Backprop.Training;
using Backprop.Tests.Data;

namespace Backprop.Tests.Training;

/// <summary>Schedules, early stopping, callbacks and custom loops on the trainer, and the one-call Model.Train.</summary>
public class TrainingControlTests
{
    static readonly Architecture Small = new([3, 8, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);

    static float[][] Parameters(Network<float> network) =>
        network.Layers.SelectMany(l => new[] { (float[])l.Weights.Clone(), (float[])l.Biases.Clone() }).ToArray();

    static void AssertSameBits(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            for (int i = 0; i < expected[t].Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[t][i]) == BitConverter.SingleToInt32Bits(actual[t][i]),
                    $"{what}: tensor {t}[{i}] expected {expected[t][i]:R}, actual {actual[t][i]:R}");
    }

    [Theory]
    [InlineData("step:10:0.5", "step:10:0.5")]
    [InlineData(" Step : 3 ", "step:3:0.1")]
    [InlineData("exponential:0.95", "exponential:0.95")]
    [InlineData("cosine:20", "cosine:20:0")]
    [InlineData("COSINE:20:1e-4", "cosine:20:0.0001")]
    [InlineData("warmup:5", "warmup:5:0.3333333333333333")]
    [InlineData("plateau", "plateau:10:0.1")]
    [InlineData("plateau:3:0.5", "plateau:3:0.5")]
    public void A_schedule_reads_its_compact_form_whatever_the_case_and_spaces_and_writes_it_whole(string text, string written)
    {
        var schedule = LearningRateSchedule.Parse(text);
        Assert.Equal(written, schedule.ToString());
        Assert.Equal(schedule, LearningRateSchedule.Parse(schedule.ToString()));
    }

    [Theory]
    [InlineData("linear:5", "unknown schedule 'linear'")]
    [InlineData("step", "step takes 1 to 2 values")]
    [InlineData("step:0", "the step must be at least 1 epoch, got 0")]
    [InlineData("step:2:1.5", "the factor must be between 0 and 1, got 1.5")]
    [InlineData("exponential:0", "the factor must be between 0 and 1, got 0")]
    [InlineData("cosine:10:-1", "the minimum η must be zero or positive, got -1")]
    [InlineData("warmup:x", "'x' is not a whole number")]
    [InlineData("plateau:-1", "the patience must be 0 or more epochs, got -1")]
    [InlineData("plateau:1:2:3", "plateau takes 0 to 2 values")]
    public void A_bad_schedule_is_refused_naming_the_part_and_the_forms(string text, string message)
    {
        var error = Assert.Throws<BackpropException>(() => LearningRateSchedule.Parse(text));
        Assert.Contains(message, error.Message);
        Assert.Contains(LearningRateSchedule.Syntax, error.Message);
    }

    [Fact]
    public void The_defaults_are_the_commands_and_eta_follows_the_optimizer_when_not_set()
    {
        var options = new TrainingOptions();
        Assert.Equal(("adam", 0.001, 32, 10), (options.Optimizer, options.LearningRate, options.BatchSize, options.Epochs));
        Assert.Equal(0.1, new TrainingOptions { Optimizer = "sgd" }.LearningRate);
        Assert.Equal(0.01, new TrainingOptions { Optimizer = "momentum" }.LearningRate);
        Assert.Equal(3.0, new TrainingOptions { Optimizer = "sgd", LearningRate = 3.0 }.LearningRate);
        Assert.Equal(0.01, TrainingOptions.DefaultLearningRate("adam", smallData: true));
    }

    [Fact]
    public void An_optimizer_name_is_read_the_same_whatever_its_case_and_spaces()
    {
        var options = new TrainingOptions { Optimizer = " Adam " }.Validate();
        Assert.Equal(new TrainingOptions { Optimizer = "adam" }, options);
        Assert.Equal("momentum", Optimizer<float>.Create("MOMENTUM ", Network<float>.Initialize(Small, 1), 0.1).Name);
        Expect.Failure(() => new TrainingOptions { Optimizer = "rmsprop " }.Validate(), "unknown optimizer 'rmsprop' for TrainingOptions.Optimizer");
    }

    [Fact]
    public void Library_messages_name_the_option_and_the_command_line_and_playground_name_the_flag()
    {
        var error = Assert.Throws<BackpropException>(() => new TrainingOptions { LearningRate = -1 }.Validate());
        Assert.Equal("TrainingOptions.LearningRate must be a positive number, got -1; try 0.1 for sgd or 0.001 for adam", error.Message);
        Assert.Equal("--lr must be a positive number, got -1; try 0.1 for sgd or 0.001 for adam", RunSettings.InCommandWords(error.Message));
        var layers = Assert.Throws<BackpropException>(() => new Trainer(Network<float>.Initialize(Small, 1), new TrainingOptions(), TrainingData.Random(10, 4, 2, seed: 1)));
        Assert.Equal("the training data has 4 features but Architecture.Sizes starts with 3; use Architecture.Sizes 4,…", layers.Message);
        Assert.Equal("the training data has 4 features but --layers starts with 3; use --layers 4,…", RunSettings.InCommandWords(layers.Message));
        Expect.Failure(() => RunSettings.FromQuery("lr=-2"), "--lr must be a positive number, got -2");
    }

    [Fact]
    public void A_schedule_set_by_hand_between_epochs_equals_the_same_schedule_in_the_options()
    {
        var data = TrainingData.Random(40, 3, 2, seed: 11);
        var schedule = new CosineAnnealing(3, 0.001);
        var options = new TrainingOptions { Epochs = 5, BatchSize = 8, Optimizer = "momentum", LearningRate = 0.2, Seed = 4 };
        var scheduled = new Trainer(Network<float>.Initialize(Small, 2), options with { Schedule = schedule }, data);
        var scheduledRates = scheduled.Run().Select(r => r.LearningRate).ToList();

        // A custom loop: the caller's own optimizer, η set between epochs from the schedule's rates.
        var network = Network<float>.Initialize(Small, 2);
        var optimizer = new Momentum<float>(network, 0.2, 0.9, 0);
        var byHand = new Trainer(optimizer, data, options);
        var rates = schedule.Rates(0.2, 5);
        for (int e = 0; e < 5; e++)
        {
            optimizer.LearningRate = rates[e];
            byHand.RunEpoch();
        }
        Assert.Equal(rates, scheduledRates);
        Assert.NotEqual(rates[0], rates[2]);
        AssertSameBits(Parameters(scheduled.Network), Parameters(network), "hand-scheduled against scheduled");
    }

    [Fact]
    public void A_trainer_built_on_an_optimizer_reports_that_optimizers_settings()
    {
        var network = Network<float>.Initialize(Small, 1);
        var trainer = new Trainer(new Momentum<float>(network, 0.03, 0.7, 0.001) { L1 = 0.002 }, TrainingData.Random(10, 3, 2, seed: 1));
        Assert.Equal(("momentum", 0.03, 0.7, 0.001, 0.002), (trainer.Options.Optimizer, trainer.Options.LearningRate, trainer.Options.Momentum,
            trainer.Options.WeightDecay, trainer.Options.L1));
        Assert.Same(network, trainer.Network);
        Expect.Failure(() => trainer.Optimizer.LearningRate = 0, "LearningRate must be a positive number, got 0");
    }

    [Fact]
    public void A_step_on_the_callers_rows_equals_a_step_on_the_same_examples_by_index()
    {
        var data = TrainingData.Random(12, 3, 2, seed: 5);
        var options = new TrainingOptions { BatchSize = 4, Optimizer = "adam", LearningRate = 0.05 };
        var byIndex = new Trainer(Network<float>.Initialize(Small, 6), options, data);
        var byRows = new Trainer(Network<float>.Initialize(Small, 6), options, data);
        int[] picked = [7, 2, 11];
        var inputs = picked.SelectMany(i => data.Features.AsSpan(i * 3, 3).ToArray()).ToArray();
        var targets = new float[picked.Length * 2];
        for (int i = 0; i < picked.Length; i++) data.FillTargets(picked[i], targets.AsSpan(i * 2, 2), 2);
        for (int step = 0; step < 3; step++)
            Assert.Equal(byIndex.Step(picked), byRows.Step(inputs, targets));
        AssertSameBits(Parameters(byIndex.Network), Parameters(byRows.Network), "rows against indices");
        Assert.Throws<ArgumentException>(() => byRows.Step(inputs.AsSpan(1), targets));
        Assert.Throws<ArgumentException>(() => byRows.Step(new float[15], new float[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => byIndex.Step([12]));
    }

    [Fact]
    public void A_step_on_the_callers_rows_allocates_nothing_once_warm()
    {
        var data = TrainingData.Random(64, 20, 4, seed: 7);
        var network = Network<float>.Initialize(new Architecture([20, 16, 4], Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 1);
        var trainer = new Trainer(network, new TrainingOptions { BatchSize = 32, Schedule = new StepDecay(1, 0.5) }, data);
        var inputs = data.Features.AsSpan(0, 32 * 20).ToArray();
        var targets = new float[32 * 4];
        for (int i = 0; i < 32; i++) data.FillTargets(i, targets.AsSpan(i * 4, 4), 4);
        WarmUp.PastTieredCompilation(() => trainer.Step(inputs, targets));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            trainer.Optimizer.LearningRate = 0.001 / (1 + i);
            trainer.Step(inputs, targets);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Random labels: the network memorises the training part and the validation cost turns up after a few epochs.</summary>
    static (Trainer Trainer, Dataset Validation) Overfitting(int patience, int epochs = 40)
    {
        var all = TrainingData.Random(120, 3, 2, seed: 21);
        var (train, validation) = ValidationSplit.Split(all, 0.25, 3);
        var options = new TrainingOptions { Epochs = epochs, BatchSize = 10, Optimizer = "adam", LearningRate = 0.03, Seed = 2, EarlyStoppingPatience = patience };
        return (new Trainer(Network<float>.Initialize(new Architecture([3, 32, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy), 1), options, train), validation);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public void Early_stopping_stops_as_keras_does_and_ends_with_the_best_epochs_weights(int patience)
    {
        var (trainer, validation) = Overfitting(patience);
        var costs = new List<double>();
        var weights = new List<float[][]>();
        trainer.EpochEnded = (t, report) => { costs.Add(report.ValidationCost!.Value); weights.Add(Parameters(t.Network)); };
        var reports = trainer.Run(validation).ToList();

        // Keras's rule on the same costs: wait counts epochs since the best; stop when it reaches the patience.
        int best = 0, wait = 0, stop = costs.Count;
        for (int e = 1; e < costs.Count; e++)
        {
            if (costs[e] < costs[best]) { best = e; wait = 0; continue; }
            if (++wait >= patience) { stop = e + 1; break; }
        }
        Assert.True(trainer.StoppedEarly, $"validation costs {string.Join(", ", costs.Select(c => c.ToString("F4")))} never stopped the run");
        Assert.Equal(stop, reports.Count);
        Assert.Equal(best + 1, trainer.BestEpoch);
        Assert.Equal(costs[best], trainer.BestValidationCost);
        Assert.Equal(costs[best], Evaluation.Of(trainer.Network, validation).Cost);
        // The callback sees the weights the epoch ended with: the best epoch's own, and at the end those put back.
        AssertSameBits(weights[best], Parameters(trainer.Network), $"weights after early stopping against epoch {best + 1}'s");
        AssertSameBits(weights[best], weights[^1], "weights the last callback saw");
        // The last epoch was measured before the restore: its weights were others, with a higher validation cost.
        Assert.True(reports[^1].ValidationCost > costs[best], $"last epoch's validation cost {reports[^1].ValidationCost} against the best {costs[best]}");
    }

    [Fact]
    public void Early_stopping_without_validation_data_is_refused_before_any_step()
    {
        var (trainer, _) = Overfitting(3);
        var before = Parameters(trainer.Network);
        Expect.Failure(() => trainer.RunEpoch(), "early stopping watches the validation cost, and no validation data was given");
        AssertSameBits(before, Parameters(trainer.Network), "weights after the refusal");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 4)]
    [InlineData(6, 2)]
    public void A_run_with_a_schedule_and_early_stopping_resumed_from_a_checkpoint_ends_with_the_same_bits(int epoch, int batch)
    {
        TrainingOptions With((Trainer Trainer, Dataset Validation) run) => run.Trainer.Options with { Schedule = new ReduceOnPlateau(1, 0.5) };
        var (alone, validation) = Overfitting(4);
        var options = With((alone, validation));
        alone = new Trainer(Network<float>.Initialize(alone.Network.Architecture, 1), options, alone.Train);
        var aloneReports = alone.Run(validation).ToList();
        Assert.True(alone.StoppedEarly && aloneReports.Select(r => r.LearningRate).Distinct().Count() > 1,
            "the run should both reduce η and stop early, so that the checkpoint must hold both states");

        byte[]? saved = null;
        var first = new Trainer(Network<float>.Initialize(alone.Network.Architecture, 1), options, alone.Train);
        first.BetweenBatches = t => { if (t.Epoch == epoch && t.Batch == batch) saved = Checkpoint.Capture(t).ToBytes(); };
        first.EpochEnded = (t, _) => { if (t.Epoch == epoch && batch == 0) saved = Checkpoint.Capture(t).ToBytes(); };
        while (saved is null) first.RunEpoch(validation);

        var resumed = new Trainer(Network<float>.Initialize(alone.Network.Architecture, 77), options, alone.Train);
        Checkpoint.FromBytes(saved, "test checkpoint").Restore(resumed);
        var resumedReports = resumed.Run(validation).ToList();
        Assert.Equal(aloneReports.Skip(epoch).Select(r => (r.Epoch, r.LearningRate, r.ValidationCost)), resumedReports.Select(r => (r.Epoch, r.LearningRate, r.ValidationCost)));
        Assert.Equal((alone.BestEpoch, alone.StoppedEarly), (resumed.BestEpoch, resumed.StoppedEarly));
        AssertSameBits(Parameters(alone.Network), Parameters(resumed.Network), "resumed against alone");
    }

    [Fact]
    public void Model_train_in_one_call_makes_the_model_file_the_command_makes()
    {
        using var folder = new TempDirectory();
        var result = Cli.BackpropProcess.Run(folder.Path, "train", "--data", "moons", "--epochs", "3", "--standardize", "--features", "x1,x2,x1x2",
            "--validation-split", "0.2", "--lr-schedule", "step:1:0.5", "--no-pictures", "--out", "cli.safetensors");
        Assert.True(result.ExitCode == 0, result.ToString());

        var (train, validation) = ValidationSplit.Split(DataSource.Train("moons", new DataOptions(Seed: 1)), 0.2, 1);
        var model = Model.Train(train,
            new TrainingOptions { Epochs = 3, LearningRate = TrainingOptions.DefaultLearningRate("adam", smallData: true), Schedule = new StepDecay(1, 0.5) },
            new ModelOptions { Standardize = true, Features = FeatureMap.Parse("x1,x2,x1x2") }, validation);
        ModelFile.Save(folder.File("library.safetensors"), model);
        Assert.Equal(File.ReadAllBytes(folder.File("cli.safetensors")), File.ReadAllBytes(folder.File("library.safetensors")));
        Assert.Equal("3,64,64,2", model.Network.Architecture.SizesText);
    }
}
