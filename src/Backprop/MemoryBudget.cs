using System.Globalization;

namespace Backprop;

/// <summary>
/// The one answer to "will this fit in memory?", asked before allocating what a file or a flag asks for: the IDX and
/// CSV readers, checkpoints, and the network with its optimizer state and batch buffers. The budget is what the
/// garbage collector says the process may have (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the machine's
/// memory, or less under a container limit or <c>DOTNET_GCHeapHardLimit</c>). What is already in use is not
/// subtracted: it is mostly garbage the collector can take back, and a request near the whole budget fails anyway.
/// </summary>
internal static class MemoryBudget
{
    static readonly AsyncLocal<long?> limitForTests = new();

    /// <summary>Bytes the process can have in all.</summary>
    public static long Available => limitForTests.Value ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Tests only: pretend the process may have <paramref name="bytes"/> in all, on this async flow, until disposed.</summary>
    internal static IDisposable LimitForTests(long bytes)
    {
        limitForTests.Value = bytes;
        return new Reset();
    }

    sealed class Reset : IDisposable
    {
        public void Dispose() => limitForTests.Value = null;
    }

    /// <summary>
    /// Refuses, before anything is allocated, when <paramref name="bytes"/> exceed <see cref="Available"/>.
    /// </summary>
    /// <param name="bytes">How much it needs.</param>
    /// <param name="subject">What needs it, starting the message: a file's path, or "--layers 2,32768,32768,2".</param>
    /// <param name="what">What the memory is for: "2,551,020 images of 28×28 as floats".</param>
    /// <param name="fix">What the user can do instead.</param>
    /// <exception cref="BackpropException">It would not fit; the message names both sizes.</exception>
    public static void Require(double bytes, string subject, string what, string fix)
    {
        long available = Available;
        if (bytes <= available) return;
        throw new BackpropException($"{subject}: {what} needs about {Size(bytes)} of memory, but this process can have only {Size(available)}; {fix}");
    }

    /// <summary>"7.9 GB (7,900,000,000 bytes)": both the reading and the exact figure.</summary>
    public static string Size(double bytes)
    {
        var c = CultureInfo.InvariantCulture;
        string rounded = bytes >= 1e9 ? (bytes / 1e9).ToString("0.0", c) + " GB" : bytes >= 1e6 ? (bytes / 1e6).ToString("0.0", c) + " MB" : (bytes / 1e3).ToString("0.0", c) + " kB";
        return $"{rounded} ({bytes.ToString("N0", c)} bytes)";
    }
}
