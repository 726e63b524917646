using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;
using Backprop.Training;

namespace Backprop.Tests.Serialization;

/// <summary>Model.Evaluate and EvaluateRegression take raw data, as Predict does; Prediction.Probability.</summary>
public class ModelEvaluationTests
{
    [Fact]
    public void Evaluate_applies_the_models_features_so_raw_points_score_as_predictions_do()
    {
        // Softmax over z = (x1², 1) on features x1, x2, x1²: class 0 ("far") exactly when x1² > 1.
        var network = new Network<float>(new Architecture([3, 2], [], Activation.Softmax, Cost.CrossEntropy),
            [new Layer<float>(3, 2, Activation.Softmax, [0, 0, 1, 0, 0, 0], [0, 1])]);
        var model = new Model(network, null, FeatureMap.Parse("x1,x2,x1^2"), ["far", "near"]);
        // Labels: 0, 1, 0 right; the last (x1 = 0.5, labelled far) wrong: 3 of 4.
        var raw = Dataset.FromArrays(new float[,] { { 2, 0 }, { 0.5f, 7 }, { -1.5f, 0 }, { 0.5f, 0 } }, [0, 1, 0, 0]);
        var confusion = new ConfusionMatrix(2);
        var evaluation = model.Evaluate(raw, confusion);
        Assert.Equal(0.75, evaluation.Accuracy);
        Assert.Equal(4, evaluation.Count);
        Assert.Equal(1, confusion[0, 1]);
        Assert.Equal(Evaluation.Of(network, model.Prepare(raw)), evaluation);
        // The mean cross-entropy, −ln of each right class's probability: z = (x1², 1).
        double Probability(double x1, int k) => Math.Exp(k == 0 ? x1 * x1 : 1) / (Math.Exp(x1 * x1) + Math.Exp(1));
        double expected = -(Math.Log(Probability(2, 0)) + Math.Log(Probability(0.5, 1)) + Math.Log(Probability(-1.5, 0)) + Math.Log(Probability(0.5, 0))) / 4;
        Assert.Equal(expected, evaluation.Cost, 5);
        Assert.Equal("this is a classification model: Model.EvaluateRegression measures real-valued targets; use Model.Evaluate for its accuracy",
            Assert.Throws<BackpropException>(() => model.EvaluateRegression(raw)).Message);
    }

    [Fact]
    public void EvaluateRegression_standardises_the_inputs_and_measures_in_the_targets_units()
    {
        // ŷ = x̂1 + 2·x̂2 + 0.5 on x̂ = (x − (1, 2))/(2, 4), then ŷ·3 + 10: (3, 6) → 20.5, (1, 2) → 11.5.
        var network = new Network<float>(new Architecture([2, 1], [], Activation.Identity, Cost.Quadratic),
            [new Layer<float>(2, 1, Activation.Identity, [1, 2], [0.5f])]);
        var model = new Model(network, new Standardizer([1, 2], [2, 4]), Task: LearningTask.Regression, TargetScale: new Standardizer([10], [3]));
        var raw = Dataset.FromArrays(new float[,] { { 3, 6 }, { 1, 2 } }, [21.5f, 11.5f]);   // errors 1 and 0
        var metrics = model.EvaluateRegression(raw);
        Assert.Equal(0.5, metrics.Mse, 6);
        Assert.Equal(0.5, metrics.Mae, 6);
        Assert.Equal(1 - 1.0 / (2 * 25), metrics.R2, 6);   // Σ error² = 1; Σ (y − ȳ)² = 5² + 5²
        Assert.Equal("this is a regression model: Model.Evaluate counts correct classes; use Model.EvaluateRegression for its MSE, RMSE, MAE and R²",
            Assert.Throws<BackpropException>(() => model.Evaluate(raw)).Message);
    }

    [Fact]
    public void Probability_is_the_predicted_class_output_and_for_one_sigmoid_output_its_complement_below_one_half()
    {
        var network = new Network<float>(new Architecture([1, 1], [], Activation.Sigmoid, Cost.Quadratic),
            [new Layer<float>(1, 1, Activation.Sigmoid, [1], [0])]);
        var model = new Model(network, null);
        var low = model.Predict([-1]);
        Assert.Equal(0, low.Class);
        Assert.Equal(1 - 1 / (1 + Math.Exp(1)), low.Probability!.Value, 6);
        Assert.Equal(1 / (1 + Math.Exp(-2)), model.Predict([2]).Probability!.Value, 6);
        Assert.Null(new Prediction([3.5f], null, null).Probability);
        Assert.Equal(0.7f, new Prediction([0.2f, 0.7f, 0.1f], 1, "b").Probability);
    }
}
