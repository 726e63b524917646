using System.Diagnostics;

namespace Backprop.Tests.Cli;

/// <summary>Runs the real `backprop` executable, built beside the tests, and captures what a user would see.</summary>
public sealed record RunResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

public static class BackpropProcess
{
    /// <summary>The repository root: the folder holding Backprop.sln above the test binaries.</summary>
    public static readonly string Root = FindRoot();

    // BaseDirectory is ".../bin/{Configuration}/net10.0/": the trailing separator makes Parent the configuration folder.
    static readonly string Executable = Path.Combine(Root, "src", "Backprop.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "backprop.dll");

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Backprop.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Backprop.sln not found above " + AppContext.BaseDirectory);
    }

    public static RunResult Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    public static RunResult Run(string workingDirectory, IDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Executable);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment != null) foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"backprop {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new RunResult(process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fresh temporary folder per test, removed afterwards.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("backprop-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
