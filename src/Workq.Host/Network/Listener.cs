using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Security;

namespace Workq.Host.Network;

/// <summary>
/// The TCP accept loop: numbers connections and runs each one, up to the most allowed;
/// and the request timeouts of all of them, from one timer. A cluster member hands each
/// client to its <see cref="IClientRelay"/> first, which passes it on to the leader unless
/// this member serves.
/// </summary>
internal sealed class Listener(
    EngineInbox inbox,
    ServerOptions options,
    ServerAccounting accounting,
    ServerTls tls,
    AuthTokens tokens,
    ILoggerFactory loggerFactory,
    ILogger<Listener> logger,
    IClientRelay? relay = null)
    : BackgroundService
{
    private const int Backlog = 512;

    // How long a refused connection is given to read its answer and close.
    private static readonly TimeSpan RefusalLinger = TimeSpan.FromSeconds(1);
    private static readonly byte[] TooManyConnections = ReplyWriter.toBytes(Reply.NewServerError("Too many connections"));

    private readonly ConcurrentDictionary<long, (Connection Connection, Task Running)> live = new();
    private readonly ILogger connectionLogger = loggerFactory.CreateLogger<Connection>();
    private readonly ConnectionSecurity security = new(tls, tokens);
    private Socket? listenSocket;

    /// <summary>The bound endpoint (an ephemeral port resolved); set once started.</summary>
    public IPEndPoint EndPoint =>
        (IPEndPoint)(listenSocket ?? throw new InvalidOperationException("The listener has not started.")).LocalEndPoint!;

    /// <summary>
    /// Binds the listen socket (<see cref="ListenSocket"/>). Called before the host starts,
    /// so an address in use (or not this machine's) fails there with one clear
    /// <see cref="ListenAddressException"/>; it listens only once started, after the command
    /// log has been replayed.
    /// </summary>
    public async Task BindAsync(CancellationToken cancellationToken = default) =>
        listenSocket ??= await ListenSocket.BindAsync(options.Listen, flag: null, cancellationToken);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BindAsync(cancellationToken);
        // Only now, with the state restored, does the kernel take connections.
        listenSocket!.Listen(Backlog);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task timeouts = CheckRequestTimeoutsAsync(stoppingToken);
        Socket socket = listenSocket!;
        while (!stoppingToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors, a peer that left mid-handshake...: keep accepting, without spinning.
                logger.LogDebug("Accept failed: {Reason}", e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
                continue;
            }
            if (!accounting.TryOpen())
            {
                _ = RefuseAsync(client);
                continue;
            }
            client.NoDelay = true;
            if (relay is null)
                Serve(client);
            else
                _ = RouteAsync(relay, client, stoppingToken);
        }
        await timeouts;
    }

    private void Serve(Socket client)
    {
        var connection = new Connection(
            inbox.NewClientId(), client, inbox, options.Connections, accounting, security, connectionLogger);
        accounting.Opened(connection.Id, connection);
        // The peer's address is only looked up for the log.
        string? peer = logger.IsEnabled(LogLevel.Debug) ? client.RemoteEndPoint?.ToString() ?? "?" : null;
        if (peer is not null)
            NetworkLog.Opened(logger, connection.Id, peer);
        live[connection.Id] = (connection, RunAsync(connection, peer));
    }

    /// <summary>A cluster member's client: passed on to the leader, or served here; it holds its place until it ends.</summary>
    private async Task RouteAsync(IClientRelay relay, Socket client, CancellationToken stoppingToken)
    {
        bool served = false;
        try
        {
            if (!await relay.RelayAsync(client, stoppingToken))
            {
                Serve(client);
                served = true;
            }
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Relaying a client failed");
            client.Dispose();
        }
        finally
        {
            if (!served)
                accounting.Relayed();
        }
    }

    private async Task RunAsync(Connection connection, string? peer)
    {
        try
        {
            await connection.RunAsync();
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Connection {Conn} failed", connection.Id);
        }
        finally
        {
            live.TryRemove(connection.Id, out _);
            accounting.Closed(connection.Id);
            if (peer is not null)
                NetworkLog.Closed(logger, connection.Id, peer);
        }
    }

    /// <summary>
    /// Answers a connection beyond the most allowed and closes it, without taking a place:
    /// nothing it sends is read, and after a moment for the answer to arrive it is gone.
    /// </summary>
    private async Task RefuseAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await client.SendAsync(TooManyConnections, SocketFlags.None);
                client.Shutdown(SocketShutdown.Send);
                // Closing with unread bytes would send a reset, which may eat the answer:
                // wait a moment for the peer to close first.
                using var linger = new CancellationTokenSource(RefusalLinger);
                byte[] scratch = new byte[256];
                while (await client.ReceiveAsync(scratch, SocketFlags.None, linger.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// Looks at every connection's unfinished request a few times per timeout: one timer
    /// for all of them, rather than one per connection and request.
    /// </summary>
    private async Task CheckRequestTimeoutsAsync(CancellationToken stoppingToken)
    {
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(
            options.Connections.RequestTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long now = Environment.TickCount64;
                foreach ((Connection connection, _) in live.Values)
                    connection.CheckRequestTimeout(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop accepting, then drop every connection: shutdown does not wait for clients.
        listenSocket?.Dispose();
        await base.StopAsync(cancellationToken);
        var running = live.Values.ToArray();
        foreach (var (connection, _) in running)
            connection.Abort();
        await Task.WhenAll(running.Select(r => r.Running)).WaitAsync(cancellationToken);
    }

    public override void Dispose()
    {
        listenSocket?.Dispose();
        base.Dispose();
    }
}
