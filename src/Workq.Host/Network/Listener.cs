using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Host.Configuration;
using Workq.Host.Engine;

namespace Workq.Host.Network;

/// <summary>The TCP accept loop: numbers connections and runs each one.</summary>
internal sealed class Listener(
    EngineInbox inbox, ServerOptions options, ILoggerFactory loggerFactory, ILogger<Listener> logger)
    : BackgroundService
{
    private const int Backlog = 512;

    private readonly ConcurrentDictionary<long, (Connection Connection, Task Running)> live = new();
    private readonly ILogger connectionLogger = loggerFactory.CreateLogger<Connection>();
    private Socket? listenSocket;
    private long lastConnId;

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
            client.NoDelay = true;
            var connection = new Connection(++lastConnId, client, inbox, connectionLogger);
            // The peer's address is only looked up for the log.
            string? peer = logger.IsEnabled(LogLevel.Debug) ? client.RemoteEndPoint?.ToString() ?? "?" : null;
            if (peer is not null)
                NetworkLog.Opened(logger, connection.Id, peer);
            live[connection.Id] = (connection, RunAsync(connection, peer));
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
            if (peer is not null)
                NetworkLog.Closed(logger, connection.Id, peer);
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
