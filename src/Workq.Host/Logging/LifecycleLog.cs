using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.CommandLog;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Http;
using Workq.Host.Network;
using Workq.Host.Security;

namespace Workq.Host.Logging;

/// <summary>
/// The server's start and stop, at Information: one line once it serves (where it listens,
/// its version, its command log and sync policy, what the replay found, its TLS and
/// tokens), then a warning for a port other machines reach that checks too little; one
/// line when it begins to stop and one when it has stopped. Started after every other part
/// of the server, so stopped before them.
/// </summary>
internal sealed partial class LifecycleLog(
    Listener listener,
    HttpSide http,
    EngineLoop engine,
    ServerOptions options,
    ServerTls tls,
    AuthTokens tokens,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory)
    : IHostedService
{
    /// <summary>The category of these lines: short, as it leads the first line a user sees.</summary>
    public const string Category = "Workq";

    private readonly ILogger logger = loggerFactory.CreateLogger(Category);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Started(logger, listener.EndPoint, http.EndPoint is { } httpEndPoint ? $"{(tls.Enabled ? "HTTPS" : "HTTP")} on {httpEndPoint}" : "no HTTP port",
            ServerCommandLine.Version, Describe(options, engine.Restored) + Describe(tls, tokens));
        Exposure.Warn(options, listener.EndPoint, http.EndPoint, logger);
        lifetime.ApplicationStopped.Register(() => Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stopping(logger);
        return Task.CompletedTask;
    }

    private static string Describe(ServerOptions options, RestoreSummary? restored)
    {
        if (options.Cluster.IsMember)
            return $"cluster member {options.Cluster.Listen}, its data in {options.CommandLog.Path}";
        if (restored?.Log is not { } log)
            return "in memory (no command log)";
        string sync = log.Sync == SyncPolicy.Interval
            ? $"sync interval, every {(long)log.SyncInterval.TotalMilliseconds} ms"
            : $"sync {log.Sync.ToString().ToLowerInvariant()}";
        return string.Create(CultureInfo.InvariantCulture,
            $"command log {log.Directory} ({sync}): replayed {restored.Events} events, {restored.Jobs} jobs, in {restored.Elapsed.TotalMilliseconds:F0} ms");
    }

    /// <summary>What the server checks of its clients, after the rest of the start line; nothing when it checks nothing.</summary>
    private static string Describe(ServerTls tls, AuthTokens tokens)
    {
        var parts = new List<string>();
        if (tls.Enabled)
        {
            string clients = tls.RequiresClientCertificate ? ", client certificates required"
                : tls.AsksForClientCertificate ? ", client certificates or tokens" : "";
            parts.Add($"TLS ({tls.Describe()}{clients})");
        }
        if (tokens.Enabled)
            parts.Add($"auth tokens from {tokens.Path} ({tokens.Count})");
        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "workq listening on {EndPoint}, {Http}; workq-server {Version}; {Log}")]
    private static partial void Started(ILogger logger, System.Net.IPEndPoint endPoint, string http, string version, string log);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Stopping: closing connections and the command log")]
    private static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "workq-server stopped")]
    private static partial void Stopped(ILogger logger);
}
