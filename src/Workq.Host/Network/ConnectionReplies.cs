using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Host.Engine;

namespace Workq.Host.Network;

/// <summary>
/// A TCP connection as the engine sees it: replies go into the output pipe, which
/// <see cref="ReplySender"/> drains to the socket, and each is counted against the
/// connection's <see cref="ConnectionFlow"/> as the answer to one request.
/// </summary>
internal sealed class ConnectionReplies(Connection connection) : IReplyTarget
{
    private readonly PipeWriter output = connection.Output.Writer;

    public void Write(Reply reply)
    {
        try
        {
            ReplyWriter.write(output, reply);
        }
        catch (Exception e)
        {
            // Part of the reply may be in the buffer: the stream is no longer trustworthy.
            connection.Logger.LogError(e, "Writing a {Reply} reply failed; closing connection {Conn}", reply.GetType().Name, connection.Id);
            connection.Abort();
        }
        connection.Flow.Answered();
    }

    public async ValueTask FlushAsync()
    {
        connection.Flow.Queued(output.UnflushedBytes);
        // Never waits: the output pipe has no pause threshold.
        await output.FlushAsync();
        connection.Flow.Signal();
    }

    /// <summary>The sender sends what is left, then closes the socket.</summary>
    public ValueTask CloseAsync() => output.CompleteAsync();
}
