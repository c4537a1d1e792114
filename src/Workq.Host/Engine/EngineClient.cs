using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// Sends one request through the engine from inside the server (the dashboard's actions),
/// as a client of its own: it opens, sends the request, takes its reply and leaves, so the
/// request is decided, logged and replicated exactly as the same request over TCP.
/// </summary>
internal sealed class EngineClient(EngineInbox inbox)
{
    /// <summary>
    /// The reply to <paramref name="command"/>; null when nobody is served here (a cluster
    /// member that does not lead closes every client at once).
    /// </summary>
    public async Task<Reply?> SendAsync(Command command, CancellationToken cancellationToken)
    {
        var replies = new OneReply();
        long id = inbox.NewClientId();
        inbox.Post(new EngineMessage.Opened(id, replies));
        inbox.Post(new EngineMessage.Decide(Input.NewRequest(id, command)));
        try
        {
            return await replies.Reply.WaitAsync(cancellationToken);
        }
        finally
        {
            // Posted last, as a connection's is: the engine forgets the client.
            inbox.Post(new EngineMessage.Decide(Input.NewDisconnect(id)));
        }
    }

    /// <summary>Where the engine writes the one reply; closed without one, it answers null.</summary>
    private sealed class OneReply : IReplyTarget
    {
        private readonly TaskCompletionSource<Reply?> reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Reply?> Reply => reply.Task;

        public void Write(Reply value) => reply.TrySetResult(value);

        public ValueTask FlushAsync() => ValueTask.CompletedTask;

        public ValueTask CloseAsync()
        {
            reply.TrySetResult(null);
            return ValueTask.CompletedTask;
        }
    }
}
