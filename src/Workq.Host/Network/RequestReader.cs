using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Workq.Domain;
using Workq.Host.Engine;
using Workq.Host.Metrics;

namespace Workq.Host.Network;

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
        var pending = new List<EngineMessage>();
        try
        {
            await ReadRequestsAsync(connection, input, pending);
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
            pending.Add(new EngineMessage.Answer(connection.Id, InternalError));
        }
        finally
        {
            // The engine answers what was posted, then completes the output after it.
            pending.Add(new EngineMessage.Decide(Input.NewDisconnect(connection.Id)));
            Flush(connection, pending);
            await input.CompleteAsync();
        }
    }

    /// <summary>
    /// Requests cut from one read are posted together when the read is used up, so the
    /// engine decides them as one batch and answers them with one flush (a pipelining
    /// client gets one send, not one per request).
    /// </summary>
    private static async Task ReadRequestsAsync(Connection connection, PipeReader input, List<EngineMessage> pending)
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
                    // Waiting is for answers to what was gathered: post it first. The engine
                    // runs on this thread when idle, so the answers often come right away.
                    if (!connection.Flow.MayPostNow())
                        Flush(connection, pending);
                    if (!await connection.Flow.WaitToPostAsync(aborted))
                        return;
                    if (status == FrameStatus.Fatal)
                    {
                        Add(pending, connection, Input.NewReject(connection.Id, error!), mayBlock: false, CommandNames.OfLine(line));
                        return;
                    }
                    AddParsed(pending, connection, line, data);
                }
                Flush(connection, pending);
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

    private static void AddParsed(List<EngineMessage> pending, Connection connection, string line, byte[] data)
    {
        var parsed = Parser.parse(line, data);
        if (parsed.IsOk)
            Add(pending, connection, Input.NewRequest(connection.Id, parsed.ResultValue), CommandModule.mayBlock(parsed.ResultValue));
        else
            Add(pending, connection, Input.NewReject(connection.Id, parsed.ErrorValue), mayBlock: false, CommandNames.OfLine(line));
    }

    /// <summary>Counts the input as posted (for flow control) and gathers it; <paramref name="command"/> names a request that did not parse.</summary>
    private static void Add(List<EngineMessage> pending, Connection connection, Input input, bool mayBlock, int command = CommandNames.Unknown)
    {
        connection.Flow.Posted(mayBlock);
        pending.Add(new EngineMessage.Decide(input) { Command = command });
    }

    private static void Flush(Connection connection, List<EngineMessage> pending)
    {
        switch (pending.Count)
        {
            case 0:
                return;
            case 1:
                connection.Inbox.Post(pending[0]);
                break;
            default:
                connection.Inbox.Post(new EngineMessage.Many(pending.ToArray()));
                break;
        }
        pending.Clear();
    }
}
