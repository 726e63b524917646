// Inference from many threads: one model, read by any number of predictors, one predictor per thread.
// The regions marked guide:NAME are the code of docs/library.md; GuideTests checks them.
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;

Dataset train = SyntheticData.Generate("circles", 1000, seed: 1);
Dataset requests = SyntheticData.Generate("circles", 4000, seed: 2);   // 4,000 points to classify
ModelFile.Save("circles.safetensors", Model.Train(train, new TrainingOptions { Epochs = 30, LearningRate = 0.01 }));

// <guide:serve>
Model model = ModelFile.Load("circles.safetensors");   // immutable once loaded: share it between threads

// Model.Predict and its siblings are safe from any thread: each call makes its own buffers.
Prediction one = model.Predict([0.1f, -0.2f]);

// For many calls, one reusable ModelPredictor per thread: no allocation after its first call.
int[] answers = new int[requests.Count];
Parallel.For(0, requests.Count,
    () => model.CreatePredictor(),                        // once per worker thread
    (i, _, predictor) =>
    {
        answers[i] = predictor.PredictClass(requests.Example(i));
        return predictor;
    },
    _ => { });

// A batch on one thread, into the caller's memory: passes of up to 256 examples.
int[] batch = new int[requests.Count];
model.PredictClasses(requests.Features, batch);

Console.WriteLine($"(0.1, -0.2) is class {one.ClassName}, P = {one.Probability:F3}");
Console.WriteLine($"{requests.Count} requests on {Environment.ProcessorCount} cores: same answers as one batch: {answers.SequenceEqual(batch)}");
Console.WriteLine($"accuracy on the requests {batch.Zip(requests.Labels).Count(x => x.First == x.Second) / (double)requests.Count:P1}");
// </guide:serve>
