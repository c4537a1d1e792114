using Workq.Domain;

namespace Workq.Host.CommandLog;

/// <summary>What startup found in the log: the state it replays to, and where to go on writing.</summary>
internal sealed record LoadedLog(State State, long Segment, long SegmentLength, int Events);
