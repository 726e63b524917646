using Backprop.Data;
using Backprop.Training;

namespace Backprop.Serialization;

public sealed partial record Model
{
    /// <summary>
    /// Accuracy and mean cost on <paramref name="data"/> as it came from its source (raw: this model's features and
    /// standardisation are applied here, as <see cref="Predict(ReadOnlySpan{float})"/> applies them), optionally
    /// counting each (actual, predicted) pair into <paramref name="confusion"/>.
    /// </summary>
    /// <exception cref="BackpropException">A regression model (use <see cref="EvaluateRegression"/>), or data that does not fit it.</exception>
    public Evaluation Evaluate(Dataset data, ConfusionMatrix? confusion = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Task == LearningTask.Regression)
            throw new BackpropException("this is a regression model: Model.Evaluate counts correct classes; use Model.EvaluateRegression for its MSE, RMSE, MAE and R²");
        return Evaluation.Of(Network, Prepare(data), confusion);
    }

    /// <summary>
    /// MSE, RMSE, MAE and R² on <paramref name="data"/> as it came from its source (raw inputs, targets in their own
    /// units): the model's standardisation is applied to the inputs and undone on the predictions.
    /// </summary>
    /// <exception cref="BackpropException">A classification model (use <see cref="Evaluate"/>), or data that does not fit it.</exception>
    public RegressionMetrics EvaluateRegression(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Task != LearningTask.Regression)
            throw new BackpropException("this is a classification model: Model.EvaluateRegression measures real-valued targets; use Model.Evaluate for its accuracy");
        return RegressionMetrics.Of(Network, Prepare(data), TargetScale);
    }
}
