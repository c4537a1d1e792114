namespace Workq.Host.Network;

/// <summary>
/// Backpressure between a connection's reader, the engine and the connection's sender:
/// the reader posts a request only when the engine has room for it in this connection's
/// share, so a client that pipelines without reading cannot grow the server's memory.
/// Every request is counted here when posted and again when its one reply is written
/// (<see cref="ConnectionReplies"/>, on the engine's loop); nothing else keeps count.
/// </summary>
internal sealed class ConnectionFlow
{
    /// <summary>Requests posted to the engine and not yet answered.</summary>
    public const int MaxUnanswered = 64;

    /// <summary>Reply bytes written for this connection and not yet sent to its socket.</summary>
    public const long MaxUnsentBytes = 1 << 20;

    private readonly AsyncSignal changed = new();
    private int unanswered;
    private long unsent;
    private bool awaitingBlocking; // reader-only
    private volatile bool inputEnded;
    private volatile bool closed;

    /// <summary>Reader: a request went to the engine.</summary>
    public void Posted(bool mayBlock)
    {
        Interlocked.Increment(ref unanswered);
        if (mayBlock)
            awaitingBlocking = true;
    }

    /// <summary>Replies: one request of this connection got its reply.</summary>
    public void Answered() => Interlocked.Decrement(ref unanswered);

    /// <summary>Replies: reply bytes were flushed towards the sender.</summary>
    public void Queued(long bytes) => Interlocked.Add(ref unsent, bytes);

    /// <summary>Sender: reply bytes reached the socket.</summary>
    public void Sent(long bytes)
    {
        Interlocked.Add(ref unsent, -bytes);
        changed.Set();
    }

    /// <summary>Receiver: the peer sent EOF, or the socket failed.</summary>
    public void InputEnded()
    {
        inputEnded = true;
        changed.Set();
    }

    /// <summary>Sender: nothing more can be sent, so the reader should stop.</summary>
    public void Close()
    {
        closed = true;
        changed.Set();
    }

    /// <summary>Replies: after a batch, wake the reader to look at the counters again.</summary>
    public void Signal() => changed.Set();

    /// <summary>
    /// Waits until the reader may post its next request. False when the connection is
    /// done: its sender closed, or the peer went away while a blocking command waits
    /// (that is how a blocked worker's disconnect reaches the engine at once).
    /// </summary>
    public async ValueTask<bool> WaitToPostAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (closed)
                return false;
            if (awaitingBlocking && Volatile.Read(ref unanswered) > 0 && inputEnded)
                return false;
            if (MayPostNow())
                return true;
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Whether the reader may post right now, without waiting; once a blocking command
    /// has its answer, this also ends the hold it put on the connection. Reader only.
    /// When it may not, the reader should first hand the engine what it gathered: the
    /// engine often answers at once, and then the wait ends before it starts (no hop to
    /// another thread).
    /// </summary>
    public bool MayPostNow()
    {
        if (awaitingBlocking && Volatile.Read(ref unanswered) == 0)
            awaitingBlocking = false;
        return !closed
            && !awaitingBlocking
            && Volatile.Read(ref unanswered) < MaxUnanswered
            && Interlocked.Read(ref unsent) <= MaxUnsentBytes;
    }
}
