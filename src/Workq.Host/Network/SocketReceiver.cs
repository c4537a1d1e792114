using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Workq.Host.Network;

/// <summary>Copies a connection's socket into its input pipe until EOF or an error.</summary>
internal static class SocketReceiver
{
    public static async Task RunAsync(Connection connection)
    {
        var writer = connection.Input.Writer;
        CancellationToken aborted = connection.Aborted;
        try
        {
            while (true)
            {
                int received;
                if (connection.InputMemory.Held == 0)
                {
                    // Between requests the pipe holds no buffer, and the wait for the next
                    // request takes none of its 16 KiB ones: it receives into the
                    // connection's own small buffer, which a request or a batch of small ones
                    // fits, then copies. An idle client (a worker holds its connection for
                    // hours) costs that buffer alone. (A zero-byte receive, then a real one,
                    // would hold nothing, but cost a system call per request: measured, 8%
                    // more server CPU per job.)
                    received = await connection.Socket.ReceiveAsync(connection.FirstBuffer, SocketFlags.None, aborted);
                    if (received == 0)
                        break;
                    writer.Write(connection.FirstBuffer.AsSpan(0, received));
                }
                else
                {
                    // Within a request, into what is left of the last buffer: a request that
                    // trickles in byte by byte fills one buffer before it takes the next,
                    // rather than a fresh one per receive (which cost 16 KiB per byte).
                    received = await connection.Socket.ReceiveAsync(writer.GetMemory(1), SocketFlags.None, aborted);
                    if (received == 0)
                        break;
                    writer.Advance(received);
                }
                connection.Received();
                FlushResult flushed = await writer.FlushAsync(aborted);
                if (flushed.IsCompleted)
                {
                    // The reader stopped (a fatal request): discard until the peer closes, so
                    // closing our side sends FIN rather than a reset that could eat the last reply.
                    await DiscardAsync(connection.Socket, aborted);
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            connection.Logger.LogDebug("Connection {Conn} receive ended: {Reason}", connection.Id, e.Message);
        }
        finally
        {
            await writer.CompleteAsync();
            connection.Flow.InputEnded();
        }
    }

    private static async Task DiscardAsync(Socket socket, CancellationToken aborted)
    {
        byte[] scratch = new byte[1024];
        while (await socket.ReceiveAsync(scratch, SocketFlags.None, aborted) > 0)
        {
        }
    }
}
