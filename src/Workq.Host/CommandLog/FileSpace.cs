using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Workq.Host.CommandLog;

/// <summary>Disk space taken for a file before it is written, and what a failed write tells a client.</summary>
internal static class FileSpace
{
    private const int ENOSPC = 28;

    /// <summary>
    /// Allocates the file's blocks up to <paramref name="length"/> (and makes it that long),
    /// so that writing within it cannot fail for want of space; throws an
    /// <see cref="IOException"/> when the disk has no room. On Linux with posix_fallocate,
    /// which takes the blocks without writing them; elsewhere by writing zeros. (On file
    /// systems that allocate anew on every write, such as ZFS, nothing can be reserved.)
    /// </summary>
    public static void Allocate(SafeFileHandle file, long from, long length)
    {
        if (length <= from)
            return;
        if (OperatingSystem.IsLinux())
        {
            int error = posix_fallocate(file, from, length - from);
            if (error == 0)
                return;
            throw new IOException(Marshal.GetPInvokeErrorMessage(error), error);
        }
        byte[] zeros = new byte[64 * 1024];
        for (long at = from; at < length; at += zeros.Length)
            RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - at)), at);
    }

    /// <summary>
    /// What a client may be told of a failed write: the system's words for the error, without
    /// the path that .NET puts in its message (the server's log has that).
    /// </summary>
    public static string Describe(IOException e) =>
        e.HResult is > 0 and < 4096 ? Marshal.GetPInvokeErrorMessage(e.HResult) : "an I/O error";

    /// <summary>Whether a write failed for want of space (the file system's or the user's quota).</summary>
    public static bool IsFull(IOException e) => e.HResult is ENOSPC or 122;

    [DllImport("libc", EntryPoint = "posix_fallocate")]
    private static extern int posix_fallocate(SafeFileHandle fd, long offset, long length);
}
