using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Writes a snapshot so that a crash leaves either no snapshot or the whole one: to a
/// temporary file that is synced, then renamed into place, then the directory synced.
/// </summary>
internal static class SnapshotFile
{
    /// <summary>
    /// Writes a snapshot of <paramref name="state"/>, named for the first segment it does
    /// not cover; returns its path. With <paramref name="preallocated"/> the temporary file
    /// is there already, its blocks allocated (the log's reserve), and the snapshot is
    /// written over them, so that it cannot fail for want of space.
    /// </summary>
    public static string Write(string dir, State state, long firstUncovered, bool preallocated = false) =>
        WriteAt(LogFiles.Snapshot(dir, firstUncovered), LogFiles.SnapshotTemp(dir, firstUncovered), state, preallocated);

    /// <summary>Writes a snapshot of <paramref name="state"/> to <paramref name="final"/> (a cluster member's), by way of a temporary file beside it.</summary>
    public static string WriteAt(string final, State state) => WriteAt(final, final + LogFiles.TempSuffix, state, preallocated: false);

    private static string WriteAt(string final, string temp, State state, bool preallocated)
    {
        try
        {
            using (var file = new FileStream(temp, preallocated ? FileMode.Open : FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                var writer = new StreamBufferWriter(file);
                Snapshot.write(writer, state);
                writer.Flush();
                // The reserve may be larger than the snapshot.
                file.SetLength(file.Position);
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
