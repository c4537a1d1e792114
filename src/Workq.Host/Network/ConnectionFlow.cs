namespace Workq.Host.Network;

/// <summary>
/// Backpressure between a connection's reader, the engine and the connection's sender:
/// the reader posts a request only when the engine has room for it in this connection's
/// share, so a client that pipelines without reading cannot grow the server's memory.
/// Every request is counted here when posted and again when its one reply is written
/// (<see cref="ConnectionReplies"/>, on the engine's loop); nothing else keeps count.
/// <paramref name="paused"/> is told each time the reader waits for its client to read
/// its replies.
/// </summary>
internal sealed class ConnectionFlow(long maxUnsentBytes, Action paused)
{
    /// <summary>Requests posted to the engine and not yet answered.</summary>
    public const int MaxUnanswered = 64;

    private readonly AsyncSignal changed = new();
    private int unanswered;
    // Reply bytes not yet sent: replies queued as values (by their estimated size) and
    // bytes written for the socket.
    private long unsent;
    // Reader only: the last request posted holds back the next until it is answered;
    // and whether it may block (so that the peer's going away ends the wait).
    private bool holding;
    private bool holdingMayBlock;
    private volatile bool inputEnded;
    private volatile bool closed;

    /// <summary>Reply bytes not yet sent.</summary>
    public long Unsent => Interlocked.Read(ref unsent);

    /// <summary>
    /// Reader: a request went to the engine. One that <paramref name="mayBlock"/> holds
    /// back the next, so replies stay in order; so does one whose reply
    /// <paramref name="mayBeLarge"/>, so that at most one such reply is ever past the cap.
    /// </summary>
    public void Posted(bool mayBlock, bool mayBeLarge)
    {
        Interlocked.Increment(ref unanswered);
        if (mayBlock || mayBeLarge)
        {
            holding = true;
            holdingMayBlock = mayBlock;
        }
    }

    /// <summary>Replies: one request of this connection got its reply, counted as <paramref name="bytes"/> until sent.</summary>
    public void Answered(long bytes)
    {
        Interlocked.Add(ref unsent, bytes);
        Interlocked.Decrement(ref unanswered);
    }

    /// <summary>Sender: a reply counted as <paramref name="bytes"/> is now written (and counted by what it wrote).</summary>
    public void Written(long bytes)
    {
        Interlocked.Add(ref unsent, -bytes);
        changed.Set();
    }

    /// <summary>Sender: written bytes that are not sent yet.</summary>
    public void Buffered(long bytes) => Interlocked.Add(ref unsent, bytes);

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
        bool toldPaused = false;
        while (true)
        {
            if (closed)
                return false;
            if (holding && holdingMayBlock && Volatile.Read(ref unanswered) > 0 && inputEnded)
                return false;
            if (MayPostNow())
                return true;
            if (!toldPaused && Interlocked.Read(ref unsent) > maxUnsentBytes)
            {
                toldPaused = true;
                paused();
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Whether the reader may post right now, without waiting; once a request that holds
    /// back the next has its answer, this also ends the hold. Reader only.
    /// When it may not, the reader should first hand the engine what it gathered: the
    /// engine often answers at once, and then the wait ends before it starts (no hop to
    /// another thread).
    /// </summary>
    public bool MayPostNow()
    {
        if (holding && Volatile.Read(ref unanswered) == 0)
            holding = false;
        return !closed
            && !holding
            && Volatile.Read(ref unanswered) < MaxUnanswered
            && Interlocked.Read(ref unsent) <= maxUnsentBytes;
    }
}
