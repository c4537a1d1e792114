using Microsoft.FSharp.Core;
using Workq.Domain;
using Workq.Domain.Collections;
using Workq.Host.Engine;

namespace Workq.Host.Http.Dashboard;

/// <summary>Jobs by where they are in their life, over all queues.</summary>
internal readonly record struct JobCounts(int Ready, int Scheduled, int Leased, int Failed, int Completed, int Total);

/// <summary>One row of the queues table.</summary>
internal sealed record QueueRow(
    string Name, int Ready, int Scheduled, int Leased, int Failed, int Workers, long? OldestReadyMs, bool OldestExact,
    ActivityHistory.Rate Rate);

/// <summary>The lists of a queue's jobs the dashboard pages through.</summary>
internal enum JobList
{
    Ready,
    Scheduled,
    Leased,
    Failed,
}

/// <summary>A page of one of a queue's lists, and how many the list holds.</summary>
internal sealed record JobListPage(JobList List, int Offset, int Total, IReadOnlyList<Job> Jobs);

/// <summary>Everything shown of one job.</summary>
internal sealed record JobView(Job Job, string State, long? FailedAt, long? ExpiresAt, long Backoff);

/// <summary>
/// The dashboard's questions to a state, each answered from the state's indexes: counts
/// from the queues and the failed jobs' index, pages by seeking in the ordered trees. Only
/// the leased list walks anything, the leases (the state keeps no per-queue list of them;
/// there are as many as jobs being worked on).
/// </summary>
internal static class StateViews
{
    /// <summary>How many of a queue's distinct priorities are sought for its oldest ready job.</summary>
    public const int OldestReadyPriorities = 64;

    public const int MaxPage = 100;

    public static JobCounts Count(State state)
    {
        int ready = 0, scheduled = 0, leased = 0;
        foreach (var (_, q) in state.Queues)
        {
            ready += q.Ready.Count;
            scheduled += q.Scheduled.Count;
            leased += q.Leased;
        }
        int failed = FailedJobsModule.total(state.Failed);
        int total = state.Jobs.Count;
        return new JobCounts(ready, scheduled, leased, failed, Math.Max(0, total - ready - scheduled - leased - failed), total);
    }

    /// <summary>
    /// Every queue, and every name with failed jobs but no queue, in byte order of name,
    /// those whose name contains <paramref name="filter"/>, at most <paramref name="limit"/>;
    /// and how many matched.
    /// </summary>
    public static (IReadOnlyList<QueueRow> Rows, int Matched) Queues(State state, ActivityHistory activity, long now, string? filter, int limit)
    {
        var rows = new List<QueueRow>();
        int matched = 0;
        using var failedNames = FailedJobsModule.counts(state.Failed).GetEnumerator();
        bool moreFailed = failedNames.MoveNext();
        foreach (var (name, q) in state.Queues)
        {
            // Names with failed jobs only, which sort before this queue's.
            while (moreFailed && string.CompareOrdinal(failedNames.Current.Item1.Value, name.Value) < 0)
            {
                AddFailedOnly(failedNames.Current.Item1.Value, failedNames.Current.Item2);
                moreFailed = failedNames.MoveNext();
            }
            if (moreFailed && failedNames.Current.Item1.Value == name.Value)
                moreFailed = failedNames.MoveNext();
            if (!Matches(name.Value))
                continue;
            matched++;
            if (rows.Count < limit)
                rows.Add(RowOf(q, state, activity, now));
        }
        while (moreFailed)
        {
            AddFailedOnly(failedNames.Current.Item1.Value, failedNames.Current.Item2);
            moreFailed = failedNames.MoveNext();
        }
        return (rows, matched);

        bool Matches(string name) => string.IsNullOrEmpty(filter) || name.Contains(filter, StringComparison.OrdinalIgnoreCase);

        void AddFailedOnly(string name, int failed)
        {
            if (!Matches(name))
                return;
            matched++;
            if (rows.Count < limit)
                rows.Add(new QueueRow(name, 0, 0, 0, failed, 0, null, true, activity.RateOf(name)));
        }
    }

