using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace Backprop.Cli;

/// <summary>
/// Checks option values before Spectre.Console.Cli sees them, because its own messages for a missing or
/// malformed value name the CLR type ("Failed to convert 'many' to Nullable`1") instead of the option.
/// </summary>
internal static class OptionValues
{
    /// <summary>Throws a <see cref="BackpropException"/> naming the option and what it takes.</summary>
    public static void Check(IReadOnlyList<string> args, Type settingsType)
    {
        var options = new Dictionary<string, Type>();
        foreach (var property in settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.GetCustomAttribute<CommandOptionAttribute>() is { ValueName: not null } option)
            {
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                foreach (var name in option.LongNames) options["--" + name] = type;
                foreach (var name in option.ShortNames) options["-" + name] = type;
            }

        for (int i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            if (!options.TryGetValue(name, out var type)) continue;
            if (name.Length == 2) name = "-" + name; // -x was typed as --x (see Cli.SpellOneLetterOptions)
            string? value = inlineValue ?? (i + 1 < args.Count && !IsOption(args[i + 1]) ? args[++i] : null);
            if (value is null)
                throw new BackpropException($"{name} needs a value, like {name} {Example(type)}");
            if ((type == typeof(int) || type == typeof(ulong)) && IsWholeNumber(value) && !Parses(value, type))
                throw new BackpropException($"{name} {ShownText.Of(value)} is out of range: it takes {(type == typeof(int) ? $"a whole number up to {int.MaxValue}" : $"a whole number from 0 to {ulong.MaxValue}")}");
            if (!Parses(value, type))
                throw new BackpropException($"{name} takes {Describe(type)}, got '{value}'; for example {name} {Example(type)}");
        }
    }

    static bool IsWholeNumber(string value) =>
        System.Numerics.BigInteger.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// Joins a long option and a value that starts with '-' (--function "-x1^2") into --function=-x1^2: Spectre
    /// reads "-x1^2" as a cluster of short options and fails with "Short option does not have a valid name".
    /// </summary>
    public static string[] JoinDashValues(IReadOnlyList<string> args, Type settingsType)
    {
        var valued = new HashSet<string>();
        foreach (var property in settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.GetCustomAttribute<CommandOptionAttribute>() is { ValueName: not null } option)
                foreach (var name in option.LongNames) valued.Add("--" + name);
        var joined = new List<string>(args.Count);
        for (int i = 0; i < args.Count; i++)
            if (valued.Contains(args[i]) && i + 1 < args.Count && args[i + 1].StartsWith('-') && !IsOption(args[i + 1]))
                joined.Add(args[i] + "=" + args[++i]);
            else joined.Add(args[i]);
        return joined.ToArray();
    }

    /// <summary>"--lr" and "-x" are options; "-0.5" is a negative number.</summary>
    static bool IsOption(string arg) => arg.StartsWith("--") || (arg.Length == 2 && arg[0] == '-' && char.IsLetter(arg[1]));

    static (string Name, string? Value) Split(string arg)
    {
        int equals = arg.IndexOf('=');
        return arg.StartsWith("--") && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    static bool Parses(string value, Type type) =>
        type == typeof(int) ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type == typeof(ulong) ? ulong.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type == typeof(double) ? double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        : true;

    static string Describe(Type type) =>
        type == typeof(int) ? "a whole number" : type == typeof(ulong) ? "a non-negative whole number" : type == typeof(double) ? "a number" : "a value";

    static string Example(Type type) => type == typeof(double) ? "0.1" : type == typeof(int) || type == typeof(ulong) ? "10" : "VALUE";
}
