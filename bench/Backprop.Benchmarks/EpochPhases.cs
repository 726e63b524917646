using System.Diagnostics;
using Backprop.Data;
using Backprop.Kernels;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Training;

namespace Backprop.Benchmarks;

/// <summary>
/// `--epoch-phases [A B C]`: where a whole epoch's time goes, against the isolated step of `--phases`. Each round
/// runs one epoch through <see cref="Trainer.RunEpoch"/> (file order, as bench/compare.sh trains) and then one epoch
/// of the same loop written out here with a timestamp between its phases: gathering the batch (features and
/// one-hot targets copied from the data set), forward, backward (with the caller's waits for the GEMM worker
/// counted apart), update. Fashion-MNIST must be installed.
/// </summary>
public static class EpochPhases
{
    public static void Run(IEnumerable<string> configurations, int rounds = 4)
    {
        var train = DataSource.Train("fashion-mnist", new DataOptions());
        foreach (string name in configurations)
        {
            var (sizes, hidden, output, cost, optimizerName, rate, batch) = TrainingStep.Settings(name);
            var architecture = new Architecture(sizes, hidden, output, cost).Validate();
            var options = new TrainingOptions { BatchSize = batch, LearningRate = rate, Momentum = 0.9, Optimizer = optimizerName, Shuffle = false, Seed = 1, Epochs = 1000 };
            var trainer = new Trainer(Network<float>.Initialize(architecture, seed: 1), options, train);

            var network = Network<float>.Initialize(architecture, seed: 1);
            var optimizer = Optimizer<float>.Create(optimizerName, network, rate, momentum: 0.9);
            var pass = new Propagator<float>(network, batch);
            var targets = new float[batch * network.OutputSize];
            long multiplyAdds = TrainingStep.MultiplyAddsOf(name) / batch * train.Count;
            Console.WriteLine($"{name}: {string.Join(",", sizes)} batch {batch}, {train.Count} examples, {2.0 * multiplyAdds / 1e9:F1} GFLOP per epoch");
            Console.WriteLine($"{"round",5} {"Trainer s",9} {"loop s",7} {"gather",7} {"forward",7} {"backward",8} {"update",7} {"waits",6} {"other",6} {"µs/step",8} {"GFLOP/s",7}");
            for (int round = 1; round <= rounds; round++)
            {
                double trainerSeconds = trainer.RunEpoch().Seconds;
                long gather = 0, forward = 0, backward = 0, update = 0;
                long waitsBefore = GemmWorker.WaitTicksOfCurrentThread;
                int features = train.FeatureCount, outputs = network.OutputSize, steps = 0;
                long epochStart = Stopwatch.GetTimestamp();
                for (int start = 0; start < train.Count; start += batch, steps++)
                {
                    int count = Math.Min(batch, train.Count - start);
                    long t0 = Stopwatch.GetTimestamp();
                    var input = pass.Input;
                    for (int i = 0; i < count; i++)
                    {
                        train.Features.AsSpan((start + i) * features, features).CopyTo(input.Slice(i * features, features));
                        train.FillTargets(start + i, targets.AsSpan(i * outputs, outputs), outputs);
                    }
                    long t1 = Stopwatch.GetTimestamp();
                    pass.Forward(count);
                    long t2 = Stopwatch.GetTimestamp();
                    pass.Backward(targets, count);
                    long t3 = Stopwatch.GetTimestamp();
                    optimizer.Step(pass);
                    long t4 = Stopwatch.GetTimestamp();
                    gather += t1 - t0; forward += t2 - t1; backward += t3 - t2; update += t4 - t3;
                }
                double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
                double loop = Seconds(Stopwatch.GetTimestamp() - epochStart);
                double waits = Seconds(GemmWorker.WaitTicksOfCurrentThread - waitsBefore);
                double phases = Seconds(gather + forward + backward + update);
                Console.WriteLine($"{round,5} {trainerSeconds,9:F3} {loop,7:F3} {Seconds(gather),7:F3} {Seconds(forward),7:F3} {Seconds(backward),8:F3} {Seconds(update),7:F3} {waits,6:F3} {loop - phases,6:F3} {loop / steps * 1e6,8:F1} {2.0 * multiplyAdds / loop / 1e9,7:F1}");
            }
        }
    }
}
