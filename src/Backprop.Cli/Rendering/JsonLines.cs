using System.Text.Json;

namespace Backprop.Cli.Rendering;

/// <summary>One JSON object per line on standard output, for scripts.</summary>
internal static class JsonLines
{
    static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static void Write(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
