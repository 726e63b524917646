using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Tests.Serialization;

public class ModelPredictorTests
{
    /// <summary>ŷ = 1·x̂1 + 2·x̂2 + 0.5 on x̂ = (x − μ)/σ, μ = (1, 2), σ = (2, 4); targets standardised with μ = 10, σ = 3.</summary>
    static Model StandardisedRegression()
    {
        var network = new Network<float>(new Architecture([2, 1], [], Activation.Identity, Cost.Quadratic),
            [new Layer<float>(2, 1, Activation.Identity, [1, 2], [0.5f])]);
        return new Model(network, new Standardizer([1, 2], [2, 4]), Task: LearningTask.Regression, TargetScale: new Standardizer([10], [3]));
    }

    /// <summary>Softmax over z = (x1², 1) on features x1, x2, x1²: class "far" when x1² &gt; 1, else "near".</summary>
    static Model PlaneClassifier()
    {
        var network = new Network<float>(new Architecture([3, 2], [], Activation.Softmax, Cost.CrossEntropy),
            [new Layer<float>(3, 2, Activation.Softmax, [0, 0, 1, 0, 0, 0], [0, 1])]);
        return new Model(network, null, FeatureMap.Parse("x1,x2,x1^2"), ["far", "near"]);
    }

    [Fact]
    public void A_regression_predicts_in_the_targets_units_from_raw_inputs()
    {
        var model = StandardisedRegression();
        // Raw (3, 6) standardises to (1, 1): z = 1 + 2 + 0.5 = 3.5, and 3.5 · 3 + 10 = 20.5 in the targets' units.
        var prediction = model.Predict([3, 6]);
        Assert.Equal([20.5f], prediction.Outputs);
        Assert.Null(prediction.Class);
        Assert.Null(prediction.ClassName);
        // The trap this path avoids: the raw input straight into the network is 3 + 12 + 0.5 = 15.5, confidently wrong.
        Assert.Equal([15.5f], model.Network.Forward([3, 6], 1));

        // Batch: (1, 2) standardises to (0, 0): 0.5 · 3 + 10 = 11.5; (−1, −2) to (−1, −1): −2.5 · 3 + 10 = 2.5.
        var outputs = new float[3];
        model.Predict([3, 6, 1, 2, -1, -2], outputs);
        Assert.Equal([20.5f, 11.5f, 2.5f], outputs);
    }

    [Fact]
    public void A_regression_has_no_classes()
    {
        var e = Assert.Throws<BackpropException>(() => StandardisedRegression().PredictClass([3, 6]));
        Assert.Equal("a regression model predicts values, not classes; use PredictOutputs (or Predict) for its values", e.Message);
    }

    [Fact]
    public void A_classifier_of_plane_features_takes_the_point_and_names_its_class()
    {
        var model = PlaneClassifier();
        Assert.Equal(2, model.CreatePredictor().InputSize);
        // (2, 0): z = (4, 1), probabilities (e³, 1)/(e³ + 1).
        var far = model.Predict([2, 0]);
        Assert.Equal(0, far.Class);
        Assert.Equal("far", far.ClassName);
        double e3 = Math.Exp(3);
        Assert.Equal(e3 / (e3 + 1), far.Outputs[0], 6);
        Assert.Equal(1 / (e3 + 1), far.Outputs[1], 6);
        // (0.5, 7): z = (0.25, 1): class 1.
        Assert.Equal(1, model.PredictClass([0.5f, 7]));
        var classes = new int[4];
        model.PredictClasses([2, 0, 0.5f, 7, -1.5f, 0, 0.9f, -3], classes);
        Assert.Equal([0, 1, 0, 1], classes);
    }

    [Fact]
    public void One_sigmoid_output_is_class_1_from_one_half_up()
    {
        // a = σ(x): class 1 exactly when x ≥ 0.
        var network = new Network<float>(new Architecture([1, 1], [], Activation.Sigmoid, Cost.Quadratic),
            [new Layer<float>(1, 1, Activation.Sigmoid, [1], [0])]);
        var model = new Model(network, null);
        var classes = new int[4];
        model.PredictClasses([-2, -0.001f, 0, 3], classes);
        Assert.Equal([0, 0, 1, 1], classes);
        var prediction = model.Predict([0]);
        Assert.Equal([0.5f], prediction.Outputs);
        Assert.Equal("1", prediction.ClassName);
    }

    [Fact]
    public void The_predictor_matches_the_prepared_dataset_path_to_the_bit_and_allocates_nothing()
    {
        // A standardised 784-input classifier, as the CLI's evaluate prepares it (Model.Prepare) and as a service calls it.
        var network = Network<float>.Initialize(new Architecture([784, 64, 10], Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 3);
        var rng = new Rng(4);
        var raw = Enumerable.Range(0, 20 * 784).Select(_ => (float)rng.NextDouble(0, 255)).ToArray();
        var model = new Model(network, Standardizer.Fit(raw, 784));
        var prepared = model.Prepare(new Dataset(raw, new int[20], 784, 10));
        var expected = network.Forward(prepared.Features, 20);

        var predictor = model.CreatePredictor(8);
        var outputs = new float[20 * 10];
        predictor.PredictOutputs(raw, outputs);
        for (int i = 0; i < outputs.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(outputs[i]), $"output {i}: expected {expected[i]:R}, got {outputs[i]:R}");

        var classes = new int[20];
        var one = raw.AsSpan(0, 784).ToArray();
        WarmUp.PastTieredCompilation(() =>
        {
            predictor.PredictOutputs(raw, outputs);
            predictor.PredictClasses(raw, classes);
            predictor.PredictClass(one);
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            predictor.PredictOutputs(raw, outputs);
            predictor.PredictClasses(raw, classes);
            predictor.PredictClass(one);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"allocated {allocated} bytes");
        for (int i = 0; i < 20; i++) Assert.Equal(Backprop.Training.Targets.Predict<float>(expected.AsSpan(i * 10, 10)), classes[i]);
    }

    [Fact]
    public void Inputs_that_are_not_whole_raw_examples_are_refused()
    {
        var predictor = PlaneClassifier().CreatePredictor(4);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictOutputs(new float[3], new float[4]));
        Assert.StartsWith("the inputs must be whole raw examples of 2 values each, got 3 values", e.Message);
        var c = Assert.Throws<ArgumentException>(() => predictor.PredictClasses(new float[4], new int[3]));
        Assert.StartsWith("2 examples need 2 classes, got room for 3", c.Message);
        var one = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[3]));
        Assert.StartsWith("one example has 2 values, got 3", one.Message);
    }
}
