using Microsoft.Extensions.Logging;

namespace Workq.Host.Network;

/// <summary>The job port's log messages; source-generated, so a disabled level costs a check.</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Connection {Conn} opened from {Peer}")]
    public static partial void Opened(ILogger logger, long conn, string peer);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Connection {Conn} from {Peer} closed")]
    public static partial void Closed(ILogger logger, long conn, string peer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Connection {Conn}: TLS handshake failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, long conn, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Connection {Conn}: client certificate of {Name}")]
    public static partial void Certified(ILogger logger, long conn, string name);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Connection {Conn} authenticated as {Name}")]
    public static partial void Authenticated(ILogger logger, long conn, string name);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Connection {Conn}: wrong token")]
    public static partial void WrongToken(ILogger logger, long conn);
}
