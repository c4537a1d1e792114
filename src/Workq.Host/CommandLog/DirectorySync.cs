using System.Runtime.InteropServices;

namespace Workq.Host.CommandLog;

/// <summary>
/// fsync of a directory, so that a created, renamed or deleted file survives a power
/// loss. .NET offers no API for it, so this calls libc.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    public static void Flush(string dir)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(dir, ReadOnly | Directory);
        if (fd < 0)
            throw new IOException($"cannot open {dir} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"cannot sync {dir} (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
