using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Logging;
using Workq.Host.Network;

namespace Workq.Host;

/// <summary>Builds and starts the server; shared by <c>Main</c> and in-process tests.</summary>
public static class WorkqServer
{
    /// <summary>Starts a server with command-line style <paramref name="args"/> (e.g. <c>--listen 127.0.0.1:0</c>).</summary>
    public static async Task<RunningServer> StartAsync(string[] args, CancellationToken cancellationToken = default)
    {
        IHost host = Build(args);
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
    /// (throws <see cref="ListenAddressException"/>, <see cref="CommandLog.CommandLogException"/>
    /// or <see cref="CommandLog.InvalidSettingException"/>).
    /// </summary>
    internal static IHost Build(string[] args)
    {
        IHost host = CreateBuilder(args).Build();
        try
        {
            host.Services.GetRequiredService<Listener>().Bind();
            host.Services.GetRequiredService<EngineLoop>().Restore();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    internal static HostApplicationBuilder CreateBuilder(string[] args)
    {
        string[] normalized = CommandLineArgs.Normalize(args);
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(normalized);
        AddListenSources(builder.Configuration, normalized);

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.FormatterName = PlainConsoleFormatter.Name)
            .AddConsoleFormatter<PlainConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        builder.Services.Configure<WorkqOptions>(builder.Configuration.GetSection(WorkqOptions.Section));
        builder.Services.Configure<CommandLog.CommandLogOptions>(builder.Configuration.GetSection(WorkqOptions.Section));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EngineInbox>();
        builder.Services.AddSingleton<Listener>();
        // Started in this order, stopped in reverse: connections close before the engine ends.
        builder.Services.AddSingleton<EngineLoop>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EngineLoop>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Listener>());
        return builder;
    }

    private static void AddListenSources(ConfigurationManager configuration, string[] args)
    {
        // WORKQ_LISTEN ranks just below Workq__Listen (the host's own environment provider).
        if (Environment.GetEnvironmentVariable("WORKQ_LISTEN") is { Length: > 0 } listen)
        {
            var source = new MemoryConfigurationSource { InitialData = [new("Workq:Listen", listen)] };
            var sources = configuration.Sources;
            int at = sources.Select((s, i) => (s, i))
                .FirstOrDefault(x => x.s is EnvironmentVariablesConfigurationSource { Prefix: null or "" }, (null!, sources.Count)).i;
            sources.Insert(at, source);
        }
        // Last, so the command line wins, with the original server's flag names.
        configuration.AddCommandLine(args, CommandLineArgs.SwitchMappings);
    }
}
