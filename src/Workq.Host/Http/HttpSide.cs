using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Workq.Host.Cluster;
using Workq.Host.CommandLog;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Http.Access;
using Workq.Host.Http.Dashboard;
using Workq.Host.Http.Health;
using Workq.Host.Metrics;
using Workq.Host.Network;
using Workq.Host.Security;

namespace Workq.Host.Http;

/// <summary>
/// The HTTP side port (<c>-http-listen</c>): health (<c>/healthz</c>, <c>/readyz</c>),
/// metrics (<c>/metrics</c>) and the dashboard (<see cref="DashboardEndpoints"/>). With
/// <c>-tls-cert</c> it serves HTTPS with the job port's certificate (reloaded with it);
/// with tokens it asks for one as on the job port (<see cref="HttpAccess"/>).
/// </summary>
/// <remarks>
/// A small ASP.NET Core application of its own (Kestrel, routing, health checks; no
/// configuration sources, no lifetime), not the server's host turned into a web host:
/// the job port must not wait for it. Its port is bound with the job port, so a port in use
/// stops the start with the same clear error. With a command log to replay it then starts
/// in the background while the log is replayed, so that during a long replay
/// <c>/healthz</c> answers and <c>/readyz</c> says why the server is not ready, and the job
/// port listens as soon as the replay is done, whether or not the HTTP side is up yet. With
/// nothing to replay it starts once the job port listens, so that its start takes no
/// processor time from the job port's. The server's start is complete (and systemd is told
/// it is ready) once both are. It reads the engine's
/// published state and the health of the command log; nothing it does holds the engine up.
/// </remarks>
internal sealed class HttpSide(
    ServerOptions options,
    PublishedState published,
    LogHealth logHealth,
    MetricsExport metrics,
    ServerTls tls,
    AuthTokens tokens,
    EngineClient engine,
    ServerAccounting accounting,
    EngineMetrics engineMetrics,
    QueueTallies tallies,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    ClusterNode? cluster = null)
    : IHostedService, IAsyncDisposable, IDisposable
{
    private Socket? socket;
    private Task<WebApplication>? starting;

    /// <summary>The bound endpoint (port 0 resolved); null when the HTTP port is off.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>
    /// Binds the port (<see cref="ListenSocket"/>; throws <see cref="ListenAddressException"/>);
    /// nothing when the HTTP port is off.
    /// </summary>
    public async Task BindAsync(CancellationToken cancellationToken = default)
    {
        if (socket is not null || options.HttpListen is not { } address)
            return;
        socket = await ListenSocket.BindAsync(address, "-http-listen", cancellationToken);
        EndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Binds the port, if not yet done, and starts serving in the background.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken = default)
    {
        await BindAsync(cancellationToken);
        if (socket is not null && starting is null)
            starting = Task.Run(() => StartApplicationAsync(socket));
    }

    private async Task<WebApplication> StartApplicationAsync(Socket bound)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        // Kestrel listens on the socket bound above rather than binding one of its own.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = _ => bound);
        builder.WebHost.ConfigureKestrel(o => o.Listen(EndPoint!, listen =>
        {
            if (!tls.Enabled)
                return;
            listen.Protocols = HttpProtocols.Http1;
            // Each handshake takes the certificate in use when it begins, as on the job port.
            listen.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(tls.HttpPort),
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            });
        }));
        builder.Services.AddRoutingCore();
        HttpAccess.AddServices(builder.Services, tokens);
        builder.Services.AddSingleton<IHostLifetime, HostedByServer>();
        // The server's logging, filters and formatter included.
        builder.Services.AddSingleton(loggerFactory);
        HealthEndpoints.AddChecks(builder.Services, published, logHealth, cluster);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(new StateSource(published, cluster));
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(accounting);
        builder.Services.AddSingleton(engineMetrics);
        builder.Services.AddSingleton(tallies);
        DashboardEndpoints.AddServices(builder.Services);

        WebApplication app = builder.Build();
        app.UseRouting();
        HttpAccess.Use(app);
        MapEndpoints(app, metrics.Provider());
        await app.StartAsync();
        return app;
    }

    /// <summary>Everything the HTTP side serves; a new page or API is mapped here.</summary>
    private static void MapEndpoints(WebApplication app, MeterProvider? meterProvider)
    {
        HealthEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider, configureBranchedPipeline: null, optionsName: null);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken);
        if (starting is not null)
            await starting.WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (starting is { IsCompletedSuccessfully: true })
            await starting.Result.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Task<WebApplication>? started = Interlocked.Exchange(ref starting, null);
        if (started is not null)
        {
            try
            {
                await (await started).DisposeAsync();
            }
            catch (Exception)
            {
                // It failed to start, and that failure was reported by StartAsync.
            }
        }
        socket?.Dispose();
    }

    /// <summary>
    /// A host disposed without being started (its start-up failed after the HTTP side
    /// began) disposes synchronously: the application is stopped in the background.
    /// </summary>
    public void Dispose() => _ = DisposeAsync().AsTask();
}
