using Workq.Domain;
using Workq.Host.Engine;

namespace Workq.Host.Network;

/// <summary>A reply waiting to be sent, with the bytes it was counted as.</summary>
internal readonly record struct QueuedReply(Reply Reply, long Bytes);

/// <summary>
/// A TCP connection as the engine sees it. Replies are queued as values, not bytes:
/// they share the state's immutable jobs, so a page of large jobs costs nothing until
/// <see cref="ReplySender"/> writes it, a record at a time, as the socket takes it. Each
/// is counted against the connection's <see cref="ConnectionFlow"/> as the answer to
/// one request.
/// </summary>
internal sealed class ConnectionReplies(ConnectionFlow flow) : IReplyTarget
{
    private readonly Lock gate = new();
    private readonly Queue<QueuedReply> queued = new();
    private readonly WakeSignal ready = new();
    private bool closing;

    public void Write(Reply reply)
    {
        long bytes = ReplySize.Of(reply);
        lock (gate)
            queued.Enqueue(new QueuedReply(reply, bytes));
        flow.Answered(bytes);
    }

    /// <summary>Wakes the sender, which sends the batch on this thread when it can.</summary>
    public ValueTask FlushAsync()
    {
        ready.Set();
        flow.Signal();
        return ValueTask.CompletedTask;
    }

    /// <summary>The sender sends what is queued, then closes the socket.</summary>
    public ValueTask CloseAsync()
    {
        lock (gate)
            closing = true;
        ready.Set();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sender: the next reply to send, if any.</summary>
    public bool TryTake(out QueuedReply next)
    {
        lock (gate)
            return queued.TryDequeue(out next);
    }

    /// <summary>Sender: whether every reply has been taken and no more will come.</summary>
    public bool Finished
    {
        get
        {
            lock (gate)
                return closing && queued.Count == 0;
        }
    }

    /// <summary>Sender: waits until there is something to do (or the connection is torn down: <see cref="Wake"/>).</summary>
    public ValueTask WaitAsync() => ready.WaitAsync();

    public void Wake() => ready.Set();
}
