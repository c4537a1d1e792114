using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Workq.Host.Network;

namespace Workq.Host.Cluster;

/// <summary>
/// A member's client port when it does not serve: each client connection is passed on,
/// as bytes, to the leader's client address, so that any client (the original's Go
/// client too) works against any member. It reads nothing of what it passes on. When the
/// leader changes, every connection relayed to the old one is closed, and its client
/// reconnects; while no leader is known, a new client waits (up to the patience given)
/// for one.
/// </summary>
internal sealed class LeaderRelay(TimeSpan patience, ILogger<LeaderRelay> logger) : IClientRelay, IDisposable
{
    private const int BufferSize = 16 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    // How soon to try a leader again that did not take a connection (it may be dying).
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<Relayed, byte> relayed = new();
    private Route route = new(false, null, 0);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>This member serves clients itself.</summary>
    public void ServeHere() => Set(servesHere: true, leader: null);

    /// <summary>The leader serves clients at <paramref name="leader"/>.</summary>
    public void RelayTo(IPEndPoint leader) => Set(servesHere: false, leader);

    /// <summary>No member is known to serve clients now.</summary>
    public void NoLeader() => Set(servesHere: false, leader: null);

    private void Set(bool servesHere, IPEndPoint? leader)
    {
        TaskCompletionSource wake;
        long epoch;
        lock (gate)
        {
            if (route.ServesHere == servesHere && Equals(route.Leader, leader))
                return;
            route = new Route(servesHere, leader, route.Epoch + 1);
            epoch = route.Epoch;
            wake = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
        // Connections relayed to an earlier leader end: their clients reconnect.
        foreach (Relayed connection in relayed.Keys)
        {
            if (connection.Epoch < epoch)
                connection.Close();
        }
    }

    public async Task<bool> RelayAsync(Socket client, CancellationToken stopping)
    {
        long deadline = Environment.TickCount64 + (long)patience.TotalMilliseconds;
        try
        {
            while (true)
            {
                Route now;
                Task news;
                lock (gate)
                {
                    now = route;
                    news = changed.Task;
                }
                if (now.ServesHere)
                    return false;
                if (now.Leader is { } leader)
                {
                    if (await ConnectAsync(leader, stopping) is { } upstream)
                    {
                        await RunAsync(new Relayed(client, upstream, now.Epoch));
                        return true;
                    }
                    news = Task.WhenAny(news, Task.Delay(RetryDelay, stopping));
                }
                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    logger.LogDebug("No leader to relay a client to within {Patience}; closing it", patience);
                    client.Dispose();
                    return true;
                }
                await Task.WhenAny(news, Task.Delay(TimeSpan.FromMilliseconds(remaining), stopping));
                stopping.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
            client.Dispose();
            return true;
        }
    }

    private async Task RunAsync(Relayed connection)
    {
        relayed[connection] = 0;
        try
        {
            // The leader may have changed while connecting.
            bool stale;
            lock (gate)
                stale = route.Epoch != connection.Epoch;
            if (!stale)
                await connection.RunAsync();
        }
        finally
        {
            connection.Close();
            relayed.TryRemove(connection, out _);
        }
    }

    private async Task<Socket?> ConnectAsync(IPEndPoint leader, CancellationToken stopping)
    {
        var socket = new Socket(leader.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(leader, timeout.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            logger.LogDebug("The leader's client address {Leader} took no connection: {Reason}", leader, e.Message);
            socket.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        foreach (Relayed connection in relayed.Keys)
            connection.Close();
    }

    /// <summary>Who serves clients, and a number that changes with it.</summary>
    private sealed record Route(bool ServesHere, IPEndPoint? Leader, long Epoch);

    /// <summary>A client connection and its connection to the leader, copied both ways.</summary>
    private sealed class Relayed(Socket client, Socket upstream, long epoch)
    {
        public long Epoch => epoch;

        /// <summary>Copies until both sides have finished sending; a failure on either side ends both.</summary>
        public Task RunAsync() => Task.WhenAll(CopyAsync(client, upstream), CopyAsync(upstream, client));

        public void Close()
        {
            client.Dispose();
            upstream.Dispose();
        }

        private async Task CopyAsync(Socket from, Socket to)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (true)
                {
                    int received = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (received == 0)
                    {
                        // Passes the end of one direction on; the other goes on until its own.
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    for (int sent = 0; sent < received;)
                        sent += await to.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Close();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
