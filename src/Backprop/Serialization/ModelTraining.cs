using Backprop.Data;
using Backprop.Training;

namespace Backprop.Serialization;

// Training a model in one call; the rest of Model (loading, preparing data, predicting) lives beside ModelFile.
public sealed partial record Model
{
    /// <summary>
    /// Trains a model on <paramref name="train"/> in one call, as <c>backprop train</c> does: the network chosen for
    /// the data (<paramref name="model"/>'s parts, else inputs,64,64,outputs with relu, softmax and cross-entropy for
    /// classes, identity and quadratic for a regression), standardisation when asked, seeded initialisation, then
    /// every epoch of <paramref name="options"/> (Adam, η 0.001, batch 32, 10 epochs when not set).
    /// </summary>
    /// <param name="train">The training examples, as they come from their source.</param>
    /// <param name="options">How to train; null for the defaults. With <see cref="TrainingOptions.EarlyStoppingPatience"/>
    /// the model holds the weights of the epoch of lowest validation cost.</param>
    /// <param name="model">The network to build; null for the defaults.</param>
    /// <param name="validation">Held-out examples (Keras's validation_data), reported every epoch; needed by early stopping.</param>
    /// <param name="epochEnded">Called after every epoch with its report (validation cost and accuracy, η, a regression's metrics).</param>
    /// <returns>The trained network with its features, standardisation, class names and target scale: what a model file holds.</returns>
    /// <exception cref="BackpropException">Invalid options, options that do not fit the data, or training that diverged.</exception>
    public static Model Train(Dataset train, TrainingOptions? options = null, ModelOptions? model = null, Dataset? validation = null,
        Action<Trainer, EpochReport>? epochEnded = null)
    {
        options = (options ?? new TrainingOptions()).Validate();
        var prepared = PreparedTraining.Of(train, validation, null, model, options.Seed, options);
        var trainer = new Trainer(prepared.Network, options, prepared.Train) { TargetScale = prepared.TargetScale, EpochEnded = epochEnded };
        foreach (var _ in trainer.Run(prepared.Validation)) { }
        return prepared.Model;
    }
}
