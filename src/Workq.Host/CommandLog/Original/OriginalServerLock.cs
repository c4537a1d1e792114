namespace Workq.Host.CommandLog.Original;

/// <summary>
/// Keeps an original Workq server off a directory while it is imported: its lock files,
/// where present, are held with exclusive flocks, the kind the original takes on
/// <c>append.lock</c> for its whole life. (.NET backs <see cref="FileShare.None"/> with one.)
/// </summary>
internal sealed class OriginalServerLock : IDisposable
{
    private readonly List<FileStream> held;

    private OriginalServerLock(List<FileStream> held) => this.held = held;

    public static OriginalServerLock Acquire(string dir)
    {
        var held = new List<FileStream>();
        try
        {
            foreach (string name in new[] { OriginalFiles.AppendLock, OriginalFiles.ReadLock })
            {
                string path = Path.Combine(dir, name);
                if (!File.Exists(path))
                    continue;
                try
                {
                    held.Add(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None));
                }
                catch (IOException)
                {
                    throw new CommandLogException(
                        $"the command log {dir} is in use by an original Workq server ({path} is locked); stop it first");
                }
            }
            return new OriginalServerLock(held);
        }
        catch
        {
            foreach (FileStream file in held)
                file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (FileStream file in held)
            file.Dispose();
    }
}
