using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog.Tools;

/// <summary>The first thing wrong with a file, said the way an operator needs it: where, and what the server would do.</summary>
internal sealed record LogProblem(string File, int Offset, string What, bool IsTornTail)
{
    public override string ToString() => $"{File} at offset {Offset}: {What}";

    /// <summary>
    /// For dump and replay, which show what the server would load: a torn tail is only a
    /// warning (the server cuts it off too), anything else makes the exit code 1.
    /// </summary>
    public int Report(TextWriter stderr)
    {
        stderr.WriteLine((IsTornTail ? "warning: " : "error: ") + this);
        return IsTornTail ? CmdlogTool.Ok : CmdlogTool.Problem;
    }

    public static LogProblem? Of(LogEntry entry) => entry switch
    {
        SnapshotEntry { Contents.IsError: true } s => new(s.Name, s.Contents.ErrorValue.Item1,
            s.Contents.ErrorValue.Item2 + "; the server would refuse to start (restore the directory from a backup)", false),
        SegmentEntry { Contents.Damage: { } damage } s => Damage(s, damage.Value),
        OriginalSegmentEntry { Contents.Damage: { } damage } s => OriginalDamage(s, damage.Value),
        MissingSegment m => new(m.Name, 0,
            "this segment is missing (a gap in the numbers); the server would refuse to start (see --cmdlog-repair)", false),
        _ => null,
    };

    private static LogProblem Damage(SegmentEntry s, Segment.Damage damage) => damage switch
    {
        Segment.Damage.TornTail t when s.IsLast => new(s.Name, t.offset,
            "torn tail: the last record is cut short (a write interrupted by a crash, or a copy taken mid-write); "
            + "the server would cut it off at startup", true),
        Segment.Damage.TornTail t => new(s.Name, t.offset,
            "a record is cut short in a segment that is not the last; the server would refuse to start (see --cmdlog-repair)", false),
        Segment.Damage.Corrupt c => new(s.Name, c.offset,
            "a damaged record (bad checksum, or a body that is not an event); the server would refuse to start (see --cmdlog-repair)", false),
        _ => new(s.Name, 0, "the file does not start with a command log header; the server would refuse to start", false),
    };

    private static LogProblem OriginalDamage(OriginalSegmentEntry s, Segment.Damage damage) => damage switch
    {
        Segment.Damage.TornTail t when s.IsLast => new(s.Name, t.offset,
            "torn tail: the last record is cut short (a write interrupted by a crash, or a copy taken mid-write); "
            + "the server would leave it out of the import", true),
        Segment.Damage.TornTail t => new(s.Name, t.offset,
            "a record is cut short in a segment that is not the last; the server would refuse to import the log (see --cmdlog-repair)", false),
        Segment.Damage.Corrupt c => new(s.Name, c.offset,
            "a damaged record (bad checksum, or a payload the original Workq does not write); the server would refuse to import "
            + "the log (see --cmdlog-repair)", false),
        _ => new(s.Name, 0,
            "the file does not start with the original Workq's segment header; the server would refuse to import the log", false),
    };
}
