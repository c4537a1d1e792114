namespace Workq.Host.CommandLog;

/// <summary>The command log's validated settings.</summary>
public sealed record CommandLogSettings(
    string Directory,
    SyncPolicy Sync,
    TimeSpan SyncInterval,
    long SegmentSize,
    TimeSpan CleanInterval,
    bool Repair)
{
    public static CommandLogSettings? From(CommandLogOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CmdlogPath))
            return null;
        SyncPolicy sync = options.CmdlogSync.ToLowerInvariant() switch
        {
            "always" => SyncPolicy.Always,
            "interval" => SyncPolicy.Interval,
            "os" => SyncPolicy.Os,
            _ => throw new InvalidSettingException($"-cmdlog-sync must be always, interval or os, not '{options.CmdlogSync}'"),
        };
        if (options.CmdlogSyncInt <= 0)
            throw new InvalidSettingException("-cmdlog-sync-int must be a positive number of milliseconds");
        if (options.CmdlogSegSize < 1024 * 1024)
            throw new InvalidSettingException("-cmdlog-seg-size must be at least 1048576 bytes");
        if (options.CmdlogCleanInt <= 0)
            throw new InvalidSettingException("-cmdlog-clean-int must be a positive number of milliseconds");
        return new CommandLogSettings(
            Path.GetFullPath(options.CmdlogPath),
            sync,
            TimeSpan.FromMilliseconds(options.CmdlogSyncInt),
            options.CmdlogSegSize,
            TimeSpan.FromMilliseconds(options.CmdlogCleanInt),
            options.CmdlogRepair);
    }
}
