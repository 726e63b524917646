using System.Diagnostics;
using Backprop.Serialization;
using Backprop.Tests.Data;

namespace Backprop.Tests.Serialization;

/// <summary>The one output policy: regular files only, never through a link, atomic, checked first, never an input.</summary>
public class OutputFileTests
{
    /// <summary>A FIFO: a non-regular file anyone can make (a device node needs root).</summary>
    internal static string MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "mkfifo failed: " + process.StandardError.ReadToEnd());
        return path;
    }

    [Fact]
    public void A_fifo_is_never_replaced()
    {
        using var folder = new TempDirectory();
        var fifo = MakeFifo(folder.File("m.safetensors"));
        var error = Assert.Throws<BackpropException>(() => OutputFile.WriteAllBytes(fifo, [1, 2, 3]));
        Assert.Contains("not a regular file", error.Message);
        Assert.Throws<BackpropException>(() => OutputFile.Check(fifo));
        Assert.Equal(FileKind.Other, FileStatus.Of(fifo, followLinks: false).Kind);
    }

    [Fact]
    public void A_device_is_never_replaced()
    {
        var error = Assert.Throws<BackpropException>(() => OutputFile.Check("/dev/null"));
        Assert.Equal("/dev/null: could not write the file (it is not a regular file but a device, pipe or socket, and Backprop replaces only regular files); give another path", error.Message);
    }

    [Fact]
    public void A_link_is_refused_and_its_target_left_alone()
    {
        using var folder = new TempDirectory();
        var precious = folder.WriteText("precious.txt", "precious");
        var link = folder.File("m.curves.png");
        File.CreateSymbolicLink(link, precious);
        var error = Assert.Throws<BackpropException>(() => OutputFile.WriteAllText(link, "picture"));
        Assert.Contains("symbolic link", error.Message);
        Assert.Throws<BackpropException>(() => OutputFile.Check(link));
        Assert.Equal("precious", File.ReadAllText(precious));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void A_folder_or_a_missing_folder_is_refused_before_any_work()
    {
        using var folder = new TempDirectory();
        Directory.CreateDirectory(folder.File("m.curves.png"));
        Assert.Contains("is a folder", Assert.Throws<BackpropException>(() => OutputFile.Check(folder.File("m.curves.png"))).Message);
        Assert.Contains("does not exist", Assert.Throws<BackpropException>(() => OutputFile.Check(folder.File("no/such/m.png"))).Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_regular_file_is_replaced_atomically_and_a_failed_write_leaves_it_whole()
    {
        using var folder = new TempDirectory();
        var path = folder.WriteText("m.svg", "old");
        Assert.Equal(Path.GetFullPath(path), OutputFile.Check(path));
        Assert.Throws<InvalidOperationException>(() => OutputFile.Write(path, stream => { stream.Write([1, 2]); throw new InvalidOperationException("the picture failed halfway"); }));
        Assert.Equal("old", File.ReadAllText(path));
        OutputFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["m.svg"], Directory.GetFiles(folder.Path).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public void An_output_equal_to_an_input_through_any_spelling_or_link_is_refused()
    {
        using var folder = new TempDirectory();
        var data = folder.WriteText("d.csv", "1,2,0\n");
        File.CreateSymbolicLink(folder.File("alias.csv"), data);
        foreach (var output in new[] { data, folder.File("./d.csv"), folder.File("alias.csv") })
        {
            var error = Assert.Throws<BackpropException>(() => OutputFile.CheckDistinct([new("--out", output)], [new("--data", data)]));
            Assert.Contains("is the same file as --data", error.Message);
        }
        var twice = Assert.Throws<BackpropException>(() => OutputFile.CheckDistinct([new("--out", folder.File("m")), new("--checkpoint-dir", folder.File("m"))], []));
        Assert.Contains("are the same file", twice.Message);
        OutputFile.CheckDistinct([new("--out", folder.File("m.safetensors"))], [new("--data", data)]);
        Assert.Equal("1,2,0\n", File.ReadAllText(data));
    }

    [Fact]
    public void Inputs_must_be_regular_files()
    {
        Assert.Contains("not a regular file", Assert.Throws<BackpropException>(() => InputFile.RequireRegular("/dev/zero")).Message);
        using var folder = new TempDirectory();
        File.CreateSymbolicLink(folder.File("zero"), "/dev/zero");
        Assert.Contains("not a regular file", Assert.Throws<BackpropException>(() => InputFile.RequireRegular(folder.File("zero"))).Message);
        Assert.Equal(3, InputFile.RequireRegular(folder.WriteText("ok.csv", "1,0")));
        // Opening a FIFO for reading would block until a writer came: the model reader never opens one.
        var fifo = MakeFifo(folder.File("model.safetensors"));
        Assert.Equal($"{fifo}: not a regular file (a device, pipe or socket); give the path of a regular file",
            Assert.Throws<BackpropException>(() => SafeTensorsFile.Read(fifo)).Message);
    }
}
