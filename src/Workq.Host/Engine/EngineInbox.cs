using System.Threading.Channels;

namespace Workq.Host.Engine;

/// <summary>The engine's input queue: many clients write, the engine alone reads.</summary>
internal sealed class EngineInbox
{
    // Unbounded so posting never blocks a client; each client caps what it has posted and
    // not yet had answered (a connection's ConnectionFlow), which bounds the whole. An
    // idle engine runs on the posting thread (synchronous continuations) rather than
    // waking a thread of its own; it stays the only reader, and it never blocks, so
    // posters are held up only by its work.
    private readonly Channel<EngineMessage> channel = Channel.CreateUnbounded<EngineMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    private long lastClientId;

    public ChannelReader<EngineMessage> Reader => channel.Reader;

    /// <summary>A new client's id: unique among everything that posts here, TCP connections or not.</summary>
    public long NewClientId() => Interlocked.Increment(ref lastClientId);

    /// <summary>Posts a message; after <see cref="Close"/> it is dropped.</summary>
    public void Post(EngineMessage message) => channel.Writer.TryWrite(message);

    public void Close() => channel.Writer.TryComplete();
}
