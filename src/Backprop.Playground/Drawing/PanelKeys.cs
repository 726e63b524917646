namespace Backprop.Playground.Drawing;

/// <summary>
/// The address keys the chain and descend panels own (<c>chain-…</c>, <c>descend-…</c>), beside the run's own. The
/// page writes the whole address whenever its run changes; it appends <see cref="Text"/>, so these survive. They are
/// read once from the address the page opened with, before the page first rewrites it.
/// </summary>
internal static class PanelKeys
{
    static readonly string[] Owned = ["chain-", "descend-"];
    static SortedDictionary<string, string>? read;
    // Read on first use, which is the page's first WriteHash: after the JavaScript module has loaded.
    static SortedDictionary<string, string> Values => read ??= Read(Browser.GetHash());

    static SortedDictionary<string, string> Read(string hash)
    {
        var keys = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in hash.TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            if (equals > 0 && IsOwned(part[..equals])) keys[part[..equals]] = Uri.UnescapeDataString(part[(equals + 1)..]);
        }
        return keys;
    }

    static bool IsOwned(string key) => Owned.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The panels' keys as the tail of an address: <c>&amp;chain-lr=5&amp;descend-f=x1%5E2…</c>.</summary>
    public static string Text => string.Concat(Values.Select(p => $"&{p.Key}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>The value of <paramref name="key"/> in the address, or null.</summary>
    public static string? Get(string key) => Values.TryGetValue(key, out var value) ? value : null;

    /// <summary>Sets the panel's keys (a null value removes one) and rewrites the address with them.</summary>
    public static void Set(params (string Key, string? Value)[] keys)
    {
        foreach (var (key, value) in keys)
            if (value is null) Values.Remove(key);
            else Values[key] = value;
        string others = string.Join("&", Browser.GetHash().TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !IsOwned(part.Split('=')[0])));
        Browser.SetHash("#" + (others.Length > 0 ? others + Text : Text.TrimStart('&')));
    }
}
