// A training loop of your own: your batches, your learning-rate schedule, steps on rows that are in no dataset.
// The regions marked guide:NAME are the code of docs/library.md; GuideTests checks them.
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Optimizers;
using Backprop.Serialization;
using Backprop.Training;

// <guide:custom-loop>
Dataset train = SyntheticData.Generate("moons", 1000, seed: 1);   // two interleaved half-moons, (x1, x2) → 0 or 1
Dataset test = SyntheticData.Generate("moons", 500, seed: 2);

var architecture = new Architecture([2, 16, 16, 2], Activation.Tanh, Activation.Softmax, Cost.CrossEntropy);
var network = Network<float>.Initialize(architecture, seed: 1);
var trainer = new Trainer(new Adam<float>(network, learningRate: 0.01, weightDecay: 0), train,
    new TrainingOptions { BatchSize = 50 });

const int epochs = 40, batchSize = 50;
int[] order = Enumerable.Range(0, train.Count).ToArray();
var random = new Random(1);
for (int epoch = 0; epoch < epochs; epoch++)
{
    // Your own schedule: η follows half a cosine from 0.01 down towards 0.
    trainer.Optimizer.LearningRate = 0.01 * (1 + Math.Cos(Math.PI * epoch / epochs)) / 2;
    random.Shuffle(order);                                      // your own batches
    float cost = 0;
    for (int start = 0; start < order.Length; start += batchSize)
        cost = trainer.Step(order.AsSpan(start, Math.Min(batchSize, order.Length - start)));
    if (epoch % 10 == 9) Console.WriteLine($"epoch {epoch + 1}: η {trainer.Optimizer.LearningRate:F5}, last batch cost {cost:F4}");
}
Console.WriteLine($"moons: test accuracy {Evaluation.Of(network, test).Accuracy:P1}");
// </guide:custom-loop>

// <guide:custom-rows>
// Rows that are in no dataset (made on the fly, streamed, augmented): n rows of inputs, n rows of targets y
// (one-hot for classes), n at most the batch size. The step returns their cost before it.
float[] inputs = [-1.0f, 0.0f, 2.0f, 0.5f];  // two examples: the tips of the two moons, (−1, 0) and (2, 0.5)
float[] targets = [1, 0, 0, 1];              // one-hot: class 0, class 1
float before = trainer.Step(inputs, targets);
Console.WriteLine($"a step on two rows of your own: cost {before:G4} before it, {network.Cost(inputs, targets, 2):G4} after");

Model model = new(network, Standardizer: null);   // no standardisation: the inputs went in as they are
ModelFile.Save("moons.safetensors", model);
// </guide:custom-rows>

// <guide:schedules>
// The schedules Model.Train and Trainer apply for you (TrainingOptions.Schedule), with torch's values.
LearningRateSchedule[] schedules =
[
    new StepDecay(StepSize: 2, Factor: 0.5), new ExponentialDecay(Factor: 0.9), new CosineAnnealing(Period: 5),
    new LinearWarmup(Epochs: 3), LearningRateSchedule.Parse("plateau:1:0.5"),
];
double[] costs = [1.0, 0.8, 0.8, 0.8, 0.8];  // each epoch's cost, which only ReduceOnPlateau reads
foreach (LearningRateSchedule schedule in schedules)
    Console.WriteLine($"{schedule}: η of epochs 1 to 5 = {string.Join(", ", schedule.Rates(0.01, 5, costs).Select(r => r.ToString("F5")))}");
// </guide:schedules>