    /// <summary>One queue's row; null for a name with neither a queue nor failed jobs.</summary>
    public static QueueRow? Queue(State state, ActivityHistory activity, long now, JobName name)
    {
        if (state.Queues.TryGetValue(name, out Queue? q))
            return RowOf(q, state, activity, now);
        int failed = FailedJobsModule.count(name, state.Failed);
        return failed > 0 ? new QueueRow(name.Value, 0, 0, 0, failed, 0, null, true, activity.RateOf(name.Value)) : null;
    }

    /// <summary>The row of a name with nothing in it.</summary>
    public static QueueRow Empty(JobName name, ActivityHistory activity) =>
        new(name.Value, 0, 0, 0, 0, 0, null, true, activity.RateOf(name.Value));

    private static QueueRow RowOf(Queue q, State state, ActivityHistory activity, long now)
    {
        var (oldest, exact) = QueueModule.oldestReady(OldestReadyPriorities, q);
        return new QueueRow(
            q.Name.Value, q.Ready.Count, q.Scheduled.Count, q.Leased, FailedJobsModule.count(q.Name, state.Failed), q.Workers.Count,
            oldest.IsSome ? Math.Max(0, now - oldest.Value) : null, exact, activity.RateOf(q.Name.Value));
    }

    /// <summary>A page of a queue's list, in the order the server takes them: lease order, soonest due, soonest lease end, newest failure.</summary>
    public static JobListPage Page(State state, JobName name, JobList list, int offset, int limit)
    {
        offset = Math.Max(0, offset);
        limit = Math.Clamp(limit, 1, MaxPage);
        state.Queues.TryGetValue(name, out Queue? q);
        (int total, IEnumerable<JobId> ids) = list switch
        {
            JobList.Ready when q is not null => (q.Ready.Count, SortedKeys.skip(offset, q.Ready).Select(k => k.Id)),
            JobList.Scheduled when q is not null => (q.Scheduled.Count, SortedKeys.skip(offset, q.Scheduled).Select(k => k.Id)),
            JobList.Leased when q is not null => (q.Leased, TimersModule.leasedJobs(state.Timers)
                .Where(id => state.FindJob(id) is { } job && job.Name.Equals(name)).Skip(offset)),
            JobList.Failed => (FailedJobsModule.count(name, state.Failed), FailedJobsModule.from(name, offset, state.Failed).Select(k => k.Id)),
            _ => (0, Enumerable.Empty<JobId>()),
        };
        var jobs = new List<Job>(Math.Min(limit, Math.Max(0, total - offset)));
        foreach (JobId id in ids.Take(limit))
        {
            if (state.FindJob(id) is { } job)
                jobs.Add(job);
        }
        return new JobListPage(list, offset, total, jobs);
    }

    public static JobView? Job(State state, JobId id)
    {
        if (state.FindJob(id) is not { } job)
            return null;
        FSharpOption<long> failedAt = FailedJobsModule.failedAt(id, state.Failed);
        FSharpOption<long> expires = JobModule.expiresAt(job);
        return new JobView(
            job, StateName(job), FSharpOption<long>.get_IsSome(failedAt) ? failedAt.Value : null,
            FSharpOption<long>.get_IsSome(expires) ? expires.Value : null, StateModule.backoffOf(id, state).Ms);
    }

    /// <summary>The name of a job's state as the dashboard shows it.</summary>
    public static string StateName(Job job) => job.Status switch
    {
        Status.Finished { Item.Success: true } => "completed",
        Status.Finished => "failed",
        Status.Leased => "leased",
        Status.Delayed => "retrying",
        _ when job.Status.IsWaiting => "scheduled",
        _ => "ready",
    };
}
