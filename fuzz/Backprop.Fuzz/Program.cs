using Backprop.Tests.Fuzzing;
using SharpFuzz;

// Coverage-guided fuzzing of one reader under afl-fuzz (see fuzz/run.sh). A crash, for AFL, is any outcome the
// bounded fuzzer in the tests would reject: an exception other than BackpropException, a message that is not one
// clean line naming the file, or an allocation beyond what the input justifies. Hangs are AFL's -t timeout.
const string Usage =
    "usage: Backprop.Fuzz TARGET                 run TARGET under afl-fuzz\n" +
    "       Backprop.Fuzz seeds FORMAT DIR       write FORMAT's seed corpus into DIR\n" +
    "       Backprop.Fuzz replay TARGET FILE...  judge saved inputs, exit 1 if any breaks the rules";

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
    return 2;
}

string work = Path.Combine(Path.GetTempPath(), $"backprop-fuzz-{Environment.ProcessId}");
Directory.CreateDirectory(work);

switch (args[0])
{
    case "seeds" when args.Length == 3:
    {
        Directory.CreateDirectory(args[2]);
        var seeds = SeedCorpus.For(args[1]);
        for (int i = 0; i < seeds.Count; i++) File.WriteAllBytes(Path.Combine(args[2], $"seed-{i:D2}"), seeds[i]);
        Console.WriteLine($"{seeds.Count} {args[1]} seeds in {args[2]}");
        return 0;
    }
    case "replay" when args.Length >= 3:
    {
        var target = FuzzTargets.Named(args[1]);
        int violations = 0;
        foreach (string file in args.Skip(2))
        {
            var input = File.ReadAllBytes(file);
            var outcome = FuzzTargets.Run(target, input, Path.Combine(work, FuzzTargets.FileName(target.Format, input)));
            string result = outcome.Violation is { } v ? "VIOLATION " + v : outcome.Succeeded ? "read" : "refused: " + outcome.Message;
            Console.WriteLine($"{file}: {result}");
            if (outcome.Violation is not null) violations++;
        }
        return violations == 0 ? 0 : 1;
    }
    default:
    {
        var target = FuzzTargets.Named(args[0]);
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            byte[] input = memory.ToArray();
            var outcome = FuzzTargets.Run(target, input, Path.Combine(work, FuzzTargets.FileName(target.Format, input)));
            if (outcome.Violation is not null) throw new InvalidOperationException(outcome.Violation);
        });
        return 0;
    }
}
