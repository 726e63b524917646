using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Backprop.Activations;
using Backprop.Cli.Rendering;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Commands;

public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    /// <summary>With no --data, the embedded demo: two interleaved spirals, which no straight line separates.</summary>
    public const string DefaultData = "spiral";

    public sealed class Settings : DataSettings
    {
        [CommandOption("--layers <SIZES>")]
        [Description("Layer sizes, inputs first: 784,30,10 (default: inputs,64,64,classes)")]
        public string? Layers { get; init; }

        [CommandOption("--activation <NAMES>")]
        [Description("Hidden activation: sigmoid, tanh, relu, leaky-relu, identity (default relu); one for every hidden layer, or one per hidden layer: relu,tanh")]
        public string? Activation { get; init; }

        [CommandOption("--output-activation <NAME>")]
        [Description("Output activation: sigmoid, tanh, relu, leaky-relu, identity, softmax (default softmax; sigmoid for one output)")]
        public string? OutputActivation { get; init; }

        [CommandOption("--cost <NAME>")]
        [Description("quadratic or cross-entropy (default cross-entropy with softmax, else quadratic)")]
        public string? Cost { get; init; }

        [CommandOption("--optimizer <NAME>")]
        [Description("sgd, momentum or adam")]
        [DefaultValue(TrainingOptions.DefaultOptimizer)]
        public string Optimizer { get; init; } = TrainingOptions.DefaultOptimizer;

        [CommandOption("--lr <RATE>")]
        [Description("Learning rate η (default: adam 0.001, or 0.01 on synthetic sets; sgd 0.1; momentum 0.01)")]
        public double? LearningRate { get; init; }

        [CommandOption("--momentum <MU>")]
        [Description("μ for --optimizer momentum")]
        [DefaultValue(TrainingOptions.DefaultMomentum)]
        public double Momentum { get; init; } = TrainingOptions.DefaultMomentum;

        [CommandOption("--weight-decay <LAMBDA>")]
        [Description("λ: adds λW to the weight gradients (not the biases)")]
        [DefaultValue(0.0)]
        public double WeightDecay { get; init; }

        [CommandOption("--l1 <LAMBDA>")]
        [Description("λ₁: adds λ₁‖W‖₁ to the cost, so λ₁·sign(W) to the weight gradients (not the biases)")]
        [DefaultValue(0.0)]
        public double L1 { get; init; }

        [CommandOption("--features <LIST>")]
        [Description("Two-feature data: the inputs made of a point (x1, x2), any of x1,x2,x1^2,x2^2,x1x2,sinx1,sinx2 (default x1,x2); stored in the model")]
        public string? Features { get; init; }

        [CommandOption("--batch <SIZE>")]
        [Description("Mini-batch size")]
        [DefaultValue(TrainingOptions.DefaultBatchSize)]
        public int Batch { get; init; } = TrainingOptions.DefaultBatchSize;

        [CommandOption("--epochs <N>")]
        [Description("Passes over the training data (default 10; 30 on synthetic sets)")]
        public int? Epochs { get; init; }

        [CommandOption("--init <FILE>")]
        [Description("Start from the weights in this safetensors file instead of random ones")]
        public string? Init { get; init; }

        [CommandOption("--no-shuffle")]
        [Description("Keep file order instead of shuffling every epoch")]
        public bool NoShuffle { get; init; }

        [CommandOption("--validation-split <FRACTION>")]
        [Description("Hold out this fraction of the training data and report its accuracy every epoch")]
        public double? ValidationSplit { get; init; }

        [CommandOption("--lr-schedule <SCHEDULE>")]
        [Description("Change η after every epoch, as torch.optim.lr_scheduler does (brackets: optional): step:STEP[[:FACTOR]] (η×FACTOR every STEP epochs; factor 0.1), " +
                     "exponential:FACTOR (η×FACTOR every epoch), cosine:PERIOD[[:MIN]] (half a cosine down to MIN over PERIOD epochs), " +
                     "warmup:EPOCHS[[:START]] (from START·η up to η over EPOCHS epochs; start 1/3), " +
                     "plateau[[:PATIENCE[[:FACTOR]]]] (η×FACTOR once the validation cost, or the train cost without --validation-split, has not improved for more than PATIENCE epochs; 10 and 0.1)")]
        public string? LearningRateSchedule { get; init; }

        [CommandOption("--early-stopping <PATIENCE>")]
        [Description("Stop once the validation cost has not improved for PATIENCE epochs in a row, and save the best epoch's weights (needs --validation-split)")]
        public int? EarlyStopping { get; init; }

        [CommandOption("--standardize")]
        [Description("Scale every feature to mean 0, deviation 1 on the training data (stored in the model)")]
        public bool Standardize { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Where to write the model")]
        [DefaultValue("model.safetensors")]
        public string Out { get; init; } = "model.safetensors";

        [CommandOption("--checkpoint-dir <DIR>")]
        [Description("Write a checkpoint here at the end of every epoch (newest 3 kept); continue an interrupted run with --resume DIR")]
        public string? CheckpointDirectory { get; init; }

        [CommandOption("--checkpoint-every <N>")]
        [Description("Also write a checkpoint every N batches within an epoch (0: only at epoch ends)")]
        [DefaultValue(0)]
        public int CheckpointEvery { get; init; }

        [CommandOption("--resume <DIR>")]
        [Description("Continue the run checkpointed in DIR from its newest valid checkpoint, with its own settings (only --out, --json, --checkpoint-every may be given too)")]
        public string? Resume { get; init; }

        [CommandOption("--no-pictures")]
        [Description("Skip the pictures written beside the model (curves, decision regions, first-layer weights)")]
        public bool NoPictures { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var resumption = settings.Resume is null ? null : Checkpointing.Resume(context, settings);
        if (resumption != null) settings = resumption.Settings;
        var plan = TrainingPlan.From(settings);
        var checkpoints = resumption?.Checkpointing ?? Checkpointing.Start(settings);
        var clock = Stopwatch.StartNew();
        var train = plan.Train;
        var trainer = new Trainer(plan.Network, plan.Options, train) { TargetScale = plan.TargetScale };
        if (checkpoints != null) Checkpoint.RequireFits(trainer);
        resumption?.Loaded.Checkpoint.Restore(trainer);
        checkpoints?.Attach(trainer);
        var text = !settings.Json;
        if (text)
        {
            Console.Out.WriteLine(plan.Describe());
            // Which kernels ran is part of any timing a reader compares (bench/RESULTS.md has their speeds).
            Console.Out.WriteLine($"matrix products: {MatrixProducts.Description}");
        }
        if (resumption != null)
        {
            if (text) Console.Out.WriteLine($"resuming from {resumption.Loaded.Path}: {trainer.Epoch} of {Format.Count(plan.Options.Epochs, "epoch")} done" +
                                            (trainer.Batch > 0 ? $", and {trainer.Batch} of {trainer.BatchCount} batches of epoch {trainer.Epoch + 1}" : ""));
            else JsonLines.Write(new { @event = "resume", checkpoint = resumption.Loaded.Path, epochs_done = trainer.Epoch, batches_done = trainer.Batch });
        }

        // SIGINT (Ctrl-C) and SIGTERM stop the run between two batches; a second signal ends it at once.
        using var interrupt = new CancellationTokenSource();
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        if (checkpoints != null) checkpoints.Interrupt = interrupt.Token;
        try
        {
            var reports = new List<EpochReport>();
            // Resumed after the last epoch but before the model was saved: the summary reports that epoch.
            if (trainer.Finished && trainer.LastReport is { } done) reports.Add(done);
            bool live = text && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            while (!trainer.Finished)
            {
                EpochReport report;
                if (live)
                {
                    // One live bar per epoch, cleared when the epoch ends so that its plain line takes its place.
                    EpochReport? finished = null;
                    AnsiConsole.Progress().AutoClear(true).HideCompleted(true)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                        .Start(progressContext =>
                        {
                            var task = progressContext.AddTask($"epoch {trainer.Epoch + 1}/{plan.Options.Epochs}", maxValue: trainer.BatchCount);
                            finished = trainer.RunEpoch(plan.Validation, plan.Test, new Progress(task), interrupt.Token);
                        });
                    report = finished!;
                }
                else report = trainer.RunEpoch(plan.Validation, plan.Test, null, interrupt.Token);
                reports.Add(report);
                if (text) Console.Out.WriteLine(EpochLine(report, plan.Options));
                else JsonLines.Write(new
                {
                    @event = "epoch", epoch = report.Epoch, train_cost = report.TrainCost, validation_cost = report.ValidationCost,
                    learning_rate = report.LearningRate,
                    validation_accuracy = report.ValidationAccuracy, test_accuracy = report.TestAccuracy,
                    train = Metrics(report.TrainMetrics), validation = Metrics(report.ValidationMetrics), test = Metrics(report.TestMetrics),
                    seconds = report.Seconds,
                });
                checkpoints?.Save(trainer);
            }

            ModelFile.Save(plan.OutputPath, plan.Model);
            // After the model is safe on disk; plan.Train is standardized when plan.Standardizer is set.
            // A picture is secondary: one that cannot be written now (the disk filled up since the check) is not
            // written at all, is named in a warning, and leaves the exit code 0 — the model, what the run is for, is saved.
            var failures = new List<string>();
            var pictures = settings.NoPictures ? [] : TrainingPictures.Save(reports, plan.Network, plan.Train, plan.Standardizer, plan.OutputPath, failures, plan.TargetScale);
            foreach (var failure in failures) Console.Error.WriteLine($"warning: picture not written: {failure}");
            var last = reports[^1];
            // With early stopping the network now holds the best epoch's weights: the summary scores those, the model saved.
            var saved = trainer.BestEpoch is { } best && best != last.Epoch
                ? trainer.Measure(last.Epoch, last.TrainCost, last.Seconds, plan.Validation, plan.Test)
                : last;
            if (text && trainer.BestEpoch is { } kept)
                Console.Out.WriteLine((trainer.StoppedEarly ? $"stopped early after epoch {last.Epoch}: the validation cost has not improved for {plan.Options.EarlyStoppingPatience} epoch{(plan.Options.EarlyStoppingPatience == 1 ? "" : "s")}; " : "") +
                                      $"the model holds epoch {kept}'s weights (validation cost {Format.Number(trainer.BestValidationCost!.Value, "F6")})");
            last = saved;
            if (text)
            {
                Console.Out.WriteLine($"saved {Shown(plan.OutputPath)} ({clock.Elapsed.TotalSeconds:F1} s){(last.TestAccuracy is { } t ? $"; test accuracy {Format.Percent(t)}" : "")}" +
                                      (last.TestMetrics is { } m ? $"; test R² {Format.Number(m.R2, "F4")}, RMSE {Format.Number(m.Rmse, "G6")}" : ""));
                if (pictures.Count > 0) Console.Out.WriteLine($"pictures: {string.Join(", ", pictures.Select(Shown))}");
                Console.Out.WriteLine($"next: backprop evaluate --model {Shown(plan.OutputPath)} --data {Shown(plan.DataSpec)}");
                if (settings.Data is null)
                    Console.Out.WriteLine("      backprop train --data fashion-mnist --layers 784,30,10 --activation sigmoid --output-activation sigmoid --cost quadratic --optimizer sgd --lr 1.5 --batch 10 --epochs 5");
            }
            else
                JsonLines.Write(new
                {
                    @event = "summary", epochs = last.Epoch, best_epoch = trainer.BestEpoch, stopped_early = trainer.StoppedEarly,
                    train_cost = last.TrainCost, validation_cost = last.ValidationCost, validation_accuracy = last.ValidationAccuracy,
                    test_accuracy = last.TestAccuracy, train = Metrics(last.TrainMetrics), validation = Metrics(last.ValidationMetrics), test = Metrics(last.TestMetrics),
                    seconds_training = reports.Sum(r => r.Seconds), seconds = clock.Elapsed.TotalSeconds, model = plan.OutputPath,
                    pictures,
                });
            return 0;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            if (checkpoints is null)
            {
                Console.Error.WriteLine("interrupted; nothing saved (with --checkpoint-dir DIR an interrupted run can be resumed)");
                return 130;
            }
            Console.Error.WriteLine($"interrupted; saved {checkpoints.Save(trainer)}");
            Console.Error.WriteLine($"resume with: backprop train --resume {checkpoints.Directory}");
            return 130;
        }
    }

    /// <summary>A path or data spec as printed: on --resume it comes from the checkpoint's metadata, a file.</summary>
    static string Shown(string path) => ShownText.Of(path, 1000);

    /// <summary>A regression's metrics as JSON: {"mse","rmse","mae","r2","examples"}, in the targets' units.</summary>
    internal static object? Metrics(RegressionMetrics? m) => m is null ? null : new { mse = m.Mse, rmse = m.Rmse, mae = m.Mae, r2 = m.R2, examples = m.Count };

    static string MetricsText(string part, RegressionMetrics? m) =>
        m is null ? "" : $"  {part} R² {Format.Number(m.R2, "F4")} RMSE {Format.Number(m.Rmse, "G5")} MAE {Format.Number(m.Mae, "G5")}";

    /// <summary>One epoch's line; η when a schedule changes it, the validation cost when early stopping watches it.</summary>
    static string EpochLine(EpochReport r, TrainingOptions options) =>
        $"epoch {r.Epoch.ToString().PadLeft(options.Epochs.ToString().Length)}/{options.Epochs}  cost {Format.Number(r.TrainCost, "F6")}" +
        (options.Schedule is null ? "" : $"  η {Format.Number(r.LearningRate, "G6")}") +
        (options.EarlyStoppingPatience is null || r.ValidationCost is not { } vc ? "" : $"  validation cost {Format.Number(vc, "F6")}") +
        MetricsText("train", r.TrainMetrics) + MetricsText("validation", r.ValidationMetrics) + MetricsText("test", r.TestMetrics) +
        (r.ValidationAccuracy is { } v ? $"  validation {Format.Percent(v)}" : "") +
        (r.TestAccuracy is { } t ? $"  test {Format.Percent(t)}" : "") +
        $"  {Format.Number(r.Seconds, "F2")} s";

    sealed class Progress(ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => task.Value = value.Batch;
    }
}
