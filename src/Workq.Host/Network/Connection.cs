using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Workq.Host.Engine;

namespace Workq.Host.Network;

/// <summary>
/// One client: its socket, the bytes received (input pipe), the replies waiting to be
/// sent and the flow control between them. Three loops run it: the receiver fills the
/// input, the reader turns it into engine inputs, the sender writes and sends the
/// replies the engine queues through <see cref="ConnectionReplies"/>.
/// </summary>
internal sealed class Connection : IHeldMemory
{
    /// <summary>
    /// The size of a buffer, for receiving and for sending. 16 KiB rather than the pipe's
    /// default 4: a request or reply with a 4 KiB payload then fits one receive and one
    /// send instead of two.
    /// </summary>
    internal const int BufferSize = 16 * 1024;

    /// <summary>The size of <see cref="FirstBuffer"/>: a request with a small payload, or several small requests.</summary>
    private const int FirstBufferSize = 2 * 1024;

    // Room for the largest request (a 64 KiB line and 1 MiB of data) and some more, so
    // the receiver keeps reading (and sees EOF) while the reader waits on a blocking command.
    // The receiver fills each buffer before taking another (SocketReceiver), so the
    // buffers held stay within the data plus two.
    private const long InputPauseBytes = 2 << 20;
    private const long InputResumeBytes = 1 << 20;

    private readonly CancellationTokenSource aborted = new();
    private long lastReceived = Environment.TickCount64;
    private volatile bool awaitingRest;

    public Connection(long id, Socket socket, EngineInbox inbox, ConnectionOptions options, ServerAccounting accounting, ILogger logger)
    {
        Id = id;
        Socket = socket;
        Inbox = inbox;
        Options = options;
        Accounting = accounting;
        Logger = logger;
        Action grown = Grown;
        InputMemory = new ConnectionMemory(grown);
        OutputMemory = new ConnectionMemory(grown);
        // The input pipe runs its reader inline: received bytes are parsed on the thread
        // that received them, and an idle engine decides them on it too. Every hand-off
        // to another thread costs a wake-up and a context switch, which on a small
        // machine cost more than all the work a request needs.
        Input = new Pipe(new PipeOptions(
            pool: InputMemory, readerScheduler: PipeScheduler.Inline, minimumSegmentSize: BufferSize,
            pauseWriterThreshold: InputPauseBytes, resumeWriterThreshold: InputResumeBytes, useSynchronizationContext: false));
        Flow = new ConnectionFlow(options.MaxUnsentBytes, accounting.Paused);
        Replies = new ConnectionReplies(Flow);
    }

    public long Id { get; }
    public Socket Socket { get; }
    public EngineInbox Inbox { get; }
    public ConnectionOptions Options { get; }
    public ServerAccounting Accounting { get; }
    public ILogger Logger { get; }
    public Pipe Input { get; }
    public ConnectionMemory InputMemory { get; }
    public ConnectionMemory OutputMemory { get; }
    public ConnectionFlow Flow { get; }
    public ConnectionReplies Replies { get; }

    /// <summary>Where a connection with nothing pending receives (see <see cref="SocketReceiver"/>).</summary>
    public byte[] FirstBuffer { get; } = new byte[FirstBufferSize];

    public long HeldBytes => FirstBufferSize + InputMemory.Held + OutputMemory.Held;

    public long UnsentBytes => Flow.Unsent;

    private void Grown() => Accounting.Held(HeldBytes);

    /// <summary>Cancelled when the connection is torn down without a goodbye.</summary>
    public CancellationToken Aborted => aborted.Token;

    /// <summary>The receive loop, so the sender can wait for the peer's close before closing.</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    public async Task RunAsync()
    {
        // Before any request of this connection, and in accept order.
        Inbox.Post(new EngineMessage.Opened(Id, Replies));
        Receiving = SocketReceiver.RunAsync(this);
        Task sending = ReplySender.RunAsync(this);
        Task reading = RequestReader.RunAsync(this);
        await Task.WhenAll(reading, sending, Receiving);
    }

    /// <summary>Receiver: bytes arrived.</summary>
    public void Received() => Volatile.Write(ref lastReceived, Environment.TickCount64);

    /// <summary>Reader: it waits for the rest of a request it has begun (true), or for a new one.</summary>
    public void AwaitingRest(bool begun) => awaitingRest = begun;

    /// <summary>
    /// Whether the request the reader waits to finish has had no new byte for the request
    /// timeout. A connection idle between requests never has.
    /// </summary>
    public bool RequestTimedOut(long now) =>
        awaitingRest && now - Volatile.Read(ref lastReceived) >= (long)Options.RequestTimeout.TotalMilliseconds;

    /// <summary>Timeouts: wakes the reader to look at its request's age (<see cref="RequestTimedOut"/>).</summary>
    public void CheckRequestTimeout(long now)
    {
        if (RequestTimedOut(now))
            Input.Reader.CancelPendingRead();
    }

    /// <summary>Tears the connection down now (server shutdown, broken reply stream).</summary>
    public void Abort()
    {
        // The token source is never disposed (it holds no timer), so this may race with the end.
        aborted.Cancel();
        Replies.Wake();
        Socket.Dispose();
    }
}
