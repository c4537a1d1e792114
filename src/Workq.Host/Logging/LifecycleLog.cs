using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.CommandLog;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Http;
using Workq.Host.Network;

namespace Workq.Host.Logging;

/// <summary>
/// The server's start and stop, at Information: one line once it serves (where it listens,
/// its version, its command log and sync policy, what the replay found), one when it
/// begins to stop and one when it has stopped. Started after every other part of the
/// server, so stopped before them.
/// </summary>
internal sealed partial class LifecycleLog(
    Listener listener, HttpSide http, EngineLoop engine, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    : IHostedService
{
    /// <summary>The category of these lines: short, as it leads the first line a user sees.</summary>
    public const string Category = "Workq";

    private readonly ILogger logger = loggerFactory.CreateLogger(Category);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started(logger, listener.EndPoint, http.EndPoint is { } httpEndPoint ? $"HTTP on {httpEndPoint}" : "no HTTP port",
            ServerCommandLine.Version, Describe(engine.Restored));
        lifetime.ApplicationStopped.Register(() => Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stopping(logger);
        return Task.CompletedTask;
    }

    private static string Describe(RestoreSummary? restored)
    {
        if (restored?.Log is not { } log)
            return "in memory (no command log)";
        string sync = log.Sync == SyncPolicy.Interval
            ? $"sync interval, every {(long)log.SyncInterval.TotalMilliseconds} ms"
            : $"sync {log.Sync.ToString().ToLowerInvariant()}";
        return string.Create(CultureInfo.InvariantCulture,
            $"command log {log.Directory} ({sync}): replayed {restored.Events} events, {restored.Jobs} jobs, in {restored.Elapsed.TotalMilliseconds:F0} ms");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "workq listening on {EndPoint}, {Http}; workq-server {Version}; {Log}")]
    private static partial void Started(ILogger logger, System.Net.IPEndPoint endPoint, string http, string version, string log);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Stopping: closing connections and the command log")]
    private static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "workq-server stopped")]
    private static partial void Stopped(ILogger logger);
}
