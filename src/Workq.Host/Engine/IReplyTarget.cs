using Workq.Domain;

namespace Workq.Host.Engine;

/// <summary>
/// All the engine knows of a client: where the replies to its requests go. A client
/// registers one under its connection id when it opens (<see cref="EngineMessage.Opened"/>);
/// a TCP connection is one kind, and anything else that sends requests through the engine
/// can be another. The engine calls it from its loop alone and never waits on a client,
/// so a slow one holds up nobody else.
/// </summary>
internal interface IReplyTarget
{
    /// <summary>
    /// The reply to one of the client's requests, in the order of its requests. Never
    /// throws: a client whose replies cannot be written closes itself.
    /// </summary>
    void Write(Reply reply);

    /// <summary>The batch is done: what was written goes out now.</summary>
    ValueTask FlushAsync();

    /// <summary>No more replies come: what was written goes out, then the client is closed.</summary>
    ValueTask CloseAsync();
}
