using Backprop.Cli.Commands;
using Backprop.Cli.Rendering;
using Spectre.Console.Cli;

namespace Backprop.Cli;

/// <summary>
/// The `backprop` command. Exit codes: 0 success, 1 a check that ran and failed (gradcheck), 2 bad input
/// (one line on stderr naming the problem and the fix), 130 interrupted.
/// </summary>
public static class Cli
{
    public const int BadInput = 2;

    /// <summary>Each command's settings, for checking option values before parsing; filled by <see cref="Add{TCommand}"/>.</summary>
    static readonly Dictionary<string, Type> SettingsTypes = [];

    /// <summary>Registers a command and remembers its settings type, so no command can miss the value check.</summary>
    static ICommandConfigurator Add<TCommand>(IConfigurator config, string name) where TCommand : class, ICommand
    {
        for (var type = typeof(TCommand); type != null; type = type.BaseType)
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Command<>))
                SettingsTypes[name] = type.GetGenericArguments()[0];
        return config.AddCommand<TCommand>(name);
    }

    /// <summary>
    /// Spectre.Console.Cli refuses one-letter long names, so explain's and graph's x, y, w and b are declared as short
    /// options (-x); this lets users type them as the math writes them: --x 1.5 or --x=1.5.
    /// </summary>
    static string[] SpellOneLetterOptions(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("explain" or "graph")) return args;
        var spelled = new List<string>(args.Length);
        foreach (var arg in args)
            if (arg.Length >= 3 && arg.StartsWith("--", StringComparison.Ordinal) && "xywb".Contains(arg[2]) && (arg.Length == 3 || arg[3] == '='))
            {
                spelled.Add(arg[1..3]);
                if (arg.Length > 3) spelled.Add(arg[4..]);
            }
            else spelled.Add(arg);
        return spelled.ToArray();
    }

    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("backprop");
            config.PropagateExceptions();
            config.Settings.StrictParsing = true;
            // `backprop --help` shows these, not the first few commands' own: one per kind of thing the tool does.
            config.AddExample("train");
            config.AddExample("explain");
            config.AddExample("explain", "--model", "model.safetensors", "--data", "spiral", "--weight", "2:0:1");
            config.AddExample("descend", "--function", "x1^2+x2^2", "--start", "3,4", "--lr", "0.1");
            config.AddExample("graph", "--x", "1.5", "--y", "0.5", "--w", "0.8,-0.4");
            config.AddExample("gradcheck", "--layers", "4,5,3", "--activation", "tanh");
            config.AddExample("evaluate", "--model", "model.safetensors", "--data", "spiral");
            Add<TrainCommand>(config, "train")
                .WithDescription("Train a network by backpropagation and save it (no arguments: the embedded two-spiral demo).")
                .WithExample("train")
                .WithExample("train", "--data", "fashion-mnist", "--layers", "784,30,10", "--activation", "sigmoid", "--output-activation", "sigmoid", "--cost", "quadratic", "--optimizer", "sgd", "--lr", "1.5", "--batch", "10", "--epochs", "5");
            Add<EvaluateCommand>(config, "evaluate").WithDescription("Accuracy and mean cost of a model on data.")
                .WithExample("evaluate", "--model", "model.safetensors", "--data", "fashion-mnist");
            Add<PredictCommand>(config, "predict").WithDescription("Predicted class and output activations for every input.")
                .WithExample("predict", "--model", "model.safetensors", "--input", "csv:inputs.csv");
            Add<ExportCommand>(config, "export").WithDescription("Write a model as an ONNX graph.").WithExample("export", "--model", "model.safetensors", "--onnx", "model.onnx");
            Add<DownloadCommand>(config, "download").WithDescription("Fetch MNIST or Fashion-MNIST (SHA-256 verified, resumable).").WithExample("download", "mnist");
            Add<GradientCheckCommand>(config, "gradcheck").WithDescription("Compare every backpropagated derivative with central finite differences.")
                .WithExample("gradcheck", "--layers", "4,5,3", "--activation", "tanh", "--output-activation", "softmax", "--cost", "cross-entropy");
            Add<DescendCommand>(config, "descend").WithDescription("Gradient descent on a function of x1 … xn, with its partial derivatives at every step and a contour picture.")
                .WithExample("descend", "--function", "x1^2 + x2^2", "--start", "3,4", "--lr", "0.1", "--steps", "20");
            Add<GraphCommand>(config, "graph").WithDescription("Draw a computation graph with every value, gradient and local derivative (SVG and DOT).")
                .WithExample("graph", "--x", "1.5", "--y", "0.5", "--w", "0.8,-0.4", "--activation", "sigmoid");
            Add<PlaygroundCommand>(config, "playground").WithDescription("Serve the browser playground on this machine and print its address.")
                .WithExample("playground").WithExample("playground", "--port", "8080");
            Add<ExplainCommand>(config, "explain").WithDescription("The chain rule with real numbers: a chain of one neuron per layer, one weight of a model, or what recycling saves.").WithExample("explain", "--x", "1.5", "--y", "0.5", "--w", "0.8,-0.4").WithExample("explain", "--model", "model.safetensors", "--data", "xor", "--example", "0", "--weight", "2:0:1", "--paths").WithExample("explain", "--cost-of-derivatives", "--layers", "784,30,10");
        });
        try
        {
            args = SpellOneLetterOptions(args);
            if (args.Length > 0 && SettingsTypes.TryGetValue(args[0], out var settingsType))
            {
                OptionValues.Check(args[1..], settingsType);
                args = [args[0], .. OptionValues.JoinDashValues(args[1..], settingsType)];
            }
            return app.Run(args);
        }
        catch (Exception e) when (Unwrap(e) is BackpropException user)
        {
            return Fail(user.Message);
        }
        catch (Exception e) when (NativeDrawing.IsMissing(e))
        {
            return Fail(NativeDrawing.Problem);
        }
        catch (CommandAppException e)
        {
            var command = args.Length > 0 && SettingsTypes.ContainsKey(args[0]) ? args[0] + " " : "";
            return Fail($"{OneLine(e.Message)}; run `backprop {command}--help` for the {(command == "" ? "commands" : "options")}");
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted");
            return 130;
        }
    }

    static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? inner : e;

    static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    /// <summary>Longest error line: messages quote paths, flags and values from files, each already cut; this
    /// bounds the whole line, and shows any control character left as '?', whatever a message was built from.</summary>
    const int MaxErrorLength = 2000;

    public static int Fail(string message)
    {
        // The library names its options (TrainingOptions.LearningRate); a user of the command knows them as flags (--lr).
        Console.Error.WriteLine($"error: {ShownText.Of(OneLine(Backprop.Training.RunSettings.InCommandWords(message)), MaxErrorLength)}");
        return BadInput;
    }
}
