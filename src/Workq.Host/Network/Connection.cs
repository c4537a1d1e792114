using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;
using Workq.Domain;
using Workq.Host.Engine;
using Workq.Host.Security;

namespace Workq.Host.Network;

/// <summary>
/// One client: its socket (and TLS over it, when the server has a certificate), the bytes
/// received (input pipe), the replies waiting to be sent and the flow control between
/// them, and where it stands with the server's tokens (<see cref="Admission"/>). Three
/// loops run it once it is open: the receiver fills the input, the reader turns it into
/// engine inputs, the sender writes and sends the replies the engine queues through
/// <see cref="ConnectionReplies"/>.
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

    /// <summary>
    /// What a TLS connection is counted as holding beyond its buffers: SslStream's and
    /// OpenSSL's state for the session, which OpenSSL keeps with its record buffers for as
    /// long as the connection lasts (measured: 33 to 35 KiB more than an idle plain connection,
    /// <c>workq-bench hostile --pattern tls-idle</c>, doc/performance.md). SslStream's own
    /// record buffer comes and goes with the bytes in it.
    /// </summary>
    internal const int TlsSessionBytes = 36 * 1024;

    /// <summary>
    /// What a TLS connection is counted as holding besides while a record has come in part:
    /// the buffer SslStream holds it in, rented from the shared pool (a full record of
    /// 16 KiB and its overhead takes the pool's 32 KiB size).
    /// </summary>
    internal const int TlsRecordBytes = 32 * 1024;

    private readonly CancellationTokenSource aborted = new();
    private readonly Socket socket;
    private Transport? transport;
    private WatchedNetworkStream? tlsInput;
    private long lastReceived = Environment.TickCount64;
    private volatile bool awaitingRest;

    public Connection(
        long id, Socket socket, EngineInbox inbox, ConnectionOptions options, ServerAccounting accounting, ConnectionSecurity security,
        ILogger logger)
    {
        Id = id;
        this.socket = socket;
        Security = security;
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
    public ConnectionSecurity Security { get; }
    public EngineInbox Inbox { get; }
    public ConnectionOptions Options { get; }
    public ServerAccounting Accounting { get; }
    public ILogger Logger { get; }
    public Pipe Input { get; }
    public ConnectionMemory InputMemory { get; }
    public ConnectionMemory OutputMemory { get; }
    public ConnectionFlow Flow { get; }
    public ConnectionReplies Replies { get; }

    /// <summary>How the bytes travel; set once the connection is open (after the TLS handshake).</summary>
    public Transport Transport => transport ?? throw new InvalidOperationException("The connection is not open.");

    /// <summary>Reader: where the connection stands with the server's tokens.</summary>
    public Admission Admission { get; set; } = Admission.Unchecked;

    /// <summary>Whether the server checks tokens, so every request passes the connection's gate first (reader).</summary>
    public bool Gated { get; private set; }

    /// <summary>Where a connection with nothing pending receives (see <see cref="SocketReceiver"/>).</summary>
    public byte[] FirstBuffer { get; } = new byte[FirstBufferSize];

    public long HeldBytes =>
        FirstBufferSize + InputMemory.Held + OutputMemory.Held
        + (tlsInput is null ? 0 : TlsSessionBytes + (tlsInput.HoldsRecord ? TlsRecordBytes : 0));

    public long UnsentBytes => Flow.Unsent;

    private void Grown() => Accounting.Held(HeldBytes);

    /// <summary>Cancelled when the connection is torn down without a goodbye.</summary>
    public CancellationToken Aborted => aborted.Token;

    /// <summary>The receive loop, so the sender can wait for the peer's close before closing.</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    public async Task RunAsync()
    {
        if (!await OpenAsync())
            return;
        try
        {
            // Before any request of this connection.
            Inbox.Post(new EngineMessage.Opened(Id, Replies));
            Receiving = SocketReceiver.RunAsync(this);
            Task sending = ReplySender.RunAsync(this);
            Task reading = RequestReader.RunAsync(this);
            await Task.WhenAll(reading, sending, Receiving);
        }
        finally
        {
            await Transport.DisposeAsync();
        }
    }

    /// <summary>
    /// Makes the transport: the socket, or TLS over it once the handshake is done (within
    /// the request timeout: a client that never finishes its handshake is one that never
    /// finishes its request). False when the handshake fails; the socket is then closed.
    /// </summary>
    private async Task<bool> OpenAsync()
    {
        string? certified = null;
        if (Security.Tls is not { Enabled: true } tls)
        {
            transport = new SocketTransport(socket);
        }
        else
        {
            var input = new WatchedNetworkStream(socket, Received);
            var stream = new SslStream(input);
            // Counted from the handshake on: a flood of handshakes holds sessions too.
            tlsInput = input;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
            deadline.CancelAfter(Options.RequestTimeout);
            try
            {
                await stream.AuthenticateAsServerAsync(tls.JobPort, deadline.Token);
            }
            catch (Exception e)
            {
                // Whatever went wrong (a client speaking no TLS, a certificate refused, a
                // timeout, a stop), the connection ends here.
                string reason = e is not OperationCanceledException ? e.Message
                    : Aborted.IsCancellationRequested ? "the server is stopping"
                    : "not done within the request timeout";
                NetworkLog.HandshakeFailed(Logger, Id, reason);
                await stream.DisposeAsync();
                socket.Dispose();
                return false;
            }
            transport = new TlsTransport(socket, stream);
            if (stream.RemoteCertificate is { } certificate)
            {
                certified = ServerTls.NameOf(certificate);
                NetworkLog.Certified(Logger, Id, certified);
            }
        }
        Gated = Security.Tokens.Enabled;
        Admission = AdmissionModule.start(Gated, certified is null ? FSharpOption<string>.None : FSharpOption<string>.Some(certified));
        return true;
    }

    /// <summary>Receiver: bytes arrived.</summary>
    public void Received() => Volatile.Write(ref lastReceived, Environment.TickCount64);

    /// <summary>Reader: it waits for the rest of a request it has begun (true), or for a new one.</summary>
    public void AwaitingRest(bool begun) => awaitingRest = begun;

    /// <summary>
    /// Whether the request the reader waits to finish, or a TLS record begun, has had no new
    /// byte for the request timeout. A connection idle between requests never has.
    /// </summary>
    public bool RequestTimedOut(long now) =>
        (awaitingRest || tlsInput is { AwaitingRecord: true })
        && now - Volatile.Read(ref lastReceived) >= (long)Options.RequestTimeout.TotalMilliseconds;

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
        socket.Dispose();
    }
}
