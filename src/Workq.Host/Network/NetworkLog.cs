using Microsoft.Extensions.Logging;

namespace Workq.Host.Network;

/// <summary>The job port's log messages; source-generated, so a disabled level costs a check.</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Connection {Conn} opened from {Peer}")]
    public static partial void Opened(ILogger logger, long conn, string peer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Connection {Conn} from {Peer} closed")]
    public static partial void Closed(ILogger logger, long conn, string peer);
}
