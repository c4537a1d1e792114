using System.Net;
using Workq.Host.CommandLog;

namespace Workq.Host.Configuration;

/// <summary>
/// Every flag the server takes, each stated once: the command line, configuration,
/// <c>--help</c> and the checks of a value all come from this list. A new flag is one
/// entry here and a property of <see cref="ServerOptions"/> (or an option class in it)
/// holding its default.
/// </summary>
internal static class ServerFlags
{
    public static readonly IReadOnlyList<ServerFlag> All =
    [
        new ServerFlag<IPEndPoint>(
            "listen", FlagValues.Address, "the address to listen on",
            o => o.Listen, (o, v) => o.Listen = v, variable: "WORKQ_LISTEN"),
        new ServerFlag<IPEndPoint?>(
            "http-listen", FlagValues.AddressOrNone, "the address of the HTTP side port (health, metrics); none: no HTTP port",
            o => o.HttpListen, (o, v) => o.HttpListen = v),
        new ServerFlag<string?>(
            "cmdlog-path", FlagValues.Directory, "keep a command log in DIR (none: in memory)",
            o => o.CommandLog.Path, (o, v) => o.CommandLog.Path = v),
        new ServerFlag<SyncPolicy>(
            "cmdlog-sync", FlagValues.Sync, "when the log is forced to disk: always (before each reply), interval or os",
            o => o.CommandLog.Sync, (o, v) => o.CommandLog.Sync = v),
        new ServerFlag<TimeSpan>(
            "cmdlog-sync-int", FlagValues.Milliseconds, "the interval policy's period",
            o => o.CommandLog.SyncInterval, (o, v) => o.CommandLog.SyncInterval = v),
        new ServerFlag<long>(
            "cmdlog-seg-size", FlagValues.Bytes,
            "a segment file's minimum size: it is full once it holds this many bytes, so it goes over by at most one record; 0 means the default size",
            o => o.CommandLog.SegmentSize,
            (o, v) => o.CommandLog.SegmentSize = v == 0 ? CommandLogOptions.DefaultSegmentSize : v),
        new ServerFlag<TimeSpan>(
            "cmdlog-clean-int", FlagValues.Milliseconds, "the compaction period",
            o => o.CommandLog.CleanInterval, (o, v) => o.CommandLog.CleanInterval = v),
        new ServerFlag<bool>(
            "cmdlog-repair", FlagValues.Switch, "start from a damaged log, keeping a backup of what is cut",
            o => o.CommandLog.Repair, (o, v) => o.CommandLog.Repair = v),
        new ServerFlag<TimeSpan>(
            "shutdown-timeout", FlagValues.Milliseconds,
            "how long a stop (SIGTERM, Ctrl-C) may take to close connections and the command log before the process ends anyway",
            o => o.ShutdownTimeout, (o, v) => o.ShutdownTimeout = v),
    ];
}
