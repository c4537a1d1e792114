using System.Collections.Concurrent;
using Microsoft.FSharp.Collections;
using Workq.Host.Memory;
using Workq.Host.Network;

namespace Workq.Host.Engine;

/// <summary>What a client holds of the server's memory: its buffers, counted as they are rented and returned.</summary>
internal interface IHeldMemory
{
    /// <summary>Bytes of buffers held now: requests received and not yet read, replies written and not yet sent.</summary>
    long HeldBytes { get; }

    /// <summary>Reply bytes not yet sent: replies queued (by their estimated size) and bytes written for the socket.</summary>
    long UnsentBytes { get; }
}

/// <summary>
/// The server's own account of what its clients and jobs hold, kept in one place:
/// <c>inspect server</c> shows it after the core's keys (<see cref="HostKeys"/>), and
/// anything else that reports on the server reads the same properties. Counters are
/// updated by the connections and the engine as things happen; the bytes held by
/// connections are summed when asked for, so keeping them costs nothing per request.
/// </summary>
internal sealed class ServerAccounting
{
    private readonly ConcurrentDictionary<long, IHeldMemory> connections = new();
    private int open;
    private long rejected;
    private long timedOut;
    private long pauses;
    private long storedBytes;
    private int jobs;
    private long peakConnectionBytes;

    public ServerAccounting(ConnectionOptions options)
    {
        MaxConnections = options.MaxConnections;
        MaxUnsentBytes = options.MaxUnsentBytes;
    }

    /// <summary>Connections served at once, at most.</summary>
    public int MaxConnections { get; }

    /// <summary>A connection's unsent reply bytes beyond which its requests are not read.</summary>
    public long MaxUnsentBytes { get; }

    /// <summary>TCP connections open now.</summary>
    public int Connections => Volatile.Read(ref open);

    /// <summary>Connections refused because <see cref="MaxConnections"/> were open.</summary>
    public long RejectedConnections => Interlocked.Read(ref rejected);

    /// <summary>Connections closed because a request stayed unfinished too long.</summary>
    public long TimedOutRequests => Interlocked.Read(ref timedOut);

    /// <summary>Times a connection's requests waited because more than <see cref="MaxUnsentBytes"/> of its replies were unsent.</summary>
    public long Pauses => Interlocked.Read(ref pauses);

    /// <summary>The most bytes one connection has held at any moment since the server started.</summary>
    public long PeakConnectionBytes => Interlocked.Read(ref peakConnectionBytes);

    /// <summary>The payload and result bytes the jobs hold, as of the engine's last batch.</summary>
    public long StoredBytes => Interlocked.Read(ref storedBytes);

    /// <summary>The jobs held, as of the engine's last batch.</summary>
    public int Jobs => Volatile.Read(ref jobs);

    /// <summary>Takes a place for a new connection; false (and counted as refused) when all are taken.</summary>
    public bool TryOpen()
    {
        if (Interlocked.Increment(ref open) > MaxConnections)
        {
            Interlocked.Decrement(ref open);
            Interlocked.Increment(ref rejected);
            return false;
        }
        return true;
    }

    /// <summary>A connection that took a place: its buffers are counted from now on.</summary>
    public void Opened(long id, IHeldMemory connection) => connections[id] = connection;

    /// <summary>A connection that took a place has ended.</summary>
    public void Closed(long id)
    {
        connections.TryRemove(id, out _);
        Interlocked.Decrement(ref open);
    }

    /// <summary>
    /// A connection that took a place but was not served here has ended: a cluster member
    /// passed it on, as bytes, to its leader.
    /// </summary>
    public void Relayed() => Interlocked.Decrement(ref open);

    public void RequestTimedOut() => Interlocked.Increment(ref timedOut);

    /// <summary>A connection's requests wait until its client reads its replies.</summary>
    public void Paused() => Interlocked.Increment(ref pauses);

    /// <summary>A connection took another buffer and now holds <paramref name="bytes"/>.</summary>
    public void Held(long bytes)
    {
        long peak = Interlocked.Read(ref peakConnectionBytes);
        while (bytes > peak)
        {
            long seen = Interlocked.CompareExchange(ref peakConnectionBytes, bytes, peak);
            if (seen == peak)
                return;
            peak = seen;
        }
    }

    /// <summary>Engine: after a batch, the jobs it holds and their bytes.</summary>
    public void Stored(int count, long bytes)
    {
        Volatile.Write(ref jobs, count);
        Interlocked.Exchange(ref storedBytes, bytes);
        LargeAllocations.Live(bytes);
    }

    /// <summary>The bytes all connections hold, and the most one of them holds.</summary>
    public (long Total, long Largest) ConnectionBytes()
    {
        long total = 0, largest = 0;
        foreach (IHeldMemory connection in connections.Values)
        {
            long held = connection.HeldBytes;
            total += held;
            largest = Math.Max(largest, held);
        }
        return (total, largest);
    }

    /// <summary>
    /// The reply bytes all connections have not sent yet, and how many connections are
    /// past <see cref="MaxUnsentBytes"/> (their requests are not read until their clients read).
    /// </summary>
    public (long Total, int Paused) Unsent()
    {
        long total = 0;
        int paused = 0;
        foreach (IHeldMemory connection in connections.Values)
        {
            long unsent = connection.UnsentBytes;
            total += unsent;
            if (unsent > MaxUnsentBytes)
                paused++;
        }
        return (total, paused);
    }

    /// <summary>The keys <c>inspect server</c> shows after the core's, in this order.</summary>
    public FSharpList<Tuple<string, long>> HostKeys()
    {
        (long total, long largest) = ConnectionBytes();
        return ListModule.OfArray(new[]
        {
            Tuple.Create("max-connections", (long)MaxConnections),
            Tuple.Create("rejected-connections", RejectedConnections),
            Tuple.Create("timed-out-requests", TimedOutRequests),
            Tuple.Create("connection-bytes", total),
            Tuple.Create("connection-bytes-max", largest),
            Tuple.Create("connection-bytes-peak", PeakConnectionBytes),
        });
    }
}
