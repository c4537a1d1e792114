using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workq.Domain;

namespace Workq.Host;

/// <summary>
/// The one loop that owns the <see cref="State"/>: it feeds inputs to the decider in
/// arrival order and writes the replies. No locks guard domain data because nothing else
/// touches it.
/// </summary>
internal sealed class Engine(EngineInbox inbox, TimeProvider time, ILogger<Engine> logger) : BackgroundService
{
    private static readonly Reply InternalError = Reply.NewServerError("Internal error");

    // After a failing Tick, do not retry the same deadline in a hot loop.
    private const long RetryAfterFailedTickMs = 1000;

    private readonly Dictionary<long, Connection> connections = [];
    private readonly List<Outbound> batchReplies = [];
    private readonly List<long> batchDisconnects = [];
    private readonly HashSet<Connection> touched = [];
    private State state = null!;
    private long lastNow;
    private long notBefore;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lastNow = Now();
        state = StateModule.initial(lastNow);
        using ITimer timer = time.CreateTimer(
            static self => ((EngineInbox)self!).Post(EngineMessage.Tick), inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            var reader = inbox.Reader;
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (reader.TryRead(out EngineMessage? message))
                    Handle(message);

                // The command log step goes here: append the batch's logged events (and sync
                // them, as the policy says) before any reply of the batch leaves.
                await SendBatchAsync();
                Arm(timer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            inbox.Close();
            // Let senders finish what was written and close their sockets.
            foreach (Connection connection in connections.Values)
                await connection.Output.CompleteAsync();
            connections.Clear();
        }
    }

    private long Now()
    {
        // The decider expects time to move forward; a wall clock stepping back must not undo deadlines.
        lastNow = Math.Max(lastNow, time.GetUtcNow().ToUnixTimeMilliseconds());
        return lastNow;
    }

    private void Handle(EngineMessage message)
    {
        switch (message)
        {
            case EngineMessage.Opened opened:
                connections[opened.Connection.Id] = opened.Connection;
                Decide(Input.NewConnect(opened.Connection.Id));
                break;
            case EngineMessage.Decide decide:
                Decide(decide.Input);
                break;
            case EngineMessage.Answer answer:
                batchReplies.Add(new Outbound(answer.Conn, answer.Reply));
                break;
        }
    }

    private void Decide(Input input)
    {
        long now = Now();
        try
        {
            Decision decision = Workq.Domain.Decide.decide(now, input, state);
            state = decision.State;
            batchReplies.AddRange(decision.Replies);
        }
        catch (Exception e)
        {
            // The state stays as it was: the failed input changed nothing.
            logger.LogError(e, "The decider failed on {Input}", Inputs.Describe(input));
            if (Inputs.Requester(input) is long conn)
                batchReplies.Add(new Outbound(conn, InternalError));
            if (input.IsTick)
                notBefore = now + RetryAfterFailedTickMs;
        }
        if (input is Input.Disconnect disconnect)
            batchDisconnects.Add(disconnect.Item);
    }

    private async ValueTask SendBatchAsync()
    {
        foreach (Outbound outbound in batchReplies)
        {
            if (!connections.TryGetValue(outbound.To, out Connection? connection))
                continue; // gone: nobody to answer
            try
            {
                ReplyWriter.write(connection.Output, outbound.Reply);
            }
            catch (Exception e)
            {
                // Part of the reply may be in the buffer: the stream is no longer trustworthy.
                logger.LogError(e, "Writing a {Reply} reply failed; closing connection {Conn}", outbound.Reply.GetType().Name, outbound.To);
                connection.Abort();
            }
            connection.Flow.Answered();
            touched.Add(connection);
        }
        batchReplies.Clear();

        foreach (Connection connection in touched)
        {
            connection.Flow.Queued(connection.Output.UnflushedBytes);
            // Never waits: the output pipe has no pause threshold.
            await connection.Output.FlushAsync();
            connection.Flow.Signal();
        }
        touched.Clear();

        foreach (long conn in batchDisconnects)
        {
            // After its last reply: the sender sends what is left, then closes the socket.
            if (connections.Remove(conn, out Connection? connection))
                await connection.Output.CompleteAsync();
        }
        batchDisconnects.Clear();
    }

    private void Arm(ITimer timer)
    {
        if (StateModule.nextDeadline(state) is { } deadline)
        {
            long due = Math.Max(deadline.Value, notBefore) - Now();
            timer.Change(TimeSpan.FromMilliseconds(Math.Max(0, due)), Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }
}
