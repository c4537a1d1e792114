using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog.Original;

/// <summary>
/// Reads the original Workq's segments in the order it replays them: by number, gaps and
/// all. Shared by the import at start-up and the log tools; nothing is written.
/// </summary>
internal static class OriginalLogReader
{
    public static IEnumerable<OriginalSegmentEntry> Read(string dir)
    {
        var segments = OriginalFiles.Segments(dir);
        for (int i = 0; i < segments.Count; i++)
        {
            (long number, string path) = segments[i];
            byte[] bytes = LogReader.ReadShared(path);
            yield return new OriginalSegmentEntry(path, number, OriginalSegment.read(bytes, bytes.Length), i == segments.Count - 1);
        }
    }
}
