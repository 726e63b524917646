// Regression: the diabetes table of Efron et al. (2004, as scikit-learn ships it) from a CSV file, then a
// function from arrays. The regions marked guide:NAME are the code of docs/library.md; GuideTests checks them.
using Backprop.Data;
using Backprop.Serialization;
using Backprop.Training;

// <guide:regress-csv>
// 10 measurements of 442 patients, then the disease's progression a year later (the last column).
Dataset diabetes = CsvReader.ReadRegression("diabetes.csv");
var (train, test) = ValidationSplit.Split(diabetes, 0.25, seed: 1);
Model model = Model.Train(train,
    new TrainingOptions { Epochs = 60, LearningRate = 0.003 },
    new ModelOptions { Standardize = true, Layers = [10, 16, 1] });  // inputs and targets standardised

RegressionMetrics metrics = model.EvaluateRegression(test);
Console.WriteLine($"diabetes: test R² {metrics.R2:F3}, RMSE {metrics.Rmse:F1}, MAE {metrics.Mae:F1}");

Prediction p = model.Predict([59, 2, 32.1f, 101, 157, 93.2f, 38, 4, 4.8598f, 87]);  // the file's first patient
Console.WriteLine($"predicted progression {p.Outputs[0]:F0} (recorded: 151)");      // in the targets' own units
// </guide:regress-csv>

// <guide:regress-arrays>
var random = new Random(1);
float[,] inputs = new float[500, 2];
float[] values = new float[500];        // y = 3 x1 − 2 x2 + 1, plus a little noise
for (int i = 0; i < 500; i++)
{
    inputs[i, 0] = random.NextSingle() * 2 - 1;
    inputs[i, 1] = random.NextSingle() * 2 - 1;
    values[i] = 3 * inputs[i, 0] - 2 * inputs[i, 1] + 1 + 0.05f * (random.NextSingle() - 0.5f);
}
Dataset plane = Dataset.FromArrays(inputs, values);
var (planeTrain, planeTest) = ValidationSplit.Split(plane, 0.2, seed: 1);
Model planeModel = Model.Train(planeTrain, new TrainingOptions { Epochs = 100, LearningRate = 0.01 },
    new ModelOptions { Standardize = true });

double r2 = planeModel.EvaluateRegression(planeTest).R2;
Console.WriteLine($"plane: test R² {r2:F4}; f(0.5, -0.5) = {planeModel.Predict([0.5f, -0.5f]).Outputs[0]:F2} (exact: 3.50)");
// </guide:regress-arrays>
