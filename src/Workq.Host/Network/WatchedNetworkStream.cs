using System.Net.Sockets;

namespace Workq.Host.Network;

/// <summary>
/// The socket as SslStream reads it, watched for the request timeout and the connection's
/// account: it follows the TLS records in the bytes read (a 5-byte header that gives the
/// length of the body after it) to know whether what has come so far ends inside a record.
/// SslStream holds such a record's bytes in a buffer of its own until the rest comes, so a
/// client that stops in the middle of one holds that buffer (<see cref="HoldsRecord"/>):
/// while the connection waits for the rest (<see cref="AwaitingRecord"/>), it is timed out
/// as an unfinished request is. A client idle between records holds nothing and never is.
/// </summary>
internal sealed class WatchedNetworkStream(Socket socket, Action received) : NetworkStream(socket, ownsSocket: false)
{
    private const int HeaderSize = 5;

    // Read by the timeout's timer and the account; written by the one read at a time.
    private volatile bool midRecord;
    private volatile bool reading;
    // The record under way: header bytes seen (HeaderSize once it is whole), body bytes to come.
    private int headerSeen;
    private int bodyLength;
    private int bodyLeft;

    /// <summary>Whether the bytes read so far end inside a record, which SslStream then holds.</summary>
    public bool HoldsRecord => midRecord;

    /// <summary>Whether a read waits now for the rest of a record begun.</summary>
    public bool AwaitingRecord => midRecord && reading;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        reading = true;
        ValueTask<int> read = base.ReadAsync(buffer, cancellationToken);
        if (!read.IsCompletedSuccessfully)
            return ReadLaterAsync(read, buffer);
        reading = false;
        Follow(buffer.Span[..read.Result]);
        return read;
    }

    private async ValueTask<int> ReadLaterAsync(ValueTask<int> read, Memory<byte> buffer)
    {
        try
        {
            int count = await read;
            Follow(buffer.Span[..count]);
            return count;
        }
        finally
        {
            reading = false;
        }
    }

    /// <summary>Walks the records' headers through bytes just read.</summary>
    private void Follow(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return;
        received();
        while (!bytes.IsEmpty)
        {
            if (headerSeen < HeaderSize)
            {
                // The length is the header's last two bytes, big-endian.
                if (headerSeen == 3)
                    bodyLength = bytes[0] << 8;
                else if (headerSeen == 4)
                    bodyLength |= bytes[0];
                headerSeen++;
                bytes = bytes[1..];
                if (headerSeen == HeaderSize)
                    bodyLeft = bodyLength;
            }
            else
            {
                int taken = Math.Min(bodyLeft, bytes.Length);
                bodyLeft -= taken;
                bytes = bytes[taken..];
            }
            if (headerSeen == HeaderSize && bodyLeft == 0)
                headerSeen = 0;
        }
        midRecord = headerSeen > 0;
    }
}
