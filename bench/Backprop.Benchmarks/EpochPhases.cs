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
/// counted apart), update; phases in the calling thread's CPU time (on a shared machine wall time mostly measures the
/// scheduler; the clock costs ~0.3 µs a reading, 4 readings a step). Even rounds also prefetch the next batch's rows
/// into L2 during the step. Fashion-MNIST must be installed.
/// </summary>
public static class EpochPhases
{
    static unsafe void Prefetch(float[] data, int from, int length)
    {
        if (length <= 0 || !System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        fixed (float* p = &data[from])
            for (int i = 0; i < length; i += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch1(p + i);
    }

    public static void Run(IEnumerable<string> configurations)
    {
        var train = DataSource.Train("fashion-mnist", new DataOptions());
        foreach (string name in configurations)
        {
            var (sizes, hidden, output, cost, optimizerName, rate, batch) = TrainingStep.Settings(name);
            int rounds = name switch { "A" => 8, "B" => 6, _ => 2 };
            var architecture = new Architecture(sizes, hidden, output, cost).Validate();
            var options = new TrainingOptions { BatchSize = batch, LearningRate = rate, Momentum = 0.9, Optimizer = optimizerName, Shuffle = false, Seed = 1, Epochs = 1000 };
            var trainer = new Trainer(Network<float>.Initialize(architecture, seed: 1), options, train);

            var network = Network<float>.Initialize(architecture, seed: 1);
            var optimizer = Optimizer<float>.Create(optimizerName, network, rate, momentum: 0.9);
            var pass = new Propagator<float>(network, batch);
            var targets = new float[batch * network.OutputSize];
            long multiplyAdds = TrainingStep.MultiplyAddsOf(name) / batch * train.Count;
            Console.WriteLine($"{name}: {string.Join(",", sizes)} batch {batch}, {train.Count} examples, {2.0 * multiplyAdds / 1e9:F1} GFLOP per epoch");
            Console.WriteLine($"{"round",5} {"Trainer",7} {"loop",6} {"loop CPU",8} | CPU s: {"gather",6} {"forward",7} {"backward",8} {"update",6} {"waits",6} | {"µs/step",7} {"GFLOP/s",7} (CPU)");
            for (int round = 1; round <= rounds; round++)
            {
                bool prefetch = round % 2 == 0;
                double trainerSeconds = trainer.RunEpoch().Seconds;
                long gather = 0, forward = 0, backward = 0, update = 0;
                long waitsBefore = GemmWorker.WaitTicksOfCurrentThread;
                int features = train.FeatureCount, outputs = network.OutputSize, steps = 0;
                long epochStart = Stopwatch.GetTimestamp(), cpuStart = CpuClock.ThreadNanoseconds();
                for (int start = 0; start < train.Count; start += batch, steps++)
                {
                    int count = Math.Min(batch, train.Count - start);
                    long t0 = CpuClock.ThreadNanoseconds();
                    var input = pass.Input;
                    for (int i = 0; i < count; i++)
                    {
                        train.Features.AsSpan((start + i) * features, features).CopyTo(input.Slice(i * features, features));
                        train.FillTargets(start + i, targets.AsSpan(i * outputs, outputs), outputs);
                    }
                    if (prefetch) Prefetch(train.Features, (start + batch) * features, Math.Min(batch, train.Count - start - batch) * features);
                    long t1 = CpuClock.ThreadNanoseconds();
                    pass.Forward(count);
                    long t2 = CpuClock.ThreadNanoseconds();
                    pass.Backward(targets, count);
                    long t3 = CpuClock.ThreadNanoseconds();
                    optimizer.Step(pass);
                    long t4 = CpuClock.ThreadNanoseconds();
                    gather += t1 - t0; forward += t2 - t1; backward += t3 - t2; update += t4 - t3;
                }
                double loop = Stopwatch.GetElapsedTime(epochStart).TotalSeconds, cpu = (CpuClock.ThreadNanoseconds() - cpuStart) / 1e9;
                double waits = (double)(GemmWorker.WaitTicksOfCurrentThread - waitsBefore) / Stopwatch.Frequency;
                Console.WriteLine($"{round + (prefetch ? "p" : ""),5} {trainerSeconds,7:F3} {loop,6:F3} {cpu,8:F3} |        {gather / 1e9,6:F3} {forward / 1e9,7:F3} {backward / 1e9,8:F3} {update / 1e9,6:F3} {waits,6:F3} | {cpu / steps * 1e6,7:F1} {2.0 * multiplyAdds / cpu / 1e9,7:F1}");
            }
        }
    }
}
