using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Writes a snapshot so that a crash leaves either no snapshot or the whole one: to a
/// temporary file that is synced, then renamed into place, then the directory synced.
/// </summary>
internal static class SnapshotFile
{
    /// <summary>Writes a snapshot of <paramref name="state"/>, named for the first segment it does not cover; returns its path.</summary>
    public static string Write(string dir, State state, long firstUncovered) =>
        WriteAt(LogFiles.Snapshot(dir, firstUncovered), state);

    /// <summary>Writes a snapshot of <paramref name="state"/> to <paramref name="final"/>, by way of a temporary file beside it.</summary>
    public static string WriteAt(string final, State state)
    {
        string temp = final + LogFiles.TempSuffix;
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                var writer = new StreamBufferWriter(file);
                Snapshot.write(writer, state);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, final, overwrite: true);
        }
        catch
        {
            // A partial snapshot would hold its disk space (often the last there is) until a restart.
            File.Delete(temp);
            throw;
        }
        DirectorySync.Flush(Path.GetDirectoryName(final)!);
        return final;
    }
}
