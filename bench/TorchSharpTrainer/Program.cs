// The TorchSharp peer of bench/compare.sh: trains configuration A, B or C of bench/torch_train.py with the same
// semantics (and the same flags and JSON lines), through TorchSharp's libtorch instead of Debian's PyTorch.
//
//   dotnet bench/TorchSharpTrainer/bin/Release/net10.0/linux-x64/TorchSharpTrainer.dll --config B --no-shuffle
//
// Quadratic cost = Σ_j (a_j − y_j)² per example, mean over the batch; cross-entropy = cross_entropy on the logits
// (softmax output); the last partial batch kept; He-normal weights for ReLU layers, Xavier-uniform otherwise, zero
// biases. Prints one JSON object per epoch: epoch, train_cost, test_accuracy, seconds (training time only).
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var configurations = new Dictionary<string, Configuration>
{
    ["A"] = new([784, 30, 10], "sigmoid", "sigmoid", "quadratic", LearningRate: 3.0, Momentum: 0.0, Batch: 10),
    ["B"] = new([784, 256, 128, 10], "relu", "softmax", "cross-entropy", LearningRate: 0.01, Momentum: 0.9, Batch: 64),
    ["C"] = new([784, 1024, 1024, 10], "relu", "softmax", "cross-entropy", LearningRate: 0.1, Momentum: 0.0, Batch: 256),
};

string name = "A", data = "/usr/share/datasets/fashion-mnist";
int seed = 1, epochs = 4, threads = 2;
bool shuffle = true;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : Fail($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--config": name = Value(); break;
        case "--data": data = Value(); break;
        case "--seed": seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--no-shuffle": shuffle = false; break;
        default: Fail($"unknown argument {args[i]}; use --config A|B|C --data DIR --seed N --epochs N --threads N --no-shuffle"); break;
    }
}
if (!configurations.TryGetValue(name, out var c))
    Fail($"unknown configuration {name}; use A, B or C");

manual_seed(seed);
set_num_threads(threads);
var (x, y) = Load(data, "train", c.Sizes[0]);
var (testX, testY) = Load(data, "t10k", c.Sizes[0]);

var layers = new List<(nn.Module<Tensor, Tensor> Linear, string Activation)>();
var parameters = new List<TorchSharp.Modules.Parameter>();
for (int l = 0; l < c.Sizes.Length - 1; l++)
{
    var linear = nn.Linear(c.Sizes[l], c.Sizes[l + 1]);
    string activation = l < c.Sizes.Length - 2 ? c.Hidden : c.Output;
    using (no_grad())
    {
        if (activation == "relu")
            nn.init.normal_(linear.weight, 0.0, Math.Sqrt(2.0 / c.Sizes[l]));
        else
            nn.init.xavier_uniform_(linear.weight);
        linear.bias!.zero_();
    }
    layers.Add((linear, activation));
    parameters.Add(linear.weight);
    parameters.Add(linear.bias!);
}

Tensor Forward(Tensor a)
{
    foreach (var (linear, activation) in layers)
    {
        var z = linear.call(a);
        a = activation switch
        {
            "sigmoid" => sigmoid(z),
            "relu" => F.relu(z),
            _ => z, // softmax is left to the cost, which takes logits
        };
    }
    return a;
}

Tensor Cost(Tensor output, Tensor labels) => c.Cost == "cross-entropy"
    ? F.cross_entropy(output, labels)
    : (output - F.one_hot(labels, c.Sizes[^1]).to_type(ScalarType.Float32)).pow(2).sum(1).mean();

var optimizer = optim.SGD(parameters, c.LearningRate, c.Momentum);
long n = x.shape[0];
for (int epoch = 1; epoch <= epochs; epoch++)
{
    using var epochScope = NewDisposeScope();
    var order = shuffle ? randperm(n) : arange(n);
    var clock = Stopwatch.StartNew();
    double total = 0;
    for (long start = 0; start < n; start += c.Batch)
    {
        using var stepScope = NewDisposeScope();
        long count = Math.Min(c.Batch, n - start);
        var indices = order.narrow(0, start, count);
        optimizer.zero_grad();
        var loss = Cost(Forward(x.index_select(0, indices)), y.index_select(0, indices));
        loss.backward();
        optimizer.step();
        total += loss.item<float>() * count;
    }
    double seconds = clock.Elapsed.TotalSeconds;
    double accuracy;
    using (no_grad())
        accuracy = Forward(testX).argmax(1).eq(testY).to_type(ScalarType.Float32).mean().item<float>();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"epoch\": {epoch}, \"train_cost\": {total / n:R}, \"test_accuracy\": {accuracy:R}, \"seconds\": {seconds:R}}}"));
}
return 0;

// Images scaled to [0, 1] as float32 (count × features), labels as int64, from the gzipped IDX files in directory.
static (Tensor Images, Tensor Labels) Load(string directory, string prefix, int features)
{
    byte[] images = ReadIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"));
    byte[] labels = ReadIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"));
    var x = tensor(images, [labels.Length, features]).to_type(ScalarType.Float32).div_(255);
    var y = tensor(labels, [labels.Length]).to_type(ScalarType.Int64);
    return (x, y);
}

// The payload of an IDX file: big-endian magic (0, 0, type, dimension count), one uint32 per dimension, then bytes.
static byte[] ReadIdx(string path)
{
    if (!File.Exists(path))
        Fail($"{path} not found; pass --data DIR with the Fashion-MNIST .gz files");
    using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    byte[] bytes = memory.ToArray();
    int header = 4 + 4 * bytes[3];
    return bytes[header..];
}

[System.Diagnostics.CodeAnalysis.DoesNotReturn]
static string Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    Environment.Exit(2);
    return message;
}

record Configuration(int[] Sizes, string Hidden, string Output, string Cost, double LearningRate, double Momentum, int Batch);
