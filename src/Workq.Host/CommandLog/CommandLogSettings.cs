namespace Workq.Host.CommandLog;

/// <summary>The settings of a command log that the server keeps: its options, with its directory as a full path.</summary>
public sealed record CommandLogSettings(
    string Directory,
    SyncPolicy Sync,
    TimeSpan SyncInterval,
    long SegmentSize,
    TimeSpan CleanInterval,
    bool Repair)
{
    /// <summary>The log's settings, or null when the options name no directory (in memory).</summary>
    public static CommandLogSettings? From(CommandLogOptions options) =>
        options.Path is null
            ? null
            : new CommandLogSettings(
                System.IO.Path.GetFullPath(options.Path),
                options.Sync,
                options.SyncInterval,
                options.SegmentSize,
                options.CleanInterval,
                options.Repair);
}
