using System.Reflection;
using System.Text;
using Backprop.Layers;
using Backprop.Tests.Cli;

namespace Backprop.Tests;

/// <summary>
/// The library's public surface is deliberate: docs/public-api.txt lists every public type and member, and this test
/// fails when the compiled library and that list disagree. To accept a change, run the test with
/// BACKPROP_UPDATE_PUBLIC_API=1 (it then writes the file) and commit the file with the change.
/// </summary>
public class PublicApiTests
{
    static readonly string ListPath = Path.Combine(BackpropProcess.Root, "docs", "public-api.txt");

    [Fact]
    public void The_public_surface_is_the_one_listed_in_docs_public_api_txt()
    {
        var actual = PublicApi.Describe(typeof(Architecture).Assembly);
        if (Environment.GetEnvironmentVariable("BACKPROP_UPDATE_PUBLIC_API") == "1") File.WriteAllText(ListPath, actual);
        var expected = File.Exists(ListPath) ? File.ReadAllText(ListPath).ReplaceLineEndings("\n") : "";
        var expectedLines = expected.Split('\n').ToHashSet();
        var actualLines = actual.Split('\n').ToHashSet();
        var added = actual.Split('\n').Where(l => !expectedLines.Contains(l)).ToList();
        var removed = expected.Split('\n').Where(l => !actualLines.Contains(l)).ToList();
        // The whole text, so that a member moving between types with the same line, or a reordering, fails too.
        Assert.True(actual == expected,
            "the public API differs from docs/public-api.txt; if the change is meant, run this test with " +
            "BACKPROP_UPDATE_PUBLIC_API=1 and commit the file.\nadded:\n  " + string.Join("\n  ", added) +
            "\nremoved:\n  " + string.Join("\n  ", removed));
    }

    [Fact]
    public void The_listing_shows_a_public_member_and_leaves_out_an_internal_one()
    {
        var listing = PublicApi.Describe(typeof(Architecture).Assembly);
        Assert.Contains("public sealed class Backprop.Layers.Network<T>", listing);
        Assert.Contains("  Backprop.Layers.Architecture Architecture { get; }", listing);
        Assert.Contains("  T[] Forward(System.ReadOnlySpan<T> inputs, int count)", listing);
        Assert.DoesNotContain("Backprop.Kernels.Gemm", listing); // internal kernels
        Assert.DoesNotContain("Propagator", listing);
    }
}

/// <summary>A stable text listing of an assembly's public types and their public and protected members.</summary>
public static class PublicApi
{
    const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(TypeHeader(type)).Append('\n');
            var members = type.GetMembers(Declared).Where(Visible).Select(m => "  " + Member(m)).Where(m => m.Length > 2);
            foreach (var line in members.Distinct().OrderBy(m => m, StringComparer.Ordinal)) text.Append(line).Append('\n');
        }
        return text.ToString();
    }

    static bool Visible(MemberInfo member) => member switch
    {
        MethodBase m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && (!m.IsSpecialName || m.Name.StartsWith("op_") || m is ConstructorInfo),
        FieldInfo f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName,
        PropertyInfo p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily),
        Type t => false, // nested public types are listed on their own
        _ => false,
    };

    static string TypeHeader(Type type)
    {
        string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? (IsRecord(type) ? "record struct" : "struct")
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate" : IsRecord(type) ? "record" : "class";
        string modifiers = type.IsClass && !typeof(Delegate).IsAssignableFrom(type)
            ? type.IsAbstract && type.IsSealed ? "static " : type.IsAbstract ? "abstract " : type.IsSealed ? "sealed " : ""
            : "";
        var bases = new List<string>();
        if (type.IsClass && type.BaseType is { } b && b != typeof(object) && !typeof(Delegate).IsAssignableFrom(type)) bases.Add(Name(b));
        if (type.IsEnum) bases.Add(Name(Enum.GetUnderlyingType(type)));
        else bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"public {modifiers}{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    static bool IsRecord(Type type) => type.GetMethod("<Clone>$") != null
        || type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) != null;

    static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => (c.IsStatic ? "" : Access(c) + ".ctor") is var s && s.Length == 0 ? "" : s + Parameters(c),
        MethodInfo m => Access(m) + (m.IsStatic ? "static " : m.IsAbstract ? "abstract " : m.IsVirtual && !m.IsFinal && m.GetBaseDefinition() == m ? "virtual " : "")
            + Name(m.ReturnType) + " " + m.Name + (m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "") + Parameters(m),
        PropertyInfo p => Access(p.GetAccessors(true).First()) + (p.GetAccessors(true).First().IsStatic ? "static " : "") + Name(p.PropertyType) + " "
            + (p.GetIndexParameters().Length > 0 ? "this[" + string.Join(", ", p.GetIndexParameters().Select(Parameter)) + "]" : p.Name)
            + " { " + (p.GetMethod is { } g && (g.IsPublic || g.IsFamily) ? "get; " : "")
            + (p.SetMethod is { } s && (s.IsPublic || s.IsFamily) ? (s.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : "") + "}",
        FieldInfo f => Access(f) + (f.IsLiteral ? "const " : f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : "") + Name(f.FieldType) + " " + f.Name
            + (f.IsLiteral && f.DeclaringType!.IsEnum ? " = " + Convert.ToInt64(f.GetRawConstantValue()) : ""),
        EventInfo e => "event " + Name(e.EventHandlerType!) + " " + e.Name,
        _ => "",
    };

    static string Access(MethodBase m) => m.IsFamily || m.IsFamilyOrAssembly ? "protected " : "";
    static string Access(FieldInfo f) => f.IsFamily || f.IsFamilyOrAssembly ? "protected " : "";

    static string Parameters(MethodBase method) => "(" + string.Join(", ", method.GetParameters().Select(Parameter)) + ")";

    static string Parameter(ParameterInfo p)
    {
        var type = p.ParameterType;
        string prefix = "";
        if (type.IsByRef)
        {
            prefix = p.IsOut ? "out " : p.IsIn ? "in " : "ref ";
            type = type.GetElementType()!;
        }
        if (p.GetCustomAttribute<ParamArrayAttribute>() != null) prefix = "params ";
        return prefix + Name(type) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue is string s ? '"' + s + '"' : p.DefaultValue?.ToString()?.ToLowerInvariant() ?? "null") : "");
    }

    static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(string)] = "string", [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    static string Name(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword)) return keyword;
        if (type.IsGenericParameter) return type.Name;
        if (type.IsArray) return Name(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsByRef) return "ref " + Name(type.GetElementType()!);
        if (type.IsPointer) return Name(type.GetElementType()!) + "*";
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Name(underlying) + "?";
        string name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : (type.Namespace is { } ns ? ns + "." : "") + type.Name;
        if (type.IsGenericType)
        {
            name = name[..name.IndexOf('`')];
            name += "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }
        return name;
    }
}
