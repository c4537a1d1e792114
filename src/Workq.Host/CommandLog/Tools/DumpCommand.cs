using Workq.Domain;
using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog.Tools;

/// <summary><c>cmdlog dump</c>: every event of the log, one readable line each, in log order.</summary>
internal static class DumpCommand
{
    public const string Usage = """
        usage: workq-server cmdlog dump DIR [--job ID] [--from TIME] [--until TIME]

        Prints the log's events in log order, one line each: <time> <event> <job id> <fields>.
        A '# FILE' line starts each file; a snapshot's jobs print as 'snapshot <id> <fields>'.

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
        foreach (LogEntry entry in LogReader.Read(parsed.Dir))
        {
            if (entry is not MissingSegment)
                stdout.WriteLine($"# {entry.Name}");
            switch (entry)
            {
                case SnapshotEntry { Contents.IsOk: true } s:
                    foreach (Job j in s.Contents.ResultValue.Jobs.Select(kv => kv.Value).OrderBy(j => j.Seq))
                        if (job is null || j.Id.Equals(job))
                            stdout.WriteLine($"snapshot {j.Id} {Describe.job(j)}");
                    break;
                case SegmentEntry s:
                    foreach (JobEvent e in s.Contents.Events)
                    {
                        long at = Describe.instant(e);
                        if ((job is null || Describe.jobIdOf(e).Equals(job)) && !(at < from) && !(at > until))
                            stdout.WriteLine(Describe.@event(e));
                    }
                    break;
            }
            if (LogProblem.Of(entry) is { } problem)
                return problem.Report(stderr);
        }
        return CmdlogTool.Ok;
    }
}
