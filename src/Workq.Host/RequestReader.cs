using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Workq.Domain;

namespace Workq.Host;

/// <summary>
/// Turns a connection's received bytes into engine inputs, in order, as fast as its
/// <see cref="ConnectionFlow"/> allows; posts <c>Disconnect</c> exactly once at the end.
/// </summary>
internal static class RequestReader
{
    private static readonly Reply InternalError = Reply.NewServerError("Internal error");

    public static async Task RunAsync(Connection connection)
    {
        PipeReader input = connection.Input.Reader;
        try
        {
            await ReadRequestsAsync(connection, input);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            connection.Logger.LogDebug("Connection {Conn} read ended: {Reason}", connection.Id, e.Message);
        }
        catch (Exception e)
        {
            // Framing or parsing threw (they should be total): answer in turn, then close.
            connection.Logger.LogError(e, "Connection {Conn}: reading requests failed", connection.Id);
            connection.Flow.Posted(mayBlock: false);
            connection.Inbox.Post(new EngineMessage.Answer(connection.Id, InternalError));
        }
        finally
        {
            // The engine answers what was posted, then completes the output after it.
            connection.Inbox.Post(new EngineMessage.Decide(Input.NewDisconnect(connection.Id)));
            await input.CompleteAsync();
        }
    }

    private static async Task ReadRequestsAsync(Connection connection, PipeReader input)
    {
        CancellationToken aborted = connection.Aborted;
        while (true)
        {
            ReadResult result = await input.ReadAsync(aborted);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (true)
                {
                    FrameStatus status = RequestFramer.TryRead(ref buffer, out string line, out byte[] data, out ClientError? error);
                    if (status == FrameStatus.Incomplete)
                        break;
                    if (!await connection.Flow.WaitToPostAsync(aborted))
                        return;
                    if (status == FrameStatus.Fatal)
                    {
                        Post(connection, Input.NewReject(connection.Id, error!), mayBlock: false);
                        return;
                    }
                    PostParsed(connection, line, data);
                }
                if (result.IsCompleted)
                    return; // EOF; a partial request is dropped
            }
            finally
            {
                // Consumed up to the last whole request; examined all, so wait for more bytes.
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private static void PostParsed(Connection connection, string line, byte[] data)
    {
        var parsed = Parser.parse(line, data);
        if (parsed.IsOk)
            Post(connection, Input.NewRequest(connection.Id, parsed.ResultValue), CommandModule.mayBlock(parsed.ResultValue));
        else
            Post(connection, Input.NewReject(connection.Id, parsed.ErrorValue), mayBlock: false);
    }

    private static void Post(Connection connection, Input input, bool mayBlock)
    {
        connection.Flow.Posted(mayBlock);
        connection.Inbox.Post(new EngineMessage.Decide(input));
    }
}
