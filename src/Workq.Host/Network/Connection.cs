using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Workq.Host.Engine;

namespace Workq.Host.Network;

/// <summary>
/// One client: its socket, the bytes received (input pipe), the replies waiting to be
/// sent (output pipe) and the flow control between them. Three loops run it: the
/// receiver fills the input, the reader turns it into engine inputs, the sender drains
/// the output; the engine writes into the output through <see cref="ConnectionReplies"/>.
/// </summary>
internal sealed class Connection
{
    /// <summary>The pipes' segment size, also the receive buffer's.</summary>
    internal const int SegmentSize = 16 * 1024;

    // Room for the largest request (a 64 KiB line and 1 MiB of data) and some more, so
    // the receiver keeps reading (and sees EOF) while the reader waits on a blocking command.
    private const long InputPauseBytes = 2 << 20;
    private const long InputResumeBytes = 1 << 20;

    private readonly CancellationTokenSource aborted = new();
    private readonly ConnectionReplies replies;

    public Connection(long id, Socket socket, EngineInbox inbox, ILogger logger)
    {
        Id = id;
        Socket = socket;
        Inbox = inbox;
        Logger = logger;
        // Both pipes run their reader inline: received bytes are parsed on the thread that
        // received them, and the engine's flush sends the replies itself. Every hand-off to
        // another thread costs a wake-up and a context switch, which on a small machine
        // cost more than all the work a request needs.
        // Segments of 16 KiB rather than the default 4: a request or reply with a 4 KiB
        // payload then fits one receive and one send instead of two.
        Input = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline, minimumSegmentSize: SegmentSize,
            pauseWriterThreshold: InputPauseBytes, resumeWriterThreshold: InputResumeBytes, useSynchronizationContext: false));
        // The engine writes here and must never wait: no pause threshold; ConnectionFlow
        // bounds what can pile up instead.
        Output = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline, minimumSegmentSize: SegmentSize,
            pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        replies = new ConnectionReplies(this);
    }

    public long Id { get; }
    public Socket Socket { get; }
    public EngineInbox Inbox { get; }
    public ILogger Logger { get; }
    public Pipe Input { get; }
    public Pipe Output { get; }
    public ConnectionFlow Flow { get; } = new();

    /// <summary>Cancelled when the connection is torn down without a goodbye.</summary>
    public CancellationToken Aborted => aborted.Token;

    /// <summary>The receive loop, so the sender can wait for the peer's close before closing.</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    public async Task RunAsync()
    {
        // Before any request of this connection, and in accept order.
        Inbox.Post(new EngineMessage.Opened(Id, replies));
        Receiving = SocketReceiver.RunAsync(this);
        Task sending = ReplySender.RunAsync(this);
        Task reading = RequestReader.RunAsync(this);
        await Task.WhenAll(reading, sending, Receiving);
    }

    /// <summary>Tears the connection down now (server shutdown, broken reply stream).</summary>
    public void Abort()
    {
        // The token source is never disposed (it holds no timer), so this may race with the end.
        aborted.Cancel();
        Socket.Dispose();
    }
}
