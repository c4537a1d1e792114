using System.Collections.Concurrent;

namespace Workq.Client;

/// <summary>
/// Hands out connections for one request each. Idle ones are kept for reuse, up to a
/// limit; when none is idle a new one is opened, so a request never waits for another
/// (a lease blocked on the server holds its own connection). Disposing the pool closes
/// every connection it opened, idle or in use.
/// </summary>
internal sealed class ConnectionPool(ServerAddress address, TimeSpan connectTimeout, int maxIdle) : IDisposable
{
    private readonly Lock gate = new();
    private readonly Stack<Connection> idle = new();
    // Every open connection, so that disposal can close those in use as well.
    private readonly ConcurrentDictionary<Connection, byte> open = new();
    private bool disposed;

    public ServerAddress Address => address;

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
        Connection opened = await Connection.OpenAsync(address, connectTimeout, cancellationToken);
        open[opened] = 0;
        if (IsDisposed)
        {
            Discard(opened);
            throw new ObjectDisposedException(nameof(WorkqClient));
        }
        return opened;
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
