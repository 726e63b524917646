using System.Runtime.InteropServices.JavaScript;

namespace Backprop.Playground.Drawing;

/// <summary>The calls into wwwroot/js/playground.js.</summary>
internal static partial class Browser
{
    public const string Module = "playground";

    /// <summary>The pixels cross as a MemoryView of WebAssembly memory: no copy on the .NET side.</summary>
    [JSImport("drawPixels", Module)]
    public static partial void DrawPixels(string canvasId, [JSMarshalAs<JSType.MemoryView>] Span<byte> pixels, int width, int height);

    /// <summary>Lines as 6 numbers each (x1, y1, x2, y2, width, sign): thousands of links in one call.</summary>
    [JSImport("drawLines", Module)]
    public static partial void DrawLines(string canvasId, [JSMarshalAs<JSType.MemoryView>] Span<double> lines, int width, int height);

    [JSImport("getHash", Module)]
    public static partial string GetHash();

    [JSImport("setHash", Module)]
    public static partial void SetHash(string hash);

    [JSImport("download", Module)]
    public static partial void Download(string fileName, [JSMarshalAs<JSType.MemoryView>] Span<byte> bytes);

    [JSImport("copyText", Module)]
    public static partial void CopyText(string text);

    [JSImport("initPad", Module)]
    public static partial void InitPad(string canvasId);

    /// <summary>The draw pad's 32×32 cells, row by row, '1' for a cell drawn on.</summary>
    [JSImport("readPad", Module)]
    public static partial string ReadPad(string canvasId);

    [JSImport("clearPad", Module)]
    public static partial void ClearPad(string canvasId);

    [JSImport("drawnWidth", Module)]
    public static partial double DrawnWidth(string elementId);

    [JSImport("nextFrame", Module)]
    [return: JSMarshalAs<JSType.Promise<JSType.Void>>]
    public static partial Task NextFrame();
}
