using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Workq.Domain;
using Workq.Host.Engine;

namespace Workq.Host.Metrics;

/// <summary>
/// What the engine decided, as metrics: requests answered by command and outcome, and
/// their latency; connections accepted; what happened to jobs, how long they waited in
/// their queue (ready → leased) and ran (leased → finished, retried or timed out). All
/// of it is derived from the decisions of committed batches and the instants their
/// events carry; the core knows nothing of it.
/// </summary>
/// <remarks>
/// Only the engine's thread calls <see cref="Decided"/> and <see cref="Answered"/>. The
/// counts are plain fields written by that one thread and read by the instruments when
/// they are collected, so counting costs an increment and nothing waits on anything.
/// </remarks>
internal sealed class EngineMetrics
{
    private static readonly string[] Outcomes = ["ok", "client-error", "server-error", "timeout", "not-found"];

    private const int Ok = 0, ClientError = 1, ServerError = 2, TimedOut = 3, NotFound = 4;

    private static readonly string[] JobEvents =
        ["added", "awoken", "leased", "completed", "retried", "failed", "timed-out", "expired", "deleted", "touched", "requeued"];

    private const int Added = 0, Awoken = 1, Leased = 2, Completed = 3, Retried = 4, Failed = 5, TimedOutJob = 6, Expired = 7, Deleted = 8,
        Touched = 9, Requeued = 10;

    private static readonly string[] OccurrenceOutcomes = ["added", "skipped"];

    private readonly long[] commands = new long[CommandNames.All.Length * Outcomes.Length];
    private readonly long[] jobEvents = new long[JobEvents.Length];
    private readonly long[] occurrences = new long[OccurrenceOutcomes.Length];
    private long accepted;
    private long refusedForRoom;
    private readonly Limits limits;

    private readonly Histogram<double> commandDuration;
    private readonly Histogram<double> jobWait;
    private readonly Histogram<double> jobRun;

    // The blocked requests (lease, run, result that wait), by connection: answered later,
    // in another decision. A connection has at most one, as it posts nothing more meanwhile.
    private readonly Dictionary<long, Pending> waiting = [];

    // When jobs went back to their queue after a lease (retried, timed out): their wait
    // starts there, which the job itself does not record. Removed when leased or gone.
    private readonly Dictionary<JobId, long> requeuedAt = [];

    // When the leased jobs were leased, from the events, and their queue's name, from the
    // lease's reply: a run ends at the next event of its job, which is then counted for
    // its queue. As many as leases held; removed when the lease ends or the job goes.
    private readonly Dictionary<JobId, Lease> leases = [];

    private readonly record struct Pending(int Command, long Posted);

    private record struct Lease(long At, string? Name);

    private readonly QueueTallies tallies;

