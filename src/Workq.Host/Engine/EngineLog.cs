using Microsoft.Extensions.Logging;

namespace Workq.Host.Engine;

/// <summary>The engine's log messages; source-generated, so a disabled level costs a check.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The decider failed on {Input}")]
    public static partial void DeciderFailed(ILogger logger, Exception exception, string input);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The command log cannot be written ({Reason}): changes are refused until it can")]
    public static partial void LogWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "The command log can be written again: changes are accepted")]
    public static partial void LogWritable(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Connection {Conn}: bad request: {Error}")]
    public static partial void BadRequest(ILogger logger, long conn, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Job {Id} ({Queue}): its lease ran out (TTR {Ttr} ms); back in its queue")]
    public static partial void LeaseTimedOut(ILogger logger, string id, string queue, long ttr);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Job {Id} ({Queue}): its last allowed lease ran out (TTR {Ttr} ms); the job failed")]
    public static partial void AttemptsExhausted(ILogger logger, string id, string queue, long ttr);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Job {Id} ({Queue}) expired: its TTL ran out")]
    public static partial void Expired(ILogger logger, string id, string queue);
}
