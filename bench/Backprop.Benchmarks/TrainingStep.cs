using System.Diagnostics;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Training;

namespace Backprop.Benchmarks;

/// <summary>
/// One training step of the configurations A, B and C on a batch of Fashion-MNIST (or, when the
/// dataset is not installed, random pixels with Fashion-MNIST's share of zeros): the gathered batch is
/// fixed, so the time is forward, backward and the optimizer's update only.
/// </summary>
public sealed class TrainingStep
{
    public static readonly IReadOnlyList<string> Configurations = ["A", "B", "C"];

    readonly Propagator<float> pass;
    readonly Optimizer<float> optimizer;
    readonly float[] targets;

    public TrainingStep(string configuration)
    {
        var (sizes, hidden, output, cost, optimizerName, rate, batch) = Settings(configuration);
        Configuration = configuration;
        Batch = batch;
        var network = Network<float>.Initialize(new Architecture(sizes, hidden, output, cost).Validate(), seed: 1);
        optimizer = Optimizer<float>.Create(optimizerName, network, rate, momentum: 0.9);
        pass = new Propagator<float>(network, batch);
        targets = new float[batch * network.OutputSize];
        var (features, labels) = Examples(batch);
        features.CopyTo(pass.Input);
        Targets.Fill<float>(labels, targets, network.OutputSize);
        MultiplyAdds = MultiplyAddsOf(configuration);
    }

    internal static (int[] Sizes, Activation Hidden, Activation Output, Cost Cost, string Optimizer, double Rate, int Batch) Settings(string configuration) =>
        configuration switch
        {
            "A" => ([784, 30, 10], Activation.Sigmoid, Activation.Sigmoid, Cost.Quadratic, "sgd", 3.0, 10),
            "B" => ([784, 256, 128, 10], Activation.Relu, Activation.Softmax, Cost.CrossEntropy, "momentum", 0.01, 64),
            "C" => ([784, 1024, 1024, 10], Activation.Relu, Activation.Softmax, Cost.CrossEntropy, "sgd", 0.1, 256),
            _ => throw new ArgumentException($"unknown configuration {configuration}; use A, B or C"),
        };

    /// <summary>Multiply-adds of one forward + backward: the forward, the weight gradients, and δ through every layer but the first.</summary>
    public static long MultiplyAddsOf(string configuration)
    {
        var (sizes, _, _, _, _, _, batch) = Settings(configuration);
        long total = 0;
        for (int l = 0; l < sizes.Length - 1; l++)
            total += (long)batch * sizes[l] * sizes[l + 1] * (l == 0 ? 2 : 3);
        return total;
    }

    public string Configuration { get; }
    public int Batch { get; }

    /// <inheritdoc cref="MultiplyAddsOf"/>
    public long MultiplyAdds { get; }

    public void Forward() => pass.Forward(Batch);
    public void Backward() => pass.Backward(targets, Batch);
    public void Update() => optimizer.Step(pass);

    public void Run()
    {
        Forward();
        Backward();
        Update();
    }

    static (float[] Features, int[] Labels) Examples(int count)
    {
        try
        {
            var train = DataSource.Train("fashion-mnist", new DataOptions());
            return (train.Features.AsSpan(0, count * 784).ToArray(), train.Labels.AsSpan(0, count).ToArray());
        }
        catch (BackpropException)
        {
            var rng = new Rng(7);
            var features = new float[count * 784];
            for (int i = 0; i < features.Length; i++) features[i] = rng.NextDouble() < 0.5 ? 0 : (float)rng.NextDouble();
            var labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = (int)(rng.NextDouble() * 10);
            return (features, labels);
        }
    }

    /// <summary>A Stopwatch split of one step into its phases (best of several rounds), for tuning.</summary>
    public static void Phases(IEnumerable<string> configurations)
    {
        foreach (string name in configurations)
        {
            var step = new TrainingStep(name);
            int repeats = (int)Math.Clamp(1_000_000_000L / step.MultiplyAdds, 20, 5000);
            for (int i = 0; i < repeats; i++) step.Run();
            double forward = double.MaxValue, backward = double.MaxValue, update = double.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                double f = 0, b = 0, u = 0;
                for (int i = 0; i < repeats; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    step.Forward();
                    long t1 = Stopwatch.GetTimestamp();
                    step.Backward();
                    long t2 = Stopwatch.GetTimestamp();
                    step.Update();
                    long t3 = Stopwatch.GetTimestamp();
                    f += t1 - t0; b += t2 - t1; u += t3 - t2;
                }
                double scale = 1e6 / Stopwatch.Frequency / repeats;
                forward = Math.Min(forward, f * scale);
                backward = Math.Min(backward, b * scale);
                update = Math.Min(update, u * scale);
            }
            double total = forward + backward + update;
            int steps = (60_000 + step.Batch - 1) / step.Batch;
            Console.WriteLine($"{name}: batch {step.Batch}: forward {forward:F1} us, backward {backward:F1} us, update {update:F1} us = {total:F1} us per step; "
                              + $"{2.0 * step.MultiplyAdds / total / 1e3:F1} GFLOP/s; {total * steps / 1e6:F3} s per 60,000 examples");
        }
    }
}
