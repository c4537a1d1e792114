using System.Collections.Concurrent;

namespace Workq.Client;

/// <summary>
/// Hands out connections for one request each. Idle ones are kept for reuse, up to a
/// limit; when none is idle a new one is opened (with TLS and its token, if the client has
/// them), so a request never waits for another (a lease blocked on the server holds its
/// own connection). Disposing the pool closes every connection it opened, idle or in use.
/// </summary>
/// <remarks>
/// With several servers (a cluster's members, any of which serves), new connections go
/// to one of them until connecting to it fails, or a connection to it breaks; then to the
/// next. A request is never resent: that stays the caller's decision.
/// </remarks>
internal sealed class ConnectionPool(
    ServerAddress[] addresses, ClientTls? tls, string? authToken, TimeSpan connectTimeout, int maxIdle) : IDisposable
{
    private readonly Lock gate = new();
    private readonly Stack<Connection> idle = new();
    // Every open connection, so that disposal can close those in use as well.
    private readonly ConcurrentDictionary<Connection, byte> open = new();
    private bool disposed;
    // The server new connections go to first.
    private int preferred;

    public IReadOnlyList<ServerAddress> Addresses => addresses;

    public bool IsDisposed
    {
        get
        {
            lock (gate)
                return disposed;
        }
    }

    /// <summary>An idle connection that still looks sound, or a new one.</summary>
    public async ValueTask<Connection> RentAsync(CancellationToken cancellationToken)
    {
        while (TryTakeIdle() is { } connection)
        {
            if (connection.IsReusable())
                return connection;
            Discard(connection); // closed by the server while idle (e.g. it restarted)
        }
        Connection opened = await OpenAsync(cancellationToken);
        open[opened] = 0;
        if (authToken is not null)
            await AuthenticateAsync(opened, authToken, cancellationToken);
        if (authToken is not null)
            await AuthenticateAsync(opened, authToken, cancellationToken);
        if (IsDisposed)
        {
            Discard(opened);
            throw new ObjectDisposedException(nameof(WorkqClient));
        }
        return opened;
    }

    /// <summary>A new connection, to the preferred server or else to the next that takes one.</summary>
    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        int first = Volatile.Read(ref preferred);
        WorkqConnectionException? failure = null;
        for (int i = 0; i < addresses.Length; i++)
        {
            int at = (first + i) % addresses.Length;
            try
            {
                Connection connection = await Connection.OpenAsync(addresses[at], tls, connectTimeout, cancellationToken);
                if (at != first)
                    Interlocked.CompareExchange(ref preferred, at, first);
                return connection;
            }
            catch (WorkqConnectionException e)
            {
                failure = e;
            }
        }
        if (addresses.Length == 1)
            throw failure!;
        throw new WorkqConnectionException(
            $"Could not connect to any of the Workq servers {string.Join(", ", addresses)}: {failure!.Message}",
            requestSent: false, failure);
    }

    /// <summary>
    /// Sends the token on a new connection. The server's refusal (<c>Authentication
    /// failed</c>) fails the request that opened it, as a <see cref="WorkqClientErrorException"/>.
    /// </summary>
    private async Task AuthenticateAsync(Connection connection, string token, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new Request("auth").Word(token).EndLine();
            await connection.SendAsync(request.Bytes, cancellationToken);
            await Replies.DoneAsync(connection, request.Command, cancellationToken);
        }
        catch (Exception e)
        {
            Discard(connection);
            if (e is IOException or System.Net.Sockets.SocketException or InvalidDataException)
            {
                throw new WorkqConnectionException(
                    $"Sending the token to the Workq server at {connection.Address} failed: {e.Message}", requestSent: false, e);
            }
            throw;
        }
    }

    /// <summary>A connection broke: its server may be gone, so new connections try the next one first.</summary>
    public void Broken(Connection connection)
    {
        int at = Array.IndexOf(addresses, connection.Address);
        if (at >= 0)
            Interlocked.CompareExchange(ref preferred, (at + 1) % addresses.Length, at);
        Discard(connection);
    }

    /// <summary>Takes back a connection whose last reply was read in full.</summary>
    public void Return(Connection connection)
    {
        lock (gate)
        {
            if (!disposed && idle.Count < maxIdle)
            {
                idle.Push(connection);
                return;
            }
        }
        Discard(connection);
    }

    /// <summary>Closes a connection that must not be used again.</summary>
    public void Discard(Connection connection)
    {
        open.TryRemove(connection, out _);
        connection.Dispose();
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
                return;
            disposed = true;
            idle.Clear();
        }
        foreach (Connection connection in open.Keys)
            Discard(connection);
    }

    private Connection? TryTakeIdle()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, typeof(WorkqClient));
            return idle.TryPop(out Connection? connection) ? connection : null;
        }
    }
}
