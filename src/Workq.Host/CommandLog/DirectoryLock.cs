namespace Workq.Host.CommandLog;

/// <summary>
/// Holds a log directory for one server. On Linux .NET backs <see cref="FileShare.None"/>
/// with an advisory lock, so a second server (or a second host in one process) is refused.
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    // How a lock held elsewhere shows: flock's errno on Unix, a sharing violation on Windows.
    // Anything else (a full disk, no permission) is for the caller to report as it is.
    private const int EWOULDBLOCK = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream file;

    private DirectoryLock(FileStream file) => this.file = file;

    public static DirectoryLock Acquire(string dir)
    {
        string path = Path.Combine(dir, LogFiles.LockName);
        try
        {
            return new DirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e.HResult is EWOULDBLOCK or SharingViolation)
        {
            throw new CommandLogException($"the command log {dir} is in use by another workq-server");
        }
    }

    public void Dispose() => file.Dispose();
}
