using System.Runtime.InteropServices;

namespace Backprop.Serialization;

/// <summary>What a path names, as the kernel sees it: the distinctions .NET's FileAttributes cannot make on Unix
/// (a character device, a FIFO and a regular file all read as "Normal").</summary>
internal enum FileKind { Missing, Regular, Directory, SymbolicLink, Other }

/// <summary>A path's kind, size and identity (device and inode: two paths name the same file when both agree).</summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode)
{
    /// <summary>Whether both name one existing file, through whatever links or spellings.</summary>
    public bool SameFileAs(FileStatus other) =>
        Kind != FileKind.Missing && other.Kind != FileKind.Missing && Device == other.Device && Inode == other.Inode;

    /// <summary>
    /// The status of <paramref name="path"/> itself (<paramref name="followLinks"/> false: a link is reported as a
    /// link) or of what it finally points to. Uses Linux's statx, whose layout is the same on every architecture;
    /// elsewhere falls back to what FileAttributes can tell (no devices, no identity).
    /// </summary>
    public static FileStatus Of(string path, bool followLinks)
    {
        if (statxWorks)
        {
            try { return Statx(path, followLinks); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { statxWorks = false; }
        }
        return Portable(path, followLinks);
    }

    static bool statxWorks = OperatingSystem.IsLinux();

    const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    const uint StatxType = 0x1, StatxSize = 0x200, StatxIno = 0x100;
    const int ENOENT = 2, ENOTDIR = 20;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    static extern int NativeStatx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    static FileStatus Statx(string path, bool followLinks)
    {
        // struct statx (linux/stat.h): stx_mode u16 at 28, stx_ino u64 at 32, stx_size u64 at 40,
        // stx_dev_major u32 at 136, stx_dev_minor u32 at 140; 256 bytes in all.
        var buffer = new byte[256];
        if (NativeStatx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxSize | StatxIno, buffer) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            if (error is ENOENT or ENOTDIR) return new FileStatus(FileKind.Missing, 0, 0, 0);
            throw new IOException(Marshal.GetPInvokeErrorMessage(error));
        }
        int mode = BitConverter.ToUInt16(buffer, 28) & 0xF000;
        var kind = mode switch { 0x8000 => FileKind.Regular, 0x4000 => FileKind.Directory, 0xA000 => FileKind.SymbolicLink, _ => FileKind.Other };
        ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        return new FileStatus(kind, (long)BitConverter.ToUInt64(buffer, 40), device, BitConverter.ToUInt64(buffer, 32));
    }

    static FileStatus Portable(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists && info.LinkTarget is null) return new FileStatus(FileKind.Missing, 0, 0, 0);
        if (info.LinkTarget != null)
        {
            if (!followLinks) return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists) return new FileStatus(FileKind.Missing, 0, 0, 0);
            info = target;
        }
        // No identity without statx: paths are compared by their full names instead (see OutputFile).
        return info is DirectoryInfo ? new FileStatus(FileKind.Directory, 0, 0, 0)
            : new FileStatus(FileKind.Regular, ((FileInfo)info).Length, 0, (ulong)StringComparer.Ordinal.GetHashCode(info.FullName));
    }
}
