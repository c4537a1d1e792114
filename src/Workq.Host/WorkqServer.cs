using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
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
        // An empty builder: no configuration sources, logging providers or services of the
        // host's own defaults to discover and start; what the server reads and logs to is
        // stated here.
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        ServerConfiguration.AddSources(builder.Configuration, commandLine);
        ServerOptions options = ServerConfiguration.Read(builder.Configuration);

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole(o => o.FormatterName = PlainConsoleFormatter.Name);
        // The formatter has no options to bind from configuration (AddConsoleFormatter would
        // bind them by reflection), so it is registered as it is.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, PlainConsoleFormatter>());
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.CommandLog);
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
}
