using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Workq.Host.Network;

/// <summary>Copies a connection's output pipe to its socket; closes the socket when the engine completes the output.</summary>
internal static class ReplySender
{
    // How long to wait for the peer to close after our last reply before closing anyway.
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(Connection connection)
    {
        PipeReader reader = connection.Output.Reader;
        CancellationToken aborted = connection.Aborted;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(aborted);
                var buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    ReadOnlyMemory<byte> rest = segment;
                    while (!rest.IsEmpty)
                        rest = rest[await connection.Socket.SendAsync(rest, SocketFlags.None, aborted)..];
                }
                long sent = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (sent > 0)
                    connection.Flow.Sent(sent);
                if (result.IsCompleted)
                    break;
            }
            // Half-close and give the peer a moment to read and close; a reset now could
            // discard the replies still in flight.
            connection.Socket.Shutdown(SocketShutdown.Send);
            await connection.Receiving.WaitAsync(Linger, aborted);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            connection.Logger.LogDebug("Connection {Conn} send ended: {Reason}", connection.Id, e.Message);
        }
        finally
        {
            await reader.CompleteAsync();
            connection.Flow.Close();
            connection.Socket.Dispose();
        }
    }
}
