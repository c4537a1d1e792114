using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Reads a log directory's files in the order they are replayed — by the server at
/// start-up and by the log tools alike: the newest snapshot, then the segments it does
/// not cover, stopping at a gap in their numbers. Older files (covered segments, older
/// snapshots, temporaries) are skipped. Nothing is written.
/// </summary>
internal static class LogReader
{
    /// <summary>The files in replay order; a snapshot's state is stamped as started at <paramref name="started"/>.</summary>
    public static IEnumerable<LogEntry> Read(string dir, long started = 0)
    {
        long first = 1;
        var snapshots = LogFiles.Snapshots(dir);
        if (snapshots.Count > 0)
        {
            (first, string path) = snapshots[^1];
            byte[] bytes = ReadShared(path);
            yield return new SnapshotEntry(path, bytes.Length, Snapshot.readDetailed(started, bytes, bytes.Length));
        }
        var segments = LogFiles.Segments(dir).Where(s => s.Number >= first).ToList();
        for (int i = 0; i < segments.Count; i++)
        {
            (long number, string path) = segments[i];
            if (number != first + i)
            {
                yield return new MissingSegment(LogFiles.Segment(dir, first + i), first + i);
                yield break;
            }
            byte[] bytes = ReadShared(path);
            yield return new SegmentEntry(path, number, Segment.read(bytes, bytes.Length), i == segments.Count - 1);
        }
    }

    /// <summary>
    /// Reads a whole file read-only, sharing it with a server that may be appending to it
    /// (or deleting it in a compaction) meanwhile.
    /// </summary>
    public static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        // Read to the end rather than to the length seen at open: a live file may grow.
        file.CopyTo(copy);
        return copy.ToArray();
    }
}
