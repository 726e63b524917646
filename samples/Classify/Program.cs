// Classification: Fisher's iris from a CSV file (as scikit-learn ships it), then points from arrays. The regions
// marked guide:NAME are the code of docs/library.md and the README; GuideTests checks that they match.
// <guide:quick-start>
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;

Dataset iris = CsvReader.Read("iris.csv");                     // 4 measurements, then the species
var (train, test) = ValidationSplit.Split(iris, 0.3, seed: 1);  // 105 to train, 45 to test
Model model = Model.Train(train, new TrainingOptions { Epochs = 100, LearningRate = 0.01 },
    new ModelOptions { Standardize = true });

Evaluation result = model.Evaluate(test);
Console.WriteLine($"test accuracy {result.Accuracy:P1}");

Prediction prediction = model.Predict([6.3f, 2.9f, 5.6f, 1.8f]);  // raw measurements, as in the file
Console.WriteLine($"predicted {prediction.ClassName}");
ModelFile.Save("iris.safetensors", model);
// </guide:quick-start>

// <guide:evaluate>
var confusion = new ConfusionMatrix(iris.ClassCount);
Evaluation evaluation = model.Evaluate(test, confusion);
Console.WriteLine($"accuracy {evaluation.Accuracy:P1}, mean cost {evaluation.Cost:F4} on {evaluation.Count} examples");
for (int k = 0; k < confusion.ClassCount; k++)
    Console.WriteLine($"  {model.ClassName(k),-10} recall {confusion.Recall(k):P0}, precision {confusion.Precision(k):P0}");
// </guide:evaluate>

// <guide:predict>
Prediction p = model.Predict([6.0f, 2.7f, 5.1f, 1.6f]);  // a flower between two species
for (int k = 0; k < p.Outputs.Length; k++)
    Console.WriteLine($"  P({model.ClassName(k)}) = {p.Outputs[k]:F3}");  // softmax: the probabilities sum to 1
Console.WriteLine($"predicted {p.ClassName} (class {p.Class})");
// </guide:predict>

// <guide:save-load>
ModelFile.Save("iris.safetensors", model);         // weights, layers, standardisation, class names
Model loaded = ModelFile.Load("iris.safetensors");

byte[] bytes = ModelFile.ToBytes(model);           // the same bytes, for a database or a network
Model fromBytes = ModelFile.Load(bytes);
using (var stream = new MemoryStream()) ModelFile.Save(stream, model);

float[] again = loaded.Predict([6.0f, 2.7f, 5.1f, 1.6f]).Outputs;
Console.WriteLine($"loaded model gives the same probabilities: {again.SequenceEqual(p.Outputs)}");
// </guide:save-load>

// <guide:early-stopping>
var (fit, validation) = ValidationSplit.Split(train, 0.2, seed: 2);  // hold out a fifth of the training part
Model stopped = Model.Train(fit,
    new TrainingOptions { Epochs = 1000, LearningRate = 0.01, EarlyStoppingPatience = 20 },
    new ModelOptions { Standardize = true },
    validation,
    epochEnded: (trainer, report) =>
    {
        if (report.Epoch % 5 == 0)
            Console.WriteLine($"  epoch {report.Epoch}: validation cost {report.ValidationCost:F4}, accuracy {report.ValidationAccuracy:P0}");
        if (trainer.StoppedEarly)
            Console.WriteLine($"stopped after epoch {report.Epoch}, kept epoch {trainer.BestEpoch} (validation cost {trainer.BestValidationCost:F4})");
    });
Console.WriteLine($"early-stopped model: test accuracy {stopped.Evaluate(test).Accuracy:P1}");
// </guide:early-stopping>

// <guide:classify-arrays>
var random = new Random(1);
float[,] points = new float[400, 2];   // one example per row: x1, x2
int[] labels = new int[400];           // its class: 1 inside the unit circle
for (int i = 0; i < 400; i++)
{
    points[i, 0] = random.NextSingle() * 4 - 2;
    points[i, 1] = random.NextSingle() * 4 - 2;
    labels[i] = points[i, 0] * points[i, 0] + points[i, 1] * points[i, 1] < 1 ? 1 : 0;
}
Dataset circle = Dataset.FromArrays(points, labels, classNames: ["outside", "inside"]);
var (circleTrain, circleTest) = ValidationSplit.Split(circle, 0.25, seed: 1);
Model circleModel = Model.Train(circleTrain, new TrainingOptions { Epochs = 200, LearningRate = 0.01 });

Console.WriteLine($"circle: test accuracy {circleModel.Evaluate(circleTest).Accuracy:P1}");
Console.WriteLine($"(0, 0) is {circleModel.Predict([0f, 0f]).ClassName}, (1.5, 1.5) is {circleModel.Predict([1.5f, 1.5f]).ClassName}");
// </guide:classify-arrays>
