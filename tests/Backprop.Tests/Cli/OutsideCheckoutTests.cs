using System.Diagnostics;
using Backprop.Tests.Data;

namespace Backprop.Tests.Cli;

/// <summary>
/// The CLI as an installed tool sees it: its assemblies in a folder with no source checkout around it. Without
/// SkiaSharp's native library (as on a platform the tool package carries none for), and without a playground site.
/// .ci/tool.sh checks the real installed package, native library included.
/// </summary>
public class OutsideCheckoutTests
{
    /// <summary>The CLI built in the tests' configuration, as <see cref="BackpropProcess"/> runs it.</summary>
    static readonly string BuiltCli = Path.Combine(BackpropProcess.Root, "src", "Backprop.Cli", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0");

    /// <summary>The CLI's assemblies and manifests, not its runtimes/ folder of native libraries, in a fresh folder.</summary>
    static string CopyWithoutNativeLibraries(TempDirectory folder)
    {
        string tool = folder.File("tool");
        Directory.CreateDirectory(tool);
        foreach (var file in Directory.EnumerateFiles(BuiltCli).Where(f => f.EndsWith(".dll") || f.EndsWith(".json")))
            File.Copy(file, Path.Combine(tool, Path.GetFileName(file)));
        return Path.Combine(tool, "backprop.dll");
    }

    static RunResult Run(string dll, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException(string.Join(' ', args)); }
        return new RunResult(process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Without_the_native_drawing_library_train_saves_the_model_and_warns_once_instead_of_crashing()
    {
        using var folder = new TempDirectory();
        string dll = CopyWithoutNativeLibraries(folder);
        Directory.CreateDirectory(folder.File("work"));

        var result = Run(dll, folder.File("work"), "train", "--epochs", "1", "--examples", "100");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(folder.File("work/model.safetensors")), result.ToString());
        Assert.False(File.Exists(folder.File("work/model.curves.png")));
        var warning = Assert.Single(result.ErrorLines);
        Assert.StartsWith("warning: picture not written: drawing needs SkiaSharp's native library, which is missing for ", warning);
        Assert.Contains("`train --no-pictures`", warning);
    }

    [Fact]
    public void Without_the_native_drawing_library_descend_fails_with_one_line_and_exit_code_2()
    {
        using var folder = new TempDirectory();
        string dll = CopyWithoutNativeLibraries(folder);

        var result = Run(dll, folder.Path, "descend", "--steps", "2", "--out", folder.File("d.png"));

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: drawing needs SkiaSharp's native library", error);
        Assert.False(File.Exists(folder.File("d.png")));
    }

    [Fact]
    public void Playground_outside_a_checkout_names_the_fix_with_exit_code_2()
    {
        using var folder = new TempDirectory();
        string dll = CopyWithoutNativeLibraries(folder);

        var result = Run(dll, folder.Path, "playground", "--port", "5099");

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: this backprop has no playground site beside it (an installed tool does not carry one)", error);
        Assert.Contains("backprop playground --site src/Backprop.Playground/bin/Release/net10.0/publish/wwwroot", error);
    }
}
