using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workq.Bench;

/// <summary>
/// One client connection, driven by its replies: it sends up to <c>depth</c> requests,
/// and each reply it parses may queue the next ones; a batch of replies is answered
/// with one send. Depth 1 is strict request/response. Buffers are plain arrays reused
/// for the whole run, so the steady state allocates nothing.
/// </summary>
public abstract class Connection : IDisposable
{
    static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    readonly Socket socket;
    protected readonly Dialect Dialect;
    readonly int depth;

    byte[] receive = new byte[64 * 1024];
    int receiveStart;
    int receiveEnd;
    byte[] send = new byte[64 * 1024];
    int sendLength;

    // Requests in flight, oldest first: replies come back in this order.
    readonly RequestKind[] kinds;
    readonly long[] sentAt;
    int head;
    int inFlight;
    int unstamped;

    /// <summary>Client-side latency of each request kind, indexed by <see cref="RequestKind"/>.</summary>
    public Histogram[] Latency { get; } = RequestKinds.All.Select(_ => new Histogram()).ToArray();

    protected Connection(Socket socket, Dialect dialect, int depth)
    {
        this.socket = socket;
        Dialect = dialect;
        this.depth = depth;
        kinds = new RequestKind[depth];
        sentAt = new long[depth];
    }

    public static async Task<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancel)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancel);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot connect to {endPoint}: {e.Message}", e);
        }
    }

    protected bool HasRoom => inFlight < depth;

    /// <summary>Queues what the role wants to send while there is room.</summary>
    protected abstract void Refill();

    /// <summary>Handles one reply; <paramref name="buffer"/> holds it from its start.</summary>
    protected abstract void OnReply(RequestKind kind, Reply reply, ReadOnlySpan<byte> buffer);

    /// <summary>
    /// Sends and receives until the role has nothing left in flight. One async method
    /// for the whole loop: its state machine is allocated once, not once per await.
    /// </summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        Refill();
        while (inFlight > 0)
        {
            if (sendLength > 0)
            {
                StampUnsent();
                var sent = 0;
                while (sent < sendLength)
                    sent += await socket.SendAsync(send.AsMemory(sent, sendLength - sent), SocketFlags.None, cancel);
                sendLength = 0;
            }
            MakeRoomToReceive();
            var read = await socket.ReceiveAsync(receive.AsMemory(receiveEnd), SocketFlags.None, cancel);
            if (read == 0) throw new IOException($"the server closed the connection with {inFlight} requests in flight ({GetType().Name}, next {kinds[head]})");
            receiveEnd += read;
            HandleReplies();
            Refill();
        }
    }

    protected void WriteAdd() => Commit(RequestKind.Add, Dialect.WriteAdd(Reserve()));
    protected void WriteLease() => Commit(RequestKind.Lease, Dialect.WriteLease(Reserve()));
    protected void WriteRun() => Commit(RequestKind.Run, Dialect.WriteRun(Reserve()));
    protected void WriteComplete(ReadOnlySpan<byte> id) => Commit(RequestKind.Complete, Dialect.WriteComplete(Reserve(), id));

    Span<byte> Reserve()
    {
        var need = sendLength + Dialect.MaxRequestSize;
        if (need > send.Length) Array.Resize(ref send, Math.Max(need, send.Length * 2));
        return send.AsSpan(sendLength);
    }

    void Commit(RequestKind kind, int length)
    {
        Debug.Assert(inFlight < depth);
        sendLength += length;
        kinds[(head + inFlight) % depth] = kind;
        inFlight++;
        unstamped++;
    }

    /// <summary>Requests are timed from the moment they go to the socket, all of a batch alike.</summary>
    void StampUnsent()
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = inFlight - unstamped; i < inFlight; i++) sentAt[(head + i) % depth] = now;
        unstamped = 0;
    }

    /// <summary>A reply larger than what is left: move it to the front, or grow for it.</summary>
    void MakeRoomToReceive()
    {
        if (receiveEnd < receive.Length) return;
        if (receiveStart > 0)
        {
            Buffer.BlockCopy(receive, receiveStart, receive, 0, receiveEnd - receiveStart);
            receiveEnd -= receiveStart;
            receiveStart = 0;
        }
        else Array.Resize(ref receive, receive.Length * 2);
    }

    void HandleReplies()
    {
        while (inFlight > 0)
        {
            var buffer = receive.AsSpan(receiveStart, receiveEnd - receiveStart);
            var kind = kinds[head];
            var used = Dialect.Parse(kind, buffer, out var reply);
            if (used == 0) break;
            var elapsed = Stopwatch.GetTimestamp() - sentAt[head];
            Latency[(int)kind].Record((long)(elapsed * NanosPerTick));
            head = (head + 1) % depth;
            inFlight--;
            OnReply(kind, reply, buffer);
            receiveStart += used;
        }
        if (receiveStart == receiveEnd) receiveStart = receiveEnd = 0;
    }

    public void Dispose()
    {
        socket.Dispose();
        GC.SuppressFinalize(this);
    }
}
