using Workq.Domain;

namespace Workq.Host.CommandLog;

/// <summary>
/// What startup found in the log: the state it replays to, and where to go on writing; and
/// the format of that segment, which is not appended to when it is older than the one written.
/// </summary>
internal sealed record LoadedLog(State State, long Segment, long SegmentLength, int Events, uint SegmentVersion)
{
    /// <summary>Whether new records need a segment of their own: the last one holds records of an older format.</summary>
    public bool SegmentIsOlder => SegmentLength > 0 && SegmentVersion < Workq.Domain.CommandLog.Segment.version;
}
