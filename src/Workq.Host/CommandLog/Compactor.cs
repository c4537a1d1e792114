using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Keeps the log proportional to the live jobs: writes a snapshot of a state and drops the
/// segments it covers. Crash-safe: the snapshot is written to a temporary file, synced,
/// renamed into place and the directory synced before anything is deleted. The state is
/// immutable, so the snapshot is written off the engine while the engine goes on.
/// </summary>
internal sealed class Compactor(string dir, ILogger logger)
{
    private Task running = Task.CompletedTask;

    public bool Busy => !running.IsCompleted;

    /// <summary>Snapshots <paramref name="state"/>, which holds every event of the segments before <paramref name="firstUncovered"/>.</summary>
    public void Start(State state, long firstUncovered) =>
        running = Task.Run(() =>
        {
            try
            {
                Compact(state, firstUncovered);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The segments stay; the next compaction tries again.
                logger.LogError(e, "Compacting the command log failed");
            }
        });

    public Task WhenIdle() => running;

    private void Compact(State state, long firstUncovered)
    {
        string final = LogFiles.Snapshot(dir, firstUncovered);
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
        DirectorySync.Flush(dir);

        int dropped = 0;
        foreach ((long number, string path) in LogFiles.Segments(dir).Where(s => s.Number < firstUncovered))
        {
            File.Delete(path);
            dropped++;
        }
        foreach ((long number, string path) in LogFiles.Snapshots(dir).Where(s => s.Number < firstUncovered))
            File.Delete(path);
        DirectorySync.Flush(dir);
        logger.LogInformation("Compacted the command log: a snapshot of {Jobs} jobs replaces {Segments} segments",
            state.Jobs.Count, dropped);
    }
}
