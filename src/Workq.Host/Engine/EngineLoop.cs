using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Workq.Domain;
using Workq.Host.CommandLog;
using Workq.Host.Metrics;
using EventLog = Workq.Host.CommandLog.EventLog;

namespace Workq.Host.Engine;

/// <summary>
/// The one loop that owns the <see cref="State"/>: it feeds inputs to the decider in
/// arrival order, hands the batch's logged events to its log (<see cref="ILogSink"/>:
/// the command log, which with sync <c>always</c> forces them to disk, or a cluster's
/// replicated log), and only once the log says they are durable writes the replies. No
/// locks guard domain data because nothing else touches it. After each batch it
/// publishes its state (<see cref="PublishedState"/>); once a batch is answered, its
/// decisions go to the metrics.
/// </summary>
/// <remarks>
/// A server on its own decides from the start. A cluster member decides only while the
/// cluster says so (<see cref="EngineMessage.Attach"/> to <see cref="EngineMessage.Detach"/>);
/// otherwise it closes any client that reaches it and fires no timer.
/// </remarks>
internal sealed class EngineLoop(
    EngineInbox inbox,
    TimeProvider time,
    CommandLogOptions logOptions,
    bool startsDetached,
    Limits limits,
    ServerAccounting accounting,
    PublishedState published,
    LogHealth logHealth,
    EngineMetrics metrics,
    CommandLogMetrics logMetrics,
    ILogger<EngineLoop> logger)
    : BackgroundService
{
    private static readonly Reply InternalError = Reply.NewServerError("Internal error");

    // After a failing Tick or log write, do not retry the same deadline in a hot loop.
    private const long RetryAfterFailureMs = 1000;

    // The longest a timer is armed for at once: a day, well within what ITimer accepts.
    private const long MaxArmMs = 24L * 60 * 60 * 1000;

    private readonly Dictionary<long, IReplyTarget> clients = [];
    private readonly List<BatchItem> batch = [];
    private readonly List<Outbound> batchReplies = [];
    private readonly List<long> batchDisconnects = [];
    private readonly HashSet<IReplyTarget> touched = [];
    // Batches whose replies wait for their log, oldest first.
    private readonly Queue<HeldBatch> held = [];
    // Connections closed while detached (or dropped at a detach), whose inputs are ignored
    // until their Disconnect, which each connection posts last.
    private readonly HashSet<long> dropped = [];
    private readonly List<IReplyTarget> closing = [];
    private EventLog? ownLog;
    // Null while detached: nothing is decided.
    private ILogSink? sink;
    private State state = null!;
    private bool restored;
    private State batchStart = null!;
    // Whether the batch has replies the decider made (rather than the host).
    private bool batchReads;
    private long lastTicket;
    private long lastNow;
    private long notBefore;

    /// <summary>What the restore found: events replayed, jobs, and how long it took; null before it ran.</summary>
    public RestoreSummary? Restored { get; private set; }

    /// <summary>
    /// Builds the state the server starts from: replays the command log, if there is one,
    /// then warms up the request paths (<see cref="Warmup"/>). Runs before the listener
    /// accepts anyone; a log in use, damaged or badly configured throws here, with a
    /// message that says what is wrong. A cluster member starts detached: its state comes
    /// with <see cref="EngineMessage.Attach"/>.
    /// </summary>
    public void Restore()
    {
        if (restored)
            return;
        restored = true;
        long start = Stopwatch.GetTimestamp();
        long now = Now();
        state = StateModule.initial(now);
        if (startsDetached)
        {
            // A cluster member's state is its replicated log's, restored by the cluster.
            Restored = new RestoreSummary(null, 0, 0, Stopwatch.GetElapsedTime(start));
            published.Publish(state);
            return;
        }
        CommandLogSettings? settings = CommandLogSettings.From(logOptions);
        if (settings is null)
        {
            sink = NoLog.Instance;
        }
        else
        {
            ownLog = EventLog.Open(settings, now, logMetrics, logger, out state);
            sink = ownLog;
            // Started on a full disk: not ready until an append succeeds.
            if (ownLog.StartProblem is { } problem)
                logHealth.Failed(problem);
            // Replay leaves a heap grown by its garbage that the collector keeps for a long
            // time (measured: twice the RSS per job of the same jobs added over TCP). One
            // compacting collection before serving gives it back.
            if (state.Jobs.Count > 0)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        Restored = new RestoreSummary(settings, ownLog?.ReplayedEvents ?? 0, state.Jobs.Count, Stopwatch.GetElapsedTime(start));
        published.Publish(state);
        Warmup.Run(now);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Restore();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using ITimer timer = time.CreateTimer(
            static self => ((EngineInbox)self!).Post(EngineMessage.Tick), inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            var reader = inbox.Reader;
            // Stopping closes the inbox, which ends the wait below. The wait itself takes no
            // token: with one, the channel allocates a waiter on every wait (measured: 2.5%
            // of the server's allocations), without one it reuses a single waiter.
            await using var stopping = stoppingToken.Register(static self => ((EngineInbox)self!).Close(), inbox);
            // Timers that ran out while the server was down fire at once.
            Arm(timer);
            while (await reader.WaitToReadAsync())
            {
                batchStart = state;
                while (reader.TryRead(out EngineMessage? message))
                {
                    if (!Handle(message))
                        await HandleControlAsync(message);
                }
                if (closing.Count > 0)
                    await CloseRefusedAsync();
                if (sink is not null)
                {
                    await CommitBatchAsync();
                    sink.CompactIfDue(state, Now());
                }
                Arm(timer);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            inbox.Close();
            // Every client gets what was written for it, then is closed.
            foreach (IReplyTarget client in clients.Values)
                await client.CloseAsync();
            clients.Clear();
            await CloseLogAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A stop that comes before the loop ever ran skips the loop's own clean-up, and the
        // directory lock would stay held for the rest of the process.
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
            await CloseLogAsync();
    }

    private async ValueTask CloseLogAsync()
    {
        if (Interlocked.Exchange(ref ownLog, null) is { } closing)
            await closing.DisposeAsync();
    }

    private long Now()
    {
        // The decider expects time to move forward; a wall clock stepping back must not undo deadlines.
        lastNow = Math.Max(lastNow, time.GetUtcNow().ToUnixTimeMilliseconds());
        return lastNow;
    }

    /// <summary>Handles what arrives with every request; false for the rest (<see cref="HandleControlAsync"/>).</summary>
    private bool Handle(EngineMessage message)
    {
        switch (message)
        {
            case EngineMessage.Decide decide:
                Decide(decide.Input, decide.Posted, decide.Command);
                return true;
            case EngineMessage.Many many:
                // One connection's requests and answers: never a control message.
                foreach (EngineMessage each in many.Messages)
                    Handle(each);
                return true;
            case EngineMessage.Opened opened when sink is null:
                // Nobody is served here now: closed at once, its inputs ignored.
                dropped.Add(opened.Conn);
                closing.Add(opened.Replies);
                return true;
            case EngineMessage.Opened opened:
                clients[opened.Conn] = opened.Replies;
                Decide(Input.NewConnect(opened.Conn), 0, CommandNames.Unknown);
                return true;
            case EngineMessage.Answer answer:
                if (sink is not null && (dropped.Count == 0 || !dropped.Contains(answer.Conn)))
                {
                    var outbound = new Outbound(answer.Conn, answer.Reply);
                    batch.Add(new BatchItem(lastNow, null, outbound, null, 0, answer.Command));
                    batchReplies.Add(outbound);
                }
                return true;
            default:
                return false;
        }
    }

    /// <summary>Messages from a cluster about serving: rare, and they may write to clients.</summary>
    private async ValueTask HandleControlAsync(EngineMessage message)
    {
        switch (message)
        {
            case EngineMessage.Durable durable:
                await ReleaseAsync(durable.Ticket);
                break;
            case EngineMessage.Attach attach:
                Attach(attach);
                break;
            case EngineMessage.Detach detach:
                await DetachAsync(detach.LastDurable);
                break;
        }
    }

    /// <summary>Closes the clients that arrived while nobody was served here.</summary>
    private async ValueTask CloseRefusedAsync()
    {
        foreach (IReplyTarget client in closing)
            await client.CloseAsync();
        closing.Clear();
    }

    private void Decide(Input input, long posted, int command)
    {
        if ((dropped.Count > 0 && IsDropped(input)) || sink is null)
            return;
        long now = Now();
        if (input is Input.Request { Item2: Command.Cluster cluster } request && sink.Administer(request.Item1, cluster.Item))
            return;
        Decision? decision = null;
        try
        {
            // The core draws nothing: the jitter of a retry's back-off is drawn here, as the time is read.
            Jitter jitter = JitterModule.ofDraw((uint)Random.Shared.NextInt64(0, 1L << 32));
            decision = Workq.Domain.Decide.decideWith(limits, jitter, now, input, state);
            state = decision.State;
            AddReplies(decision.Replies);
            sink.Add(decision.Events);
        }
        catch (Exception e)
        {
            // The state stays as it was: the failed input changed nothing.
            EngineLog.DeciderFailed(logger, e, Inputs.Describe(input));
            if (Inputs.Requester(input) is long conn)
                batchReplies.Add(new Outbound(conn, InternalError));
            if (input.IsTick)
                notBefore = now + RetryAfterFailureMs;
        }
        batch.Add(new BatchItem(now, input, default, decision, posted, command));
        if (input is Input.Disconnect disconnect)
            batchDisconnects.Add(disconnect.Item);
    }

    /// <summary>Whether the input comes from a connection closed by a detach; forgets it at its disconnect.</summary>
    private bool IsDropped(Input input) => input switch
    {
        Input.Disconnect d => dropped.Remove(d.Item),
        _ => Inputs.Requester(input) is long conn && dropped.Contains(conn),
    };

    /// <summary>
    /// Hands the batch to the log; if the log cannot be written, the batch is decided again
    /// without its changes. Then answers it, now or once the log says it is durable.
    /// </summary>
    private async ValueTask CommitBatchAsync()
    {
        ILogSink log = sink!;
        BatchKind kind = log.HasPending ? BatchKind.Write
            : batchReads ? BatchKind.Read
            : batchReplies.Count > 0 || batchDisconnects.Count > 0 ? BatchKind.InTurn
            : BatchKind.Quiet;
        bool later = false;
        try
        {
            later = await log.CommitAsync(lastTicket + 1, kind, state);
            if (kind == BatchKind.Write && logHealth.Succeeded())
                EngineLog.LogWritable(logger);
        }
        catch (IOException e)
        {
            EngineLog.LogWriteFailed(logger, e.Message);
            logHealth.Failed(e.Message);
            logMetrics.AppendFailed();
            // The path is for the server's log; clients learn what went wrong, not where.
            DecideWithoutLog(FileSpace.Describe(e));
            notBefore = Now() + RetryAfterFailureMs;
        }
        batchReads = false;
        published.Publish(state);
        accounting.Stored(state.Jobs.Count, state.StoredBytes);
        if (later)
        {
            Hold(++lastTicket, kind);
        }
        else
        {
            Report(batchStart, CollectionsMarshal.AsSpan(batch));
            await SendAsync();
        }
        batch.Clear();
    }

    /// <summary>
    /// An answered batch's decisions, decided on <paramref name="before"/>, go to the
    /// metrics (and, at Debug, to the log).
    /// </summary>
    private void Report(State before, ReadOnlySpan<BatchItem> items)
    {
        long answered = Stopwatch.GetTimestamp();
        bool debug = logger.IsEnabled(LogLevel.Debug);
        foreach (BatchItem item in items)
        {
            if (item.Input is not { } input)
            {
                metrics.Answered(item.Answer.Reply, item.Command);
                continue;
            }
            metrics.Decided(before, input, item.Decision, item.Posted, item.Command, answered);
            if (debug)
                LogDetails(before, input, item.Decision);
            if (item.Decision is { } decision)
                before = decision.State;
        }
    }

    /// <summary>At Debug: bad requests, leases that ran out, jobs that expired.</summary>
    private void LogDetails(State before, Input input, Decision? decision)
    {
        if (input is Input.Reject reject)
            EngineLog.BadRequest(logger, reject.Item1, ClientErrorModule.text(reject.Item2));
        if (decision is null)
            return;
        for (var events = decision.Events; !events.IsEmpty; events = events.Tail)
        {
            JobEvent? e = events.Head switch
            {
                Event.Logged logged => logged.Item,
                Event.Unlogged unlogged => unlogged.Item,
                _ => null,
            };
            switch (e)
            {
                case JobEvent.LeaseTimedOut timedOut when before.FindJob(timedOut.Item1) is { } job:
                    EngineLog.LeaseTimedOut(logger, job.Id.ToString(), job.Name.Value, job.Ttr.Ms);
                    break;
                case JobEvent.AttemptsExhausted exhausted when before.FindJob(exhausted.Item1) is { } job:
                    EngineLog.AttemptsExhausted(logger, job.Id.ToString(), job.Name.Value, job.Ttr.Ms);
                    break;
                case JobEvent.JobExpired expired when before.FindJob(expired.Item1) is { } job:
                    EngineLog.Expired(logger, job.Id.ToString(), job.Name.Value);
                    break;
            }
        }
    }

    /// <summary>
    /// Goes back to the state before the batch and decides its inputs again, as the core
    /// decides when the log cannot be written: changes are refused, the rest goes on.
    /// </summary>
    private void DecideWithoutLog(string reason)
    {
        string refusal = $"Command log write failed: {reason}";
        state = batchStart;
        batchReplies.Clear();
        BatchItem[] decided = [.. batch];
        batch.Clear();
        long now = Now();
        batch.Add(new BatchItem(
            now, Input.Tick, default, Apply(Workq.Domain.Decide.decideWithoutLog(limits, refusal, now, Input.Tick, state)), 0, CommandNames.Unknown));
        foreach (BatchItem item in decided)
        {
            if (item.Input is { } input)
            {
                batch.Add(item with { Decision = Apply(Workq.Domain.Decide.decideWithoutLog(limits, refusal, item.Now, input, state)) });
            }
            else
            {
                batchReplies.Add(item.Answer);
                batch.Add(item);
            }
        }
    }

    private Decision Apply(Decision decision)
    {
        state = decision.State;
        AddReplies(decision.Replies);
        return decision;
    }

    /// <summary>Walks the F# list by hand: AddRange would allocate an enumerator per decision.</summary>
    private void AddReplies(FSharpList<Outbound> replies)
    {
        for (var rest = replies; !rest.IsEmpty; rest = rest.Tail)
        {
            Outbound outbound = rest.Head;
            if (outbound.Reply.IsServerRecord)
                outbound = new Outbound(outbound.To, ReplyModule.withNode(sink!.Node, outbound.Reply));
            batchReplies.Add(outbound);
            batchReads = true;
        }
    }

    /// <summary>Writes the batch's replies, flushes each client once, then closes the disconnected.</summary>
    private async ValueTask SendAsync()
    {
        foreach (Outbound outbound in batchReplies)
            Write(outbound);
        batchReplies.Clear();
        await FlushAsync();
        foreach (long conn in batchDisconnects)
            await CloseAsync(conn);
        batchDisconnects.Clear();
    }

    private void Write(Outbound outbound)
    {
        if (!clients.TryGetValue(outbound.To, out IReplyTarget? client))
            return; // gone: nobody to answer
        client.Write(outbound.Reply is Reply.ServerRecord server ? WithHostKeys(server) : outbound.Reply);
        touched.Add(client);
    }

    private async ValueTask FlushAsync()
    {
        foreach (IReplyTarget client in touched)
            await client.FlushAsync();
        touched.Clear();
    }

    /// <summary>Closes a client after its last reply.</summary>
    private async ValueTask CloseAsync(long conn)
    {
        if (clients.Remove(conn, out IReplyTarget? client))
            await client.CloseAsync();
    }

    /// <summary>Keeps the batch's replies and closes until its log says it is durable.</summary>
    private void Hold(long ticket, BatchKind kind)
    {
        held.Enqueue(new HeldBatch(ticket, kind, [.. batchReplies], [.. batchDisconnects], batchStart, [.. batch]));
        batchReplies.Clear();
        batchDisconnects.Clear();
    }

    /// <summary>Answers the held batches up to <paramref name="durable"/>, in order.</summary>
    private async ValueTask ReleaseAsync(long durable)
    {
        while (held.TryPeek(out HeldBatch? next) && next.Ticket <= durable)
        {
            held.Dequeue();
            Report(next.Before, next.Items);
            foreach (Outbound outbound in next.Replies)
                Write(outbound);
            await FlushAsync();
            foreach (long conn in next.Disconnects)
                await CloseAsync(conn);
        }
    }

    private void Attach(EngineMessage.Attach attach)
    {
        sink = attach.Log;
        state = attach.State;
        // Time never goes back on a new leader: its clock may be behind the one that
        // stamped the last events.
        lastNow = Math.Max(lastNow, attach.NotBefore);
        notBefore = 0;
        batchStart = state;
        published.Publish(state);
        logger.LogInformation("Serving clients from a state of {Jobs} jobs", state.Jobs.Count);
    }

    /// <summary>
    /// Answers what is durable, drops the rest of what is held and of this batch
    /// unanswered (it may never be committed), and closes every client: their clients
    /// reconnect to whoever serves next. A reply that only waited for its turn (the
    /// host's own, such as a membership change's) still goes out, unless an earlier reply
    /// to its connection was dropped: a client gets its replies in order or not at all.
    /// </summary>
    private async ValueTask DetachAsync(long durable)
    {
        // The batch under way (a membership change's answer may have come just before the
        // detach) is held like the others: never durable, its replies go out only if it
        // waited for nothing but its turn.
        if (sink is { } log && (batchReplies.Count > 0 || batchDisconnects.Count > 0))
            Hold(++lastTicket, log.HasPending ? BatchKind.Write : batchReads ? BatchKind.Read : BatchKind.InTurn);
        sink = null;
        batch.Clear();
        batchReplies.Clear();
        batchDisconnects.Clear();
        batchReads = false;
        await ReleaseAsync(durable);
        var unanswered = new HashSet<long>();
        int droppedBatches = 0;
        foreach (HeldBatch next in held)
        {
            bool inTurn = next.Kind == BatchKind.InTurn;
            foreach (Outbound outbound in next.Replies)
            {
                if (inTurn && !unanswered.Contains(outbound.To))
                    Write(outbound);
                else
                    unanswered.Add(outbound.To);
            }
            if (!inTurn)
                droppedBatches++;
        }
        await FlushAsync();
        if (droppedBatches > 0)
            logger.LogWarning("Stopped serving with {Batches} batches not known to be committed: their clients get no answer", droppedBatches);
        held.Clear();
        foreach ((long conn, IReplyTarget client) in clients)
        {
            dropped.Add(conn);
            await client.CloseAsync();
        }
        clients.Clear();
        state = StateModule.initial(Now());
        batchStart = state;
        published.Publish(state);
        logger.LogInformation("Stopped serving clients");
    }

    /// <summary>The core's server record, and after its keys the host's own figures (written when it is sent).</summary>
    private Reply WithHostKeys(Reply.ServerRecord server)
    {
        ServerStats stats = server.Item;
        return Reply.NewServerRecord(new ServerStats(
            stats.ActiveClients, stats.EvictedJobs, stats.Started, stats.Jobs, stats.Queues, stats.FailedJobs,
            stats.StoredBytes, stats.MaxStoredBytes, accounting.HostKeys(), stats.Node));
    }

    private void Arm(ITimer timer)
    {
        var deadline = StateModule.nextDeadline(state);
        if (sink is not null && deadline.IsValueSome)
        {
            long due = Math.Max(deadline.Value, notBefore) - Now();
            // A recurrence may be years away, beyond what a timer can wait for: a tick
            // before it finds nothing due and arms again.
            timer.Change(TimeSpan.FromMilliseconds(Math.Clamp(due, 0, MaxArmMs)), Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>A batch's replies and closes, waiting for its log.</summary>
    /// <remarks><see cref="Before"/> and <see cref="Items"/>: what the batch decided, on which state, for the metrics.</remarks>
    private sealed record HeldBatch(
        long Ticket, BatchKind Kind, Outbound[] Replies, long[] Disconnects, State Before, BatchItem[] Items);
}
