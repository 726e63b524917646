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

    /// <summary>The CLI built in the same configuration as the tests (bin/Release/net10.0 → Release).</summary>
    static readonly string Executable = Path.Combine(Root, "src", "Backprop.Cli", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "backprop.dll");

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "Backprop.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Backprop.sln not found above " + AppContext.BaseDirectory);
    }

    public static RunResult Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    /// <summary>Starts the executable and leaves it running (a server); the caller ends it.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Executable);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (!File.Exists(Executable)) throw new FileNotFoundException($"build the CLI first: {Executable} is missing");
        return Process.Start(start)!;
    }

    public static RunResult Run(string workingDirectory, IDictionary<string, string?>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Executable);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (environment != null) foreach (var (k, v) in environment) start.Environment[k] = v;
        if (!File.Exists(Executable)) throw new FileNotFoundException($"build the CLI first: {Executable} is missing");
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
