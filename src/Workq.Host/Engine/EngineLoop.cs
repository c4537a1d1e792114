using System.Diagnostics;
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
/// arrival order, appends the batch's logged events to the command log (and with sync
/// <c>always</c> forces them to disk), and only then writes the replies. No locks guard domain data because nothing else touches it.
/// After each batch it publishes its state (<see cref="PublishedState"/>) and hands the
/// batch's decisions to the metrics.
/// </summary>
internal sealed class EngineLoop(
    EngineInbox inbox,
    TimeProvider time,
    CommandLogOptions logOptions,
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

    private readonly Dictionary<long, IReplyTarget> clients = [];
    private readonly List<BatchItem> batch = [];
    private readonly List<Outbound> batchReplies = [];
    private readonly List<long> batchDisconnects = [];
    private readonly HashSet<IReplyTarget> touched = [];
    private EventLog? log;
    private State state = null!;
    private bool restored;
    private State batchStart = null!;
    private long lastNow;
    private long notBefore;

    /// <summary>What the restore found: events replayed, jobs, and how long it took; null before it ran.</summary>
    public RestoreSummary? Restored { get; private set; }

    /// <summary>
    /// Builds the state the server starts from: replays the command log, if there is one,
    /// then warms up the request paths (<see cref="Warmup"/>). Runs before the listener
    /// accepts anyone; a log in use, damaged or badly configured
    /// throws here, with a message that says what is wrong.
    /// </summary>
    public void Restore()
    {
        if (restored)
            return;
        restored = true;
        long start = Stopwatch.GetTimestamp();
        long now = Now();
        CommandLogSettings? settings = CommandLogSettings.From(logOptions);
        if (settings is null)
            state = StateModule.initial(now);
        else
        {
            log = EventLog.Open(settings, now, logMetrics, logger, out state);
            // Replay leaves a heap grown by its garbage that the collector keeps for a long
            // time (measured: twice the RSS per job of the same jobs added over TCP). One
            // compacting collection before serving gives it back.
            if (state.Jobs.Count > 0)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        Restored = new RestoreSummary(settings, log?.ReplayedEvents ?? 0, state.Jobs.Count, Stopwatch.GetElapsedTime(start));
        metrics.Restored(state);
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
                    Handle(message);
                await CommitBatchAsync();
                Committed();
                await SendAsync();
                log?.CompactIfDue(state, Now());
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
        if (Interlocked.Exchange(ref log, null) is { } closing)
            await closing.DisposeAsync();
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
                clients[opened.Conn] = opened.Replies;
                Decide(Input.NewConnect(opened.Conn), 0, CommandNames.Unknown);
                break;
            case EngineMessage.Decide decide:
                Decide(decide.Input, decide.Posted, decide.Command);
                break;
            case EngineMessage.Many many:
                foreach (EngineMessage each in many.Messages)
                    Handle(each);
                break;
            case EngineMessage.Answer answer:
                var outbound = new Outbound(answer.Conn, answer.Reply);
                batch.Add(new BatchItem(lastNow, null, outbound, null, 0, CommandNames.Unknown));
                batchReplies.Add(outbound);
                break;
        }
    }

    private void Decide(Input input, long posted, int command)
    {
        long now = Now();
        Decision? decision = null;
        try
        {
            decision = Workq.Domain.Decide.decide(now, input, state);
            state = decision.State;
            AddReplies(decision.Replies);
            log?.Add(decision.Events);
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

    /// <summary>Appends the batch's logged events; if that fails, the batch is decided again without them.</summary>
    private async ValueTask CommitBatchAsync()
    {
        if (log is not { HasPending: true })
            return;
        try
        {
            await log.CommitAsync();
            if (logHealth.Succeeded())
                EngineLog.LogWritable(logger);
        }
        catch (IOException e)
        {
            EngineLog.LogWriteFailed(logger, e.Message);
            logHealth.Failed(e.Message);
            logMetrics.AppendFailed();
            DecideWithoutLog(e.Message);
            notBefore = Now() + RetryAfterFailureMs;
        }
    }

    /// <summary>
    /// The batch is final: its decisions go to the metrics (and, at Debug, to the log), and
    /// its state is published.
    /// </summary>
    private void Committed()
    {
        long answered = Stopwatch.GetTimestamp();
        bool debug = logger.IsEnabled(LogLevel.Debug);
        State before = batchStart;
        foreach (BatchItem item in batch)
        {
            if (item.Input is not { } input)
            {
                metrics.Answered(item.Answer.Reply);
                continue;
            }
            metrics.Decided(before, input, item.Decision, item.Posted, item.Command, answered);
            if (debug)
                LogDetails(before, input, item.Decision);
            if (item.Decision is { } decision)
                before = decision.State;
        }
        batch.Clear();
        published.Publish(state);
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
        batch.Add(new BatchItem(now, Input.Tick, default, Apply(Workq.Domain.Decide.decideWithoutLog(refusal, now, Input.Tick, state)), 0, CommandNames.Unknown));
        foreach (BatchItem item in decided)
        {
            if (item.Input is { } input)
            {
                batch.Add(item with { Decision = Apply(Workq.Domain.Decide.decideWithoutLog(refusal, item.Now, input, state)) });
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
            batchReplies.Add(rest.Head);
    }

    /// <summary>Writes the batch's replies, flushes each client once, then closes the disconnected.</summary>
    private async ValueTask SendAsync()
    {
        foreach (Outbound outbound in batchReplies)
        {
            if (!clients.TryGetValue(outbound.To, out IReplyTarget? client))
                continue; // gone: nobody to answer
            client.Write(outbound.Reply);
            touched.Add(client);
        }
        batchReplies.Clear();

        foreach (IReplyTarget client in touched)
            await client.FlushAsync();
        touched.Clear();

        foreach (long conn in batchDisconnects)
        {
            // After its last reply.
            if (clients.Remove(conn, out IReplyTarget? client))
                await client.CloseAsync();
        }
        batchDisconnects.Clear();
    }

    private void Arm(ITimer timer)
    {
        var deadline = StateModule.nextDeadline(state);
        if (deadline.IsValueSome)
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
