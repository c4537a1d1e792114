using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>
/// Replays a log directory into a state: the newest snapshot, then every segment it does
/// not cover. A write cut short at the very end is cut off; damage anywhere else stops
/// startup, unless repair was asked for.
/// </summary>
internal sealed class LogLoader(CommandLogSettings settings, ILogger logger)
{
    private readonly string dir = settings.Directory;

    public LoadedLog Load(long now)
    {
        foreach (string leftover in LogFiles.Leftovers(dir))
            File.Delete(leftover); // a snapshot that was being written when the server stopped

        State state = StateModule.initial(now);
        long segment = 1;
        long length = 0;
        int events = 0;
        uint version = Segment.version;
        foreach (LogEntry entry in LogReader.Read(dir, now))
        {
            switch (entry)
            {
                case SnapshotEntry snapshot when snapshot.Contents.IsError:
                    throw new CommandLogException(
                        $"the snapshot {snapshot.Path} is damaged at offset {snapshot.Contents.ErrorValue.Item1} " +
                        $"({snapshot.Contents.ErrorValue.Item2}); it cannot be repaired, restore the directory from a backup");
                case SnapshotEntry snapshot:
                    state = snapshot.Contents.ResultValue;
                    segment = LogFiles.SnapshotNumber(snapshot.Path);
                    break;
                case MissingSegment missing:
                    Missing(missing.Path, LaterSegments(missing.Number));
                    return new LoadedLog(state, missing.Number, 0, events, Segment.version);
                case SegmentEntry s:
                    segment = s.Number;
                    version = s.Contents.Version;
                    state = Replay(state, s.Contents.Events, ref events);
                    if (s.Contents.Damage is { } damage)
                        return new LoadedLog(state, segment, CutAtDamage(s, damage.Value), events, version);
                    length = new FileInfo(s.Path).Length;
                    break;
            }
        }
        return new LoadedLog(state, segment, length, events, version);
    }

    /// <summary>Cuts a damaged segment at its first bad record; returns the length it keeps.</summary>
    private long CutAtDamage(SegmentEntry s, Segment.Damage damage)
    {
        if (damage is Segment.Damage.TornTail torn && s.IsLast)
        {
            // Kept, should the cut bytes ever be wanted: cutting is not undoable.
            string backup = Backup([s.Path], move: false);
            logger.LogWarning(
                "The last record of {File} was cut short at offset {Offset} (a crash mid-write); cutting it off (the original is in {Backup})",
                s.Path, torn.offset, backup);
            return Truncate(s.Path, torn.offset);
        }
        (int offset, string what) = Describe(damage);
        Damaged(s.Path, offset, what, LaterSegments(s.Number));
        return Truncate(s.Path, offset);
    }

    private List<string> LaterSegments(long number) =>
        LogFiles.Segments(dir).Where(s => s.Number > number).Select(s => s.Path).ToList();

    private static State Replay(State state, Microsoft.FSharp.Collections.FSharpList<JobEvent> events, ref int count)
    {
        foreach (JobEvent e in events)
        {
            state = Evolve.applyJob(state, e);
            count++;
        }
        return state;
    }

    /// <summary>Where a file is damaged, and how, for a message.</summary>
    public static (int Offset, string What) Describe(Segment.Damage damage) => damage switch
    {
        Segment.Damage.TornTail t => (t.offset, "a record is cut short or fails its checksum"),
        Segment.Damage.Corrupt c => (c.offset, "a record is damaged"),
        _ => (0, "the file does not start with a command log header"),
    };

    private const string RepairHint = "Start with --cmdlog-repair to keep a backup and cut the log there (later records are lost)";

    /// <summary>Stops startup, or with repair keeps a backup of the damaged file and moves the later ones aside.</summary>
    private void Damaged(string path, int offset, string what, IEnumerable<string> later)
    {
        if (!settings.Repair)
            throw new CommandLogException($"the command log is damaged: {path} at offset {offset}: {what}. {RepairHint}");
        string backup = Backup([path], move: false);
        foreach (string file in later)
            File.Move(file, Path.Combine(backup, Path.GetFileName(file)));
        logger.LogWarning("Repairing the command log: cutting {File} at offset {Offset} ({What}); the originals are in {Backup}",
            path, offset, what, backup);
    }

    private void Missing(string path, IEnumerable<string> later)
    {
        string what = $"segment {path} is missing";
        if (!settings.Repair)
            throw new CommandLogException($"the command log is damaged: {what}. {RepairHint}");
        string backup = Backup(later, move: true);
        logger.LogWarning("Repairing the command log: {What}; the segments after it are in {Backup}", what, backup);
    }

    private string Backup(IEnumerable<string> files, bool move)
    {
        string backup = Path.Combine(dir, LogFiles.RepairPrefix + DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff"));
        Directory.CreateDirectory(backup);
        foreach (string file in files)
        {
            string target = Path.Combine(backup, Path.GetFileName(file));
            if (move)
                File.Move(file, target);
            else
                File.Copy(file, target);
        }
        return backup;
    }

    /// <summary>Cuts a segment at a record boundary; returns its new length.</summary>
    private static long Truncate(string path, long length)
    {
        // A header cut short is no header: the writer starts the file again.
        long kept = length < Segment.headerSize ? 0 : length;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(kept);
        file.Flush(flushToDisk: true);
        return kept;
    }
}
