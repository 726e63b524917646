using System.Runtime.InteropServices;

namespace Backprop.Cli.Rendering;

/// <summary>
/// The pictures are drawn by SkiaSharp, whose native library the tool package carries only for the platforms in
/// Backprop.Cli.csproj (SupportedNativeRuntimes). Elsewhere the first drawing throws DllNotFoundException, wrapped in
/// a TypeInitializationException; this turns it into the user's problem and its fix instead of a stack trace.
/// </summary>
internal static class NativeDrawing
{
    public static bool IsMissing(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is DllNotFoundException) return true;
        return false;
    }

    public static string Problem =>
        $"drawing needs SkiaSharp's native library, which is missing for {RuntimeInformation.RuntimeIdentifier} " +
        "(the backprop tool carries it for linux-x64, linux-arm64, osx, win-x64 and win-arm64); `train --no-pictures` trains without pictures, or build backprop from source on this machine";
}