    public EngineMetrics(ServerMeter serverMeter, Limits limits, QueueTallies tallies)
    {
        this.limits = limits;
        this.tallies = tallies;
        Meter meter = serverMeter.Meter;
        meter.CreateObservableCounter("workq.commands", ObserveCommands, "{command}",
            "Requests answered, by command and outcome (a request whose client leaves before its answer is not counted)");
        commandDuration = meter.CreateHistogram<double>("workq.command.duration", "s",
            "From a request's arrival to its answer (after the command log write); a blocking command's wait included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Command });
        meter.CreateObservableCounter("workq.job.events", ObserveJobEvents, "{event}",
            "What happened to jobs: added, awoken (a scheduled job's time came, or its wait for a retry ended), leased, completed, retried, failed, timed-out (a lease ran out), expired (the TTL ran out), deleted, touched (a lease extended), requeued (a failed job put back)");
        jobWait = meter.CreateHistogram<double>("workq.job.wait.duration", "s",
            "How long a job was ready in its queue before a worker leased it",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Job });
        jobRun = meter.CreateHistogram<double>("workq.job.run.duration", "s",
            "How long a lease lasted, by how it ended: completed, failed, retried or timed-out",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets.Job });
        meter.CreateObservableCounter("workq.recurring.occurrences", ObserveOccurrences, "{occurrence}",
            "Occurrences of recurring definitions, by outcome: added (a job was added), skipped (-overlap=skip and the last one's job unfinished)");
        meter.CreateObservableCounter("workq.connections.accepted", () => Volatile.Read(ref accepted), "{connection}",
            "Connections accepted on the job port");
    }

    /// <summary>
    /// New jobs (add, schedule, run) and recurring definitions (recur) refused because
    /// their payload would take the stored bytes past <c>-max-stored-bytes</c>; read by
    /// <see cref="LimitMetrics"/>.
    /// </summary>
    public long RefusedForRoom => Volatile.Read(ref refusedForRoom);

    /// <summary>
    /// One decision of a committed batch: <paramref name="before"/> is the state it was
    /// decided on; <paramref name="decision"/> is null if the decider failed on the input
    /// (its requester got a server error). <paramref name="posted"/> is when the request
    /// arrived and <paramref name="answered"/> when the batch's replies are written
    /// (<see cref="Stopwatch"/> timestamps); <paramref name="command"/> names a request
    /// that did not parse.
    /// </summary>
    public void Decided(State before, Input input, Decision? decision, long posted, int command, long answered)
    {
        long requester = -1;
        Command? request = null;
        switch (input)
        {
            case Input.Request r:
                requester = r.Item1;
                request = r.Item2;
                command = CommandNames.Of(request);
                break;
            case Input.Reject reject:
                requester = reject.Item1;
                break;
            case Input.Connect:
                Volatile.Write(ref accepted, accepted + 1);
                break;
            case Input.Disconnect disconnect:
                waiting.Remove(disconnect.Item);
                break;
        }
        if (decision is null)
        {
            if (requester >= 0)
                Count(command, ServerError, posted, answered);
            return;
        }
        // The events first: a lease answered below may end a wait that began in this decision.
        if (!decision.Events.IsEmpty)
            JobsChanged(before, decision);
        bool requesterAnswered = false;
        for (var replies = decision.Replies; !replies.IsEmpty; replies = replies.Tail)
        {
            Outbound outbound = replies.Head;
            if (outbound.Reply is Reply.LeaseOf lease)
                WaitEnded(lease.Item);
            else if (outbound.Reply is Reply.LeaseCountedOf counted)
                WaitEnded(counted.Item);
            if (outbound.To == requester && !requesterAnswered)
            {
                requesterAnswered = true;
                int outcome = OutcomeOf(outbound.Reply);
                Count(command, outcome, posted, answered);
                // A refused new job changes nothing, so the decision's state is the one the
                // limit was checked against (a job refused because the log cannot be
                // written fits under the limit, and is not counted).
                if (outcome == ServerError && request is not null && LimitsModule.refuses(limits, decision.State.StoredBytes, request))
                    Volatile.Write(ref refusedForRoom, refusedForRoom + 1);
            }
            else if (waiting.Remove(outbound.To, out Pending pending))
            {
                Count(pending.Command, OutcomeOf(outbound.Reply), pending.Posted, answered);
            }
        }
        if (requester >= 0 && !requesterAnswered)
            waiting[requester] = new Pending(command, posted);
    }

    /// <summary>A reply the host made itself: to a request it could not read, or a connection's to a token.</summary>
    public void Answered(Reply reply, int command) => Increment(command, OutcomeOf(reply));

    private void Count(int command, int outcome, long posted, long answered)
    {
        Increment(command, outcome);
        if (commandDuration.Enabled)
        {
            commandDuration.Record(
                Stopwatch.GetElapsedTime(posted, answered).TotalSeconds,
                new KeyValuePair<string, object?>(Attributes.Operation, CommandNames.All[command]),
                new KeyValuePair<string, object?>(Attributes.Outcome, Outcomes[outcome]));
        }
    }

    private void Increment(int command, int outcome)
    {
        ref long cell = ref commands[command * Outcomes.Length + outcome];
        Volatile.Write(ref cell, cell + 1);
    }

    private static int OutcomeOf(Reply reply) => reply.Tag switch
    {
        Reply.Tags.ClientError => ClientError,
        Reply.Tags.ServerError => ServerError,
        Reply.Tags.Timeout => TimedOut,
        Reply.Tags.NotFound => NotFound,
        _ => Ok,
    };

    private void JobsChanged(State before, Decision decision)
    {
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
                case null:
                    break;
                case JobEvent.JobDeleted runEnded when events.Head.IsUnlogged:
                    // A run job's end (or a deletion of one): no delete to count.
                    Forget(runEnded.Item1);
                    break;
                case JobEvent.JobAdded added:
                    Bump(Added);
                    tallies.Added(added.Item.Name.Value);
                    break;
                case JobEvent.JobAddedWithBackoff added:
                    Bump(Added);
                    tallies.Added(added.Item1.Name.Value);
                    break;
                case JobEvent.JobAwoke:
                    Bump(Awoken);
                    break;
                case JobEvent.JobLeased leased:
                    Bump(Leased);
                    leases[leased.Item1] = new Lease(leased.at, null);
                    break;
                case JobEvent.JobCompleted completed:
                    Bump(Completed);
                    tallies.Completed(LeaseEnded(before, completed.Item1, completed.at, Completed));
                    break;
                case JobEvent.JobRetried retried:
                    Bump(Retried);
                    LeaseEnded(before, retried.Item1, retried.at, Retried);
                    requeuedAt[retried.Item1] = retried.at;
                    break;
                case JobEvent.JobRetryScheduled delayed:
                    Bump(Retried);
                    LeaseEnded(before, delayed.Item1, delayed.at, Retried);
                    // Its wait in the queue starts when its wait for the retry ends.
                    requeuedAt[delayed.Item1] = delayed.retryAt;
                    break;
                case JobEvent.LeaseExtended:
                    Bump(Touched);
                    break;
                case JobEvent.JobRequeued requeued:
                    Bump(Requeued);
                    requeuedAt[requeued.Item1] = requeued.at;
                    break;
                case JobEvent.RecurrenceFired fired:
                    Bump(occurrences, fired.job is null ? 1 : 0);
                    break;
                case JobEvent.LeaseTimedOut timedOut:
                    Bump(TimedOutJob);
                    LeaseEnded(before, timedOut.Item1, timedOut.at, TimedOutJob);
                    requeuedAt[timedOut.Item1] = timedOut.at;
                    break;
                case JobEvent.JobFailed failed:
                    Bump(Failed);
                    tallies.Failed(LeaseEnded(before, failed.Item1, failed.at, Failed));
                    break;
                case JobEvent.AttemptsExhausted exhausted:
                    // The last lease ran out: a timeout, and the job's failure.
                    Bump(TimedOutJob);
                    Bump(Failed);
                    tallies.Failed(LeaseEnded(before, exhausted.Item1, exhausted.at, TimedOutJob));
                    break;
                case JobEvent.JobExpired expired:
                    Bump(Expired);
                    Forget(expired.Item1);
                    break;
                case JobEvent.JobDeleted deleted:
                    Bump(Deleted);
                    Forget(deleted.Item1);
                    break;
            }
        }
    }

    private void Bump(int jobEvent) => Bump(jobEvents, jobEvent);

    /// <summary>Jobs added, completed and failed since the start, over every queue.</summary>
    public (long Added, long Completed, long Failed) JobTotals() =>
        (Volatile.Read(ref jobEvents[Added]), Volatile.Read(ref jobEvents[Completed]), Volatile.Read(ref jobEvents[Failed]));

    private static void Bump(long[] counts, int index) => Volatile.Write(ref counts[index], counts[index] + 1);

    /// <summary>A job gone: nothing more to time for it.</summary>
    private void Forget(JobId id)
    {
        requeuedAt.Remove(id);
        leases.Remove(id);
    }

    /// <summary>A job was leased (as the lease's reply shows it): its wait in the queue ends.</summary>
    private void WaitEnded(Job job)
    {
        if (job.Status is not Status.Leased lease)
            return;
        ref Lease held = ref CollectionsMarshal.GetValueRefOrNullRef(leases, job.Id);
        if (!Unsafe.IsNullRef(ref held))
            held.Name = job.Name.Value;
        long at = lease.until - job.Ttr.Ms;
        long readyAt;
        if (requeuedAt.Remove(job.Id, out long requeued))
            readyAt = requeued;
        else if (job.Attempts == 1 && job.Fails == 0)
            readyAt = Math.Max(job.Created, JobModule.readySince(job)); // ready since it arrived, or since its scheduled time
        else
            return; // requeued before the server started: when is not known
        if (jobWait.Enabled)
            jobWait.Record((at - readyAt) / 1000.0);
    }

    /// <summary>
    /// A lease ended at <paramref name="at"/>: how long it ran, by how it ended; the name of
    /// the job's queue (null for a job <paramref name="before"/> does not hold).
    /// </summary>
    private string? LeaseEnded(State before, JobId id, long at, int how)
    {
        bool known = leases.Remove(id, out Lease lease);
        if (!known || lease.Name is null)
        {
            // Leased before the server started, or its lease's reply not seen here: the job tells.
            if (before.FindJob(id) is not { } job)
                return null;
            if (known)
                lease.Name = job.Name.Value;
            else if (job.Status is Status.Leased leased)
                lease = new Lease(leased.until - job.Ttr.Ms, job.Name.Value);
            else
                return job.Name.Value;
        }
        if (jobRun.Enabled)
            jobRun.Record((at - lease.At) / 1000.0, new KeyValuePair<string, object?>(Attributes.JobEvent, JobEvents[how]));
        return lease.Name;
    }

    private IEnumerable<Measurement<long>> ObserveCommands()
    {
        for (int c = 0; c < CommandNames.All.Length; c++)
        {
            for (int o = 0; o < Outcomes.Length; o++)
            {
                long count = Volatile.Read(ref commands[c * Outcomes.Length + o]);
                if (count > 0)
                {
                    yield return new Measurement<long>(count,
                        new KeyValuePair<string, object?>(Attributes.Operation, CommandNames.All[c]),
                        new KeyValuePair<string, object?>(Attributes.Outcome, Outcomes[o]));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveJobEvents()
    {
        for (int e = 0; e < JobEvents.Length; e++)
            yield return new Measurement<long>(Volatile.Read(ref jobEvents[e]), new KeyValuePair<string, object?>(Attributes.JobEvent, JobEvents[e]));
    }

    private IEnumerable<Measurement<long>> ObserveOccurrences()
    {
        for (int o = 0; o < OccurrenceOutcomes.Length; o++)
            yield return new Measurement<long>(Volatile.Read(ref occurrences[o]), new KeyValuePair<string, object?>(Attributes.Outcome, OccurrenceOutcomes[o]));
    }
}
