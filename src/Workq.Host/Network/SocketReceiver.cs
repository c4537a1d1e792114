using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Workq.Host.Network;

/// <summary>Copies a connection's socket into its input pipe until EOF or an error.</summary>
internal static class SocketReceiver
{
    private const int MinimumBufferSize = Connection.SegmentSize;

    public static async Task RunAsync(Connection connection)
    {
        var writer = connection.Input.Writer;
        CancellationToken aborted = connection.Aborted;
        try
        {
            while (true)
            {
                Memory<byte> memory = writer.GetMemory(MinimumBufferSize);
                int received = await connection.Socket.ReceiveAsync(memory, SocketFlags.None, aborted);
                if (received == 0)
                    break;
                writer.Advance(received);
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
        byte[] scratch = new byte[MinimumBufferSize];
        while (await socket.ReceiveAsync(scratch, SocketFlags.None, aborted) > 0)
        {
        }
    }
}
