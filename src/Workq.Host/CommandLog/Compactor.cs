using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Host.Metrics;

namespace Workq.Host.CommandLog;

/// <summary>
/// Keeps the log proportional to the live jobs: writes a snapshot of a state and drops the
/// segments it covers. Crash-safe: the snapshot is in place (<see cref="SnapshotFile"/>)
/// before anything is deleted. The state is immutable, so the snapshot is written off
/// the engine while the engine goes on.
/// </summary>
internal sealed class Compactor(string dir, CommandLogMetrics metrics, ILogger logger)
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
                metrics.Compacted(ok: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The segments stay; the next compaction tries again.
                logger.LogError(e, "Compacting the command log failed");
                metrics.Compacted(ok: false);
            }
        });

    public Task WhenIdle() => running;

    private void Compact(State state, long firstUncovered)
    {
        SnapshotFile.Write(dir, state, firstUncovered);

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
