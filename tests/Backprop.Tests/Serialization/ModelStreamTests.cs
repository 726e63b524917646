using System.Text;
using Backprop.Activations;
using Backprop.Costs;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Serialization;

namespace Backprop.Tests.Serialization;

public class ModelStreamTests
{
    static Model Regression()
    {
        var network = Network<float>.Initialize(new Architecture([3, 5, 2], Activation.Tanh, Activation.Identity, Cost.Quadratic), 11);
        return new Model(network, new Standardizer([1, 2, 3], [0.5f, 2, 4]), Task: LearningTask.Regression, TargetScale: new Standardizer([10, -1], [3, 0.25f]));
    }

    static Model Classifier()
    {
        var network = Network<float>.Initialize(new Architecture([4, 6, 3], Activation.Relu, Activation.Softmax, Cost.CrossEntropy), 12);
        return new Model(network, null, FeatureMap.Parse("x1,x2,x1^2,sinx2"), ["cat", "dog", "setosa"]);
    }

    static void AssertSameModel(Model expected, Model actual)
    {
        for (int l = 0; l < expected.Network.Layers.Count; l++)
        {
            Assert.Equal(expected.Network.Layers[l].Weights, actual.Network.Layers[l].Weights);
            Assert.Equal(expected.Network.Layers[l].Biases, actual.Network.Layers[l].Biases);
        }
        Assert.Equal(expected.Network.Architecture.ToString(), actual.Network.Architecture.ToString());
        Assert.Equal(expected.Task, actual.Task);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.Features?.ToString(), actual.Features?.ToString());
        Assert.Equal(expected.Standardizer?.Mean, actual.Standardizer?.Mean);
        Assert.Equal(expected.Standardizer?.Deviation, actual.Standardizer?.Deviation);
        Assert.Equal(expected.TargetScale?.Mean, actual.TargetScale?.Mean);
        Assert.Equal(expected.TargetScale?.Deviation, actual.TargetScale?.Deviation);
    }

    [Fact]
    public void Bytes_and_streams_hold_the_same_file_as_a_path_and_load_back_the_same_model()
    {
        using var directory = new Data.TempDirectory();
        foreach (var model in new[] { Regression(), Classifier() })
        {
            string path = Path.Combine(directory.Path, "model.safetensors");
            ModelFile.Save(path, model);
            var onDisk = File.ReadAllBytes(path);
            Assert.Equal(onDisk, ModelFile.ToBytes(model));
            using var stream = new MemoryStream();
            stream.Write([1, 2, 3]); // a stream need not start at 0: the model goes where the stream is
            ModelFile.Save(stream, model);
            Assert.Equal(onDisk, stream.ToArray()[3..]);

            AssertSameModel(model, ModelFile.Load(onDisk));
            stream.Position = 3;
            AssertSameModel(model, ModelFile.Load(stream));
        }
    }

    [Fact]
    public void A_stream_without_a_length_is_read_to_its_end()
    {
        var bytes = ModelFile.ToBytes(Classifier());
        using var pipe = new TrickleStream(bytes, 1000);
        AssertSameModel(Classifier(), ModelFile.Load(pipe, "pipe"));
    }

    [Fact]
    public void Bytes_get_every_check_of_the_file_reader_named_as_the_caller_says()
    {
        var good = ModelFile.ToBytes(Classifier());
        // Cut short: the safetensors reader's own check.
        var cut = Assert.Throws<BackpropException>(() => ModelFile.Load(good.AsSpan(0, good.Length - 10), "upload.safetensors"));
        Assert.StartsWith("upload.safetensors: ", cut.Message);
        // A NaN weight: the model reader's check, with the same words as for a file.
        var network = Classifier().Network.Clone();
        network.Layers[1].Weights[4] = float.NaN;
        var bad = ModelFile.ToBytes(new Model(network, null));
        var nan = Assert.Throws<BackpropException>(() => ModelFile.Load(bad, "upload.safetensors"));
        Assert.Equal("upload.safetensors: tensor 'layers.1.weight' holds NaN at index 4; a network needs finite weights and biases: train the model again", nan.Message);
        // Safetensors without backprop's metadata.
        var bare = SafeTensorsFile.ToBytes([new Tensor("layers.0.weight", [1, 1], [1f])], new Dictionary<string, string>());
        var plain = Assert.Throws<BackpropException>(() => ModelFile.Load(new MemoryStream(bare), "upload.safetensors"));
        Assert.StartsWith("upload.safetensors has no architecture metadata", plain.Message);
    }

    [Fact]
    public void A_failing_stream_is_one_library_error_naming_it()
    {
        var e = Assert.Throws<BackpropException>(() => ModelFile.Load(new FailingStream(), "the request body"));
        Assert.Equal("the request body: could not read the stream (the connection was reset); give a readable stream", e.Message);
        var w = Assert.Throws<BackpropException>(() => ModelFile.Save(new FailingStream(), Classifier()));
        Assert.Equal("could not write the model to the stream (the connection was reset); give a writable stream", w.Message);
    }

    /// <summary>A network-like stream: no length, no seeking, at most <c>chunk</c> bytes a read.</summary>
    sealed class TrickleStream(byte[] bytes, int chunk) : Stream
    {
        int position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), bytes.Length - position);
            Array.Copy(bytes, position, buffer, offset, n);
            position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    sealed class FailingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("the connection was reset");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("the connection was reset");
    }
}
