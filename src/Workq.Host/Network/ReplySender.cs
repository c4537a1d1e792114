using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Workq.Domain;

namespace Workq.Host.Network;

/// <summary>
/// Turns a connection's queued replies into bytes and sends them, in order; closes the
/// socket once the engine has closed the connection and everything is sent. The bytes
/// written and not yet sent stay within <see cref="SendAt"/> plus one record, however
/// large the replies: a page of records (jobs, failed jobs, recurring definitions) is
/// written a record at a time, each send waiting for the socket to take the last.
/// </summary>
internal static class ReplySender
{
    // How long to wait for the peer to close after our last reply before closing anyway.
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    /// <summary>Bytes gathered before a send while replies are still queued: a pipelining client gets few large sends.</summary>
    private const int SendAt = 64 * 1024;

    public static async Task RunAsync(Connection connection)
    {
        ConnectionReplies replies = connection.Replies;
        CancellationToken aborted = connection.Aborted;
        using var buffer = new SendBuffer(connection.OutputMemory);
        try
        {
            while (true)
            {
                aborted.ThrowIfCancellationRequested();
                if (replies.TryTake(out QueuedReply next))
                {
                    await WriteAsync(connection, buffer, next.Reply, aborted);
                    connection.Flow.Written(next.Bytes);
                    if (buffer.Length >= SendAt)
                        await SendAsync(connection, buffer, aborted);
                }
                else if (buffer.Length > 0)
                {
                    // The batch is written: one send for all of it.
                    await SendAsync(connection, buffer, aborted);
                }
                else if (replies.Finished)
                {
                    break;
                }
                else
                {
                    await replies.WaitAsync();
                }
            }
            // Half-close and give the peer a moment to read and close; a reset now could
            // discard the replies still in flight.
            await connection.Transport.ShutdownSendAsync(aborted);
            await connection.Receiving.WaitAsync(Linger, aborted);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            connection.Logger.LogDebug("Connection {Conn} send ended: {Reason}", connection.Id, e.Message);
        }
        catch (Exception e)
        {
            // A reply that cannot be written leaves the stream untrustworthy: close it.
            connection.Logger.LogError(e, "Writing a reply failed; closing connection {Conn}", connection.Id);
        }
        finally
        {
            connection.Flow.Close();
            connection.Transport.Abort();
        }
    }

    /// <summary>Writes one reply; a page of records a record at a time, sending whenever enough is gathered.</summary>
    private static async ValueTask WriteAsync(Connection connection, SendBuffer buffer, Reply reply, CancellationToken aborted)
    {
        long before = buffer.Length;
        var paged = ReplyWriter.paged(reply);
        if (paged.IsNone)
        {
            ReplyWriter.write(buffer, reply);
            connection.Flow.Buffered(buffer.Length - before);
            return;
        }
        (int count, FSharpList<FSharpFunc<IBufferWriter<byte>, Unit>> records) = paged.Value;
        ReplyWriter.writeRecordCount(buffer, count);
        connection.Flow.Buffered(buffer.Length - before);
        for (var rest = records; !rest.IsEmpty; rest = rest.Tail)
        {
            before = buffer.Length;
            rest.Head.Invoke(buffer);
            connection.Flow.Buffered(buffer.Length - before);
            if (buffer.Length >= SendAt)
                await SendAsync(connection, buffer, aborted);
        }
    }

    private static async ValueTask SendAsync(Connection connection, SendBuffer buffer, CancellationToken aborted)
    {
        long sent = await buffer.SendAsync(connection.Transport, aborted);
        connection.Flow.Sent(sent);
    }
}
