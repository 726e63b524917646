namespace Backprop;

/// <summary>
/// Text that came from a file or a server, made safe to show in a message or on a terminal: cut to a readable
/// length and kept on one line with every control character (ESC, BEL, newlines, …) shown as '?'. A hostile file
/// can hold megabyte-long values or terminal escape sequences; every message and every printed value that quotes
/// such text goes through here.
/// </summary>
internal static class ShownText
{
    /// <summary>The length values are cut to, unless a caller asks for another.</summary>
    public const int DefaultLimit = 60;

    /// <summary><paramref name="text"/> cut to <paramref name="limit"/> characters (then "…"), never between the two
    /// halves of a surrogate pair, with control characters as '?'.</summary>
    public static string Of(string text, int limit = DefaultLimit)
    {
        string shown = text.Length <= limit ? text
            : text[..(char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit)] + "…";
        return string.Create(shown.Length, shown, (span, source) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
    }
}
