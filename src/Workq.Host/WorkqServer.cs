using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Workq.Host.Cluster;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Logging;
using Workq.Host.Network;

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
        IHost host = Build(commandLine.Settings, configure);
        try
        {
            await host.StartAsync(cancellationToken);
            return new RunningServer(host, host.Services.GetRequiredService<Listener>().EndPoint);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the host, binds its listen socket and restores its state from the command log
    /// (throws <see cref="InvalidSettingException"/>, <see cref="ListenAddressException"/>
    /// or <see cref="CommandLog.CommandLogException"/>).
    /// </summary>
    internal static IHost Build(IReadOnlyDictionary<string, string> commandLine, Action<HostApplicationBuilder>? configure = null)
    {
        HostApplicationBuilder builder = CreateBuilder(commandLine);
        configure?.Invoke(builder);
        IHost host = builder.Build();
        try
        {
            host.Services.GetRequiredService<Listener>().Bind();
            host.Services.GetService<ClusterNode>()?.Prepare();
            host.Services.GetRequiredService<EngineLoop>().Restore();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static HostApplicationBuilder CreateBuilder(IReadOnlyDictionary<string, string> commandLine)
    {
        // No arguments for the host: the flags are ours (ServerCommandLine), not configuration keys.
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        ServerConfiguration.AddSources(builder.Configuration, commandLine);
        ServerOptions options = ServerConfiguration.Read(builder.Configuration);
        if (!options.Cluster.IsMember && options.Cluster.Peers.Count > 0)
            throw new InvalidSettingException("-cluster-peers needs -cluster-listen: this member's own Raft address");

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = PlainConsoleFormatter.Name)
            .AddConsoleFormatter<PlainConsoleFormatter, ConsoleFormatterOptions>();
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.CommandLog);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EngineInbox>();
        builder.Services.AddSingleton(sp => new Listener(
            sp.GetRequiredService<EngineInbox>(), options, sp.GetService<LeaderRelay>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ILogger<Listener>>()));
        builder.Services.AddSingleton(sp => new EngineLoop(
            sp.GetRequiredService<EngineInbox>(), sp.GetRequiredService<TimeProvider>(), options.CommandLog,
            startsDetached: options.Cluster.IsMember, sp.GetRequiredService<ILogger<EngineLoop>>()));
        // Started in this order, stopped in reverse: connections close before the engine
        // ends, and a cluster member's log outlives both.
        if (options.Cluster.IsMember)
            AddClusterMember(builder, options.Cluster);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineLoop>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Listener>());
        return builder;
    }

    private static void AddClusterMember(HostApplicationBuilder builder, ClusterOptions cluster)
    {
        // A client reaching a member while no leader is known waits this long for one: a
        // few elections' worth, so that a failover does not turn into an error.
        TimeSpan patience = TimeSpan.FromMilliseconds(Math.Max(5000, 8 * cluster.ElectionTimeout.Upper));
        builder.Services.AddSingleton(sp => new LeaderRelay(patience, sp.GetRequiredService<ILogger<LeaderRelay>>()));
        builder.Services.AddSingleton<ClusterNode>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterNode>());
        // DotNext logs every unreachable member with a stack trace while a cluster starts
        // and during every failover; its errors are enough.
        builder.Logging.AddFilter("DotNext", LogLevel.Error);
    }
}
