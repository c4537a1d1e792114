using Microsoft.FSharp.Core;
using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog;

/// <summary>One file of a log directory as the server replays it.</summary>
internal abstract record LogEntry(string Path)
{
    public string Name => System.IO.Path.GetFileName(Path);
}

/// <summary>The newest snapshot: its state, or the offset and nature of its damage.</summary>
internal sealed record SnapshotEntry(string Path, int Length, FSharpResult<State, Tuple<int, string>> Contents) : LogEntry(Path);

/// <summary>A segment the snapshot does not cover; <see cref="IsLast"/> decides whether a torn tail is expected.</summary>
internal sealed record SegmentEntry(string Path, long Number, Segment.Contents Contents, bool IsLast) : LogEntry(Path);

/// <summary>A segment number that should be there and is not: the server stops at the gap.</summary>
internal sealed record MissingSegment(string Path, long Number) : LogEntry(Path);

/// <summary>A segment of the original Workq's log; <see cref="IsLast"/> decides whether a torn tail is expected.</summary>
internal sealed record OriginalSegmentEntry(string Path, long Number, OriginalSegment.Contents Contents, bool IsLast) : LogEntry(Path);
