using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;
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

        (State state, long firstSegment) = LoadSnapshot(now);
        var segments = LogFiles.Segments(dir).Where(s => s.Number >= firstSegment).ToList();
        int events = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            (long number, string path) = segments[i];
            if (number != firstSegment + i)
            {
                Missing(firstSegment + i, segments.Skip(i).Select(s => s.Path));
                return new LoadedLog(state, firstSegment + i, 0, events);
            }
            byte[] bytes = File.ReadAllBytes(path);
            Segment.Contents contents = Segment.read(bytes, bytes.Length);
            state = Replay(state, contents.Events, ref events);
            if (contents.Damage is { } damage)
            {
                bool last = i == segments.Count - 1;
                if (damage.Value is Segment.Damage.TornTail torn && last)
                {
                    // Kept, should the cut bytes ever be wanted: cutting is not undoable.
                    string backup = Backup([path], move: false);
                    logger.LogWarning(
                        "The last record of {File} was cut short at offset {Offset} (a crash mid-write); cutting it off (the original is in {Backup})",
                        path, torn.offset, backup);
                    return new LoadedLog(state, number, Truncate(path, torn.offset), events);
                }
                (int offset, string what) = Describe(damage.Value);
                Damaged(path, offset, what, segments.Skip(i + 1).Select(s => s.Path));
                return new LoadedLog(state, number, Truncate(path, offset), events);
            }
        }
        return segments.Count == 0
            ? new LoadedLog(state, firstSegment, 0, events)
            : new LoadedLog(state, segments[^1].Number, new FileInfo(segments[^1].Path).Length, events);
    }

    private (State, long) LoadSnapshot(long now)
    {
        var snapshots = LogFiles.Snapshots(dir);
        if (snapshots.Count == 0)
            return (StateModule.initial(now), 1);
        (long number, string path) = snapshots[^1];
        byte[] bytes = File.ReadAllBytes(path);
        FSharpResult<State, string> read = Snapshot.read(now, bytes, bytes.Length);
        if (read.IsError)
            throw new CommandLogException($"the snapshot {path} is damaged ({read.ErrorValue}); it cannot be repaired, restore the directory from a backup");
        return (read.ResultValue, number);
    }

    private static State Replay(State state, Microsoft.FSharp.Collections.FSharpList<JobEvent> events, ref int count)
    {
        foreach (JobEvent e in events)
        {
            state = Evolve.applyJob(state, e);
            count++;
        }
        return state;
    }

    private static (int Offset, string What) Describe(Segment.Damage damage) => damage switch
    {
        Segment.Damage.TornTail t => (t.offset, "a record is cut short"),
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

    private void Missing(long number, IEnumerable<string> later)
    {
        string what = $"segment {LogFiles.Segment(dir, number)} is missing";
        if (!settings.Repair)
            throw new CommandLogException($"the command log is damaged: {what}. {RepairHint}");
        string backup = Backup(later, move: true);
        logger.LogWarning("Repairing the command log: {What}; the segments after it are in {Backup}", what, backup);
    }

    private string Backup(IEnumerable<string> files, bool move)
    {
        string backup = Path.Combine(dir, "repair-" + DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff"));
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
