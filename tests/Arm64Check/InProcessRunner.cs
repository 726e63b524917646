using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Backprop.Tests.Arm64Check;

/// <summary>
/// Discovers and runs xunit v2 tests inside this process, through xunit's own framework (discovery, theories,
/// collections, parallelism as <c>dotnet test</c> has them). Under qemu-user the vstest host cannot be used: it
/// starts the test host as a separate process of the host's architecture.
/// </summary>
static class InProcessRunner
{
    /// <summary>
    /// Runs every test whose Namespace.Class.Method starts with one of <paramref name="namespaces"/> and with none of
    /// <paramref name="excluded"/>; prints each failure.
    /// </summary>
    public static (int Passed, int Failed, int Skipped) Run(Assembly assembly, IReadOnlyList<string> namespaces, IReadOnlyList<string> excluded)
    {
        var diagnostics = new Sink();
        using var framework = new XunitTestFramework(diagnostics);

        var discovery = new Sink();
        using (var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly)))
        {
            discoverer.Find(includeSourceInformation: false, discovery, new Options());
            discovery.Finished.Wait();
        }
        var chosen = discovery.TestCases
            .Select(t => (Name: $"{t.TestMethod.TestClass.Class.Name}.{t.TestMethod.Method.Name}", Case: t))
            .Where(t => namespaces.Any(prefix => t.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .Where(t => !excluded.Any(prefix => t.Name.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(t => t.Case)
            .ToList();
        Console.WriteLine($"running {chosen.Count} of {discovery.TestCases.Count} test cases ({string.Join(", ", namespaces.Select(n => n.TrimEnd('.')))}; " +
            $"{excluded.Count} left out: {string.Join(", ", excluded.Select(e => e.TrimEnd('.')))})");

        var execution = new Sink();
        var started = DateTime.UtcNow;
        using (var executor = framework.GetExecutor(assembly.GetName()))
        {
            executor.RunTests(chosen, execution, new Options());
            execution.Finished.Wait();
        }
        Console.WriteLine($"tests: {execution.Passed} passed, {execution.Failed} failed, {execution.Skipped} skipped in {(DateTime.UtcNow - started).TotalSeconds:F0} s; the slowest:");
        foreach (var (name, seconds) in execution.Times.OrderByDescending(t => t.Seconds).Take(12))
            Console.WriteLine($"  {seconds,6:F1} s  {name}");
        return (execution.Passed, execution.Failed, execution.Skipped);
    }

    /// <summary>Collects discovered test cases and counts results; <see cref="Finished"/> is set at the end of either phase.</summary>
    sealed class Sink : Xunit.LongLivedMarshalByRefObject, IMessageSink
    {
        public readonly ManualResetEventSlim Finished = new();
        public readonly List<ITestCase> TestCases = [];
        public readonly List<(string Name, decimal Seconds)> Times = [];
        public int Passed, Failed, Skipped;

        public bool OnMessage(IMessageSinkMessage message)
        {
            if (message is ITestResultMessage result)
                lock (Times) Times.Add((result.Test.DisplayName, result.ExecutionTime));
            switch (message)
            {
                case ITestCaseDiscoveryMessage found:
                    lock (TestCases) TestCases.Add(found.TestCase);
                    break;
                case IDiscoveryCompleteMessage:
                case ITestAssemblyFinished:
                    Finished.Set();
                    break;
                case ITestPassed:
                    Interlocked.Increment(ref Passed);
                    break;
                case ITestSkipped skipped:
                    Interlocked.Increment(ref Skipped);
                    Console.WriteLine($"  skipped {skipped.Test.DisplayName}: {skipped.Reason}");
                    break;
                case ITestFailed failed:
                    Interlocked.Increment(ref Failed);
                    lock (this)
                        Console.WriteLine($"  FAILED {failed.Test.DisplayName}\n    {string.Join("\n    ", failed.Messages)}\n{string.Join("\n", failed.StackTraces)}");
                    break;
                case IErrorMessage error:
                    // An exception outside any test (a failing fixture or class constructor): a failure, not a pass.
                    Interlocked.Increment(ref Failed);
                    Console.WriteLine($"  ERROR {string.Join("; ", error.ExceptionTypes)}: {string.Join("; ", error.Messages)}");
                    break;
            }
            return true;
        }
    }

    /// <summary>Discovery and execution options: xunit's defaults for every name (parallel collections, theories pre-enumerated).</summary>
    sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        readonly Dictionary<string, object?> values = [];
        public TValue GetValue<TValue>(string name) => values.TryGetValue(name, out var v) && v is TValue t ? t : default!;
        public void SetValue<TValue>(string name, TValue value) => values[name] = value;
    }
}
