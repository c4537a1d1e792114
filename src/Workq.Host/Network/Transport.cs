using System.Net.Security;
using System.Net.Sockets;

namespace Workq.Host.Network;

/// <summary>
/// How a connection's bytes travel: the socket itself, or TLS over it. The receiver, the
/// sender and the connection's end use this alone; the plain kind passes every call
/// straight to the socket, so the plain path costs what it cost before there was TLS.
/// </summary>
internal abstract class Transport
{
    protected Transport(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Receives into <paramref name="buffer"/>; 0 at the peer's end of input.</summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>Ends our side's output (TLS: its close_notify first); the peer can still be read.</summary>
    public abstract ValueTask ShutdownSendAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Tears the connection down: any receive or send under way fails. Safe to call at any
    /// time, and more than once.
    /// </summary>
    public void Abort() => Socket.Dispose();

    /// <summary>Frees what the transport holds, once nothing uses it any more.</summary>
    public virtual ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Plain TCP: the socket's own calls.</summary>
internal sealed class SocketTransport(Socket socket) : Transport(socket)
{
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        // A send nearly always goes whole into the kernel's buffer at once: then no state
        // machine is made for the rest.
        ValueTask<int> sending = Socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
        return sending.IsCompletedSuccessfully && sending.Result == bytes.Length
            ? ValueTask.CompletedTask
            : SendRestAsync(sending, bytes, cancellationToken);
    }

    private async ValueTask SendRestAsync(ValueTask<int> sending, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        bytes = bytes[await sending..];
        while (!bytes.IsEmpty)
            bytes = bytes[await Socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
    }

    public override ValueTask ShutdownSendAsync(CancellationToken cancellationToken)
    {
        Socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// TLS over the socket, once the handshake is done. SslStream holds a record's buffer only
/// while it has bytes of that record: a connection waiting for its next request holds none
/// (it waits with a zero-byte read of the socket).
/// </summary>
internal sealed class TlsTransport(Socket socket, SslStream tls) : Transport(socket)
{
    public SslStream Tls => tls;

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        tls.ReadAsync(buffer, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        tls.WriteAsync(bytes, cancellationToken);

    public override async ValueTask ShutdownSendAsync(CancellationToken cancellationToken)
    {
        await tls.ShutdownAsync().WaitAsync(cancellationToken);
        Socket.Shutdown(SocketShutdown.Send);
    }

    public override async ValueTask DisposeAsync()
    {
        await tls.DisposeAsync();
        Socket.Dispose();
    }
}
