using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Workq.Host.Cluster;
using Workq.Host.CommandLog;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Http;
using Workq.Host.Logging;
using Workq.Host.Memory;
using Workq.Host.Metrics;
using Workq.Host.Network;
using Workq.Host.Security;

namespace Workq.Host;

/// <summary>Builds and starts the server; shared by <c>Main</c> and in-process tests.</summary>
public static class WorkqServer
{
    /// <summary>
    /// Starts a server with the flags <paramref name="args"/> (e.g. <c>-listen 127.0.0.1:0</c>);
    /// <paramref name="configure"/>, if given, adjusts the host before it is built (a test's
    /// log level, say). Throws <see cref="InvalidSettingException"/> for a bad flag.
    /// </summary>
    public static async Task<RunningServer> StartAsync(
        string[] args, Action<HostApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
    {
        ServerCommandLine commandLine = ServerCommandLine.Parse(args);
        if (commandLine.Problem is { } problem)
            throw new InvalidSettingException(problem);
        if (commandLine.WantsHelp || commandLine.WantsVersion)
            throw new InvalidSettingException("--help and --version print, they start no server");
        IHost host = await BuildAsync(commandLine.Settings, configure, cancellationToken);
        try
        {
            await host.StartAsync(cancellationToken);
            return new RunningServer(
                host, host.Services.GetRequiredService<Listener>().EndPoint, host.Services.GetRequiredService<HttpSide>().EndPoint);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the host, binds its listen sockets and restores its state from the command log
    /// (throws <see cref="InvalidSettingException"/>, <see cref="ListenAddressException"/>
    /// or <see cref="CommandLog.CommandLogException"/>). With a command log to replay, the
    /// HTTP side starts during the replay; otherwise once the job port listens (see
    /// <see cref="HttpSide"/>).
    /// </summary>
    internal static async Task<IHost> BuildAsync(
        IReadOnlyDictionary<string, string> commandLine,
        Action<HostApplicationBuilder>? configure = null,
        CancellationToken cancellationToken = default)
    {
        HostApplicationBuilder builder = CreateBuilder(commandLine);
        configure?.Invoke(builder);
        IHost host = builder.Build();
        try
        {
            // The certificate and the tokens are read first: a file that cannot be used stops the start.
            host.Services.GetRequiredService<ServerTls>();
            host.Services.GetRequiredService<AuthTokens>();
            await host.Services.GetRequiredService<Listener>().BindAsync(cancellationToken);
            host.Services.GetService<ClusterNode>()?.Prepare();
            HttpSide http = host.Services.GetRequiredService<HttpSide>();
            await http.BindAsync(cancellationToken);
            if (HasLogToReplay(host.Services.GetRequiredService<ServerOptions>()))
                await http.BeginAsync(cancellationToken);
            host.Services.GetRequiredService<EngineLoop>().Restore();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Whether the command log directory holds anything, which the restore then reads.</summary>
    private static bool HasLogToReplay(ServerOptions options) =>
        options.CommandLog.Path is { } dir && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any();

    private static HostApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string> commandLine)
    {
        // An empty builder: no configuration sources, logging providers or services of the
        // host's own defaults to discover and start; what the server reads and logs to is
        // stated here. No arguments for the host: the flags are ours (ServerCommandLine).
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Started by systemd (its log then goes to the journal), or asked to tell a
        // service manager when it is ready (Type=notify sets NOTIFY_SOCKET).
        bool underSystemd = SystemdHelpers.IsSystemdService() || Environment.GetEnvironmentVariable("JOURNAL_STREAM") is { Length: > 0 };
        bool notify = Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 };
        LoggingDefaults.Add(builder.Configuration, underSystemd);
        ServerConfiguration.AddSources(builder.Configuration, commandLine);
        ServerOptions options = ServerConfiguration.Read(builder.Configuration);
        Exposure.Check(options);
        if (!options.Cluster.IsMember && options.Cluster.Peers.Count > 0)
            throw new InvalidSettingException("-cluster-peers needs -cluster-listen: this member's own Raft address");

        // The console only; its formatter and levels come from configuration (LoggingDefaults).
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole();
        if (underSystemd || notify)
        {
            // Readiness (once both ports serve) and stopping are told to systemd; SIGTERM stops.
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.CommandLog);
        builder.Services.AddSingleton(options.Limits());
        builder.Services.AddSingleton(new ServerAccounting(options.Connections));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerMeter>();
        builder.Services.AddSingleton<QueueTallies>();
        builder.Services.AddSingleton<EngineMetrics>();
        builder.Services.AddSingleton<EngineClient>();
        builder.Services.AddSingleton<CommandLogMetrics>();
        builder.Services.AddSingleton<StateGauges>();
        builder.Services.AddSingleton<LimitMetrics>();
        builder.Services.AddSingleton<MetricsExport>();
        builder.Services.AddSingleton<PublishedState>();
        builder.Services.AddSingleton<LogHealth>();
        builder.Services.AddSingleton<EngineInbox>();
        builder.Services.AddSingleton<ServerTls>();
        builder.Services.AddSingleton<AuthTokens>();
        builder.Services.AddSingleton<Listener>();
        builder.Services.AddSingleton<HttpSide>();
        // A cluster member's engine starts detached: it serves only while the member leads.
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<EngineLoop>(sp, options.Cluster.IsMember));
        // Started in this order, stopped in reverse: SIGHUP is handled before a client can
        // connect (unhandled, it would end the process); connections close before the engine
        // ends, and a cluster member's log outlives both; the HTTP side goes first, so
        // health checks fail before the job port closes.
        builder.Services.AddHostedService<CredentialsReload>();
        if (options.Cluster.IsMember)
            AddClusterMember(builder, options.Cluster);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineLoop>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Listener>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HttpSide>());
        builder.Services.AddHostedService<HeapTrimmer>();
        builder.Services.AddHostedService<MetricsStart>();
        builder.Services.AddHostedService<LifecycleLog>();
        return builder;
    }

    private static void AddClusterMember(HostApplicationBuilder builder, ClusterOptions cluster)
    {
        // A client reaching a member while no leader is known waits this long for one: a
        // few elections' worth, so that a failover does not turn into an error.
        TimeSpan patience = TimeSpan.FromMilliseconds(Math.Max(5000, 8 * cluster.ElectionTimeout.Upper));
        builder.Services.AddSingleton(sp => new LeaderRelay(patience, sp.GetRequiredService<ILogger<LeaderRelay>>()));
        builder.Services.AddSingleton<IClientRelay>(sp => sp.GetRequiredService<LeaderRelay>());
        builder.Services.AddSingleton<ClusterNode>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        builder.Services.AddSingleton<ClusterMetrics>();
    }
}
