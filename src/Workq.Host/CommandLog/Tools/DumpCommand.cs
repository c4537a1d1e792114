using Workq.Domain;
using Workq.Domain.CommandLog;
using Workq.Host.CommandLog.Original;

namespace Workq.Host.CommandLog.Tools;

/// <summary><c>cmdlog dump</c>: every event of the log, one readable line each, in log order.</summary>
internal static class DumpCommand
{
    public const string Usage = """
        usage: workq-server cmdlog dump DIR [--job ID] [--from TIME] [--until TIME]

        Prints the log's events in log order, one line each: <time> <event> <job id> <fields>
        (for a recurring definition's events, its key where the job id would be).
        A '# FILE' line starts each file; a snapshot's jobs print as 'snapshot <id> <fields>',
        its recurring definitions as 'snapshot recurring <key> <fields>'.
        A directory of the original Workq (segments 000000001.log, ...) prints its records
        the same way, with the original's names: add, schedule, complete, fail, delete,
        expire, start-attempt, timeout-attempt.

          --job ID       only this job's lines (a job id in canonical form)
          --from TIME    only events at or after TIME (YYYY-MM-DDTHH:MM:SS[.fff]Z)
          --until TIME   only events at or before TIME
        --from and --until filter events only: a snapshot holds states, not times.
        Exit code 1 if the log is damaged (after printing what comes before the damage).
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ToolArgs parsed = ToolArgs.Parse(args, "--job", "--from", "--until");
        JobId? job = parsed.Job("--job");
        long? from = parsed.Time("--from");
        long? until = parsed.Time("--until");
        LogDirectory contents = LogDirectory.Scan(parsed.Dir);
        if (contents.Refusal is { } refusal)
            stderr.WriteLine($"warning: the server would refuse to start: {refusal}");
        IEnumerable<LogEntry> entries = contents.Format == LogFormat.Original ? OriginalLogReader.Read(parsed.Dir) : LogReader.Read(parsed.Dir);
        bool Shown(JobId? subject, long at) => (job is null || job.Equals(subject)) && !(at < from) && !(at > until);
        foreach (LogEntry entry in entries)
        {
            if (entry is not MissingSegment)
                stdout.WriteLine($"# {entry.Name}");
            switch (entry)
            {
                case SnapshotEntry { Contents.IsOk: true } s:
                    State snapshot = s.Contents.ResultValue;
                    foreach (Job j in snapshot.Jobs.Select(kv => kv.Value).OrderBy(j => j.Seq))
                        if (job is null || j.Id.Equals(job))
                            stdout.WriteLine($"snapshot {j.Id} {Describe.job(j)}{SnapshotExtras(snapshot, j)}");
                    if (job is null)
                        foreach (Recurrence r in snapshot.Recurrences.Values)
                            stdout.WriteLine($"snapshot recurring {r.Spec.Key} {Describe.recurrence(r)}");
                    break;
                case SegmentEntry s:
                    foreach (JobEvent e in s.Contents.Events)
                        if (Shown(Describe.jobIdOf(e)?.Value, Describe.instant(e)))
                            stdout.WriteLine(Describe.@event(e));
                    break;
                case OriginalSegmentEntry s:
                    foreach (OriginalSegment.Record r in s.Contents.Records)
                        if (Shown(OriginalSegment.jobId(r.Entry)?.Value, r.At))
                            stdout.WriteLine(Describe.originalRecord(r));
                    break;
            }
            if (LogProblem.Of(entry) is { } problem)
                return problem.Report(stderr);
        }
        return CmdlogTool.Ok;
    }

    /// <summary>What a snapshot keeps of a job beside it: its back-off, and when a failed job failed.</summary>
    private static string SnapshotExtras(State state, Job job)
    {
        string extras = "";
        long backoff = StateModule.backoffOf(job.Id, state).Ms;
        if (backoff > 0)
            extras += $" backoff={backoff}";
        if (FailedJobsModule.failedAt(job.Id, state.Failed)?.Value is { } failedAt)
            extras += $" failed-at={Time.formatPrecise(failedAt)}";
        return extras;
    }
}
