namespace Workq.Host.CommandLog;

/// <summary>
/// The command log as configured (the <c>-cmdlog-*</c> flags in
/// <see cref="Configuration.ServerFlags"/>, which check every value); the defaults are
/// the original server's. No path: in memory.
/// </summary>
public sealed class CommandLogOptions
{
    public const long DefaultSegmentSize = 64L * 1024 * 1024;

    public string? Path { get; set; }
    public SyncPolicy Sync { get; set; } = SyncPolicy.Interval;
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A segment's minimum size: it is full once it holds this many bytes.</summary>
    public long SegmentSize { get; set; } = DefaultSegmentSize;

    public TimeSpan CleanInterval { get; set; } = TimeSpan.FromMinutes(5);
    public bool Repair { get; set; }
}
