using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Workq.Client;

/// <summary>
/// One TCP connection to the server (TLS over it, if asked for), used by one request at a
/// time: it sends a request's bytes in one write and reads the reply through its own
/// buffer (lines, words and sized data blocks). Any failure leaves it unusable: the caller
/// then disposes it.
/// </summary>
internal sealed class Connection : IDisposable
{
    /// <summary>The longest reply line accepted; real ones are far shorter.</summary>
    private const int MaxLineLength = 64 * 1024;

    private readonly Socket socket;
    private readonly SslStream? tls;
    private byte[] buffer = new byte[8 * 1024];
    // Received bytes not yet read: buffer[start .. end - 1].
    private int start;
    private int end;

    private Connection(Socket socket, ServerAddress address, SslStream? tls)
    {
        this.socket = socket;
        Address = address;
        this.tls = tls;
    }

    /// <summary>The server it is connected to.</summary>
    public ServerAddress Address { get; }

    /// <summary>
    /// Connects, and does the TLS handshake if <paramref name="tls"/> is given, failing with
    /// <see cref="WorkqConnectionException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<Connection> OpenAsync(
        ServerAddress address, ClientTls? tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? stream = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(address.Host, address.Port), deadline.Token);
            if (tls is not null)
            {
                stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
                await stream.AuthenticateAsClientAsync(tls.Options(address), deadline.Token);
            }
            return new Connection(socket, address, stream);
        }
        catch (Exception e)
        {
            stream?.Dispose();
            socket.Dispose();
            throw e switch
            {
                OperationCanceledException when !cancellationToken.IsCancellationRequested => new WorkqConnectionException(
                    $"Could not connect to the Workq server at {address} within {timeout.TotalSeconds:0.###} s.", requestSent: false),
                SocketException => new WorkqConnectionException(
                    $"Could not connect to the Workq server at {address}: {e.Message}", requestSent: false, e),
                AuthenticationException or IOException => new WorkqConnectionException(
                    $"The TLS handshake with the Workq server at {address} failed: {Describe(e)}", requestSent: false, e),
                _ => e,
            };
        }
    }

    /// <summary>An exception's message with those of its causes (TLS tells the reason in an inner one).</summary>
    private static string Describe(Exception e)
    {
        var text = new StringBuilder(e.Message.TrimEnd('.'));
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
            text.Append(": ").Append(inner.Message.TrimEnd('.'));
        return text.ToString();
    }

    /// <summary>
    /// Whether an idle connection can take a request: nothing left unread, and the server
    /// has not closed it (the server never speaks unasked, so a readable idle socket means
    /// it was closed or reset). The check does not wait.
    /// </summary>
    public bool IsReusable()
    {
        try
        {
            return start == end && socket.Connected && !socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (tls is not null)
        {
            await tls.WriteAsync(bytes, cancellationToken);
            return;
        }
        // One call hands the whole request over; the loop only covers a partial send.
        while (!bytes.IsEmpty)
        {
            int sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads a line that ends in CR LF and returns it without the line end.</summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        int scanned = 0;
        while (true)
        {
            int found = buffer.AsSpan(start + scanned, end - start - scanned).IndexOf((byte)'\n');
            if (found >= 0)
            {
                int newline = start + scanned + found;
                if (newline == start || buffer[newline - 1] != (byte)'\r')
                    throw new InvalidDataException("a reply line ended in LF without CR");
                string line = Encoding.UTF8.GetString(buffer, start, newline - 1 - start);
                start = newline + 1;
                return line;
            }
            scanned = end - start;
            if (scanned > MaxLineLength)
                throw new InvalidDataException($"a reply line longer than {MaxLineLength} bytes");
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Reads a word that ends in a space (the key of an inspect record's line), consuming the space.</summary>
    public async ValueTask<string> ReadWordAsync(CancellationToken cancellationToken)
    {
        int scanned = 0;
        while (true)
        {
            int found = buffer.AsSpan(start + scanned, end - start - scanned).IndexOfAny((byte)' ', (byte)'\n');
            if (found >= 0)
            {
                int stop = start + scanned + found;
                if (buffer[stop] != (byte)' ')
                    throw new InvalidDataException("a record line without a value");
                string word = Encoding.UTF8.GetString(buffer, start, stop - start);
                start = stop + 1;
                return word;
            }
            scanned = end - start;
            if (scanned > MaxLineLength)
                throw new InvalidDataException($"a reply line longer than {MaxLineLength} bytes");
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Reads exactly <paramref name="size"/> bytes of data, then the CR LF that must follow them.</summary>
    public async ValueTask<byte[]> ReadBlockAsync(int size, CancellationToken cancellationToken)
    {
        if (size > Arguments.MaxDataSize)
            throw new InvalidDataException($"a data block of {size} bytes, over the protocol's {Arguments.MaxDataSize}");
        var data = new byte[size];
        int copied = Math.Min(size, end - start);
        buffer.AsSpan(start, copied).CopyTo(data);
        start += copied;
        // The rest goes straight into the result, without passing through the buffer.
        while (copied < size)
        {
            int received = await ReceiveAsync(data.AsMemory(copied), cancellationToken);
            if (received == 0)
                throw Closed();
            copied += received;
        }
        while (end - start < 2)
            await FillAsync(cancellationToken);
        if (buffer[start] != (byte)'\r' || buffer[start + 1] != (byte)'\n')
            throw new InvalidDataException($"{size} bytes of data not followed by CR LF");
        start += 2;
        return data;
    }

    public void Dispose()
    {
        tls?.Dispose();
        socket.Dispose();
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> into, CancellationToken cancellationToken) =>
        tls is null ? socket.ReceiveAsync(into, SocketFlags.None, cancellationToken) : tls.ReadAsync(into, cancellationToken);

    /// <summary>Receives more bytes after those buffered, making room first.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (start == end)
        {
            start = 0;
            end = 0;
        }
        else if (end == buffer.Length)
        {
            int unread = end - start;
            byte[] target = start > 0 ? buffer : new byte[buffer.Length * 2];
            buffer.AsSpan(start, unread).CopyTo(target);
            buffer = target;
            start = 0;
            end = unread;
        }
        int received = await ReceiveAsync(buffer.AsMemory(end), cancellationToken);
        if (received == 0)
            throw Closed();
        end += received;
    }

    private static IOException Closed() => new("the server closed the connection");
}
