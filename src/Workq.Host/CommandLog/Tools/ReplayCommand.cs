using Workq.Domain;
using Workq.Domain.CommandLog;
using Workq.Host.CommandLog.Original;

namespace Workq.Host.CommandLog.Tools;

/// <summary><c>cmdlog replay</c>: the state the log rebuilds, as of an instant, shown as <c>inspect</c> would.</summary>
internal static class ReplayCommand
{
    public const string Usage = """
        usage: workq-server cmdlog replay DIR [--until TIME]

        Replays the log as the server does at startup and prints the state it rebuilds:
        each queue's ready/scheduled/leased counts (byte order of name), each job's name,
        state (0 NEW, 1 COMPLETED, 2 FAILED, 3 PENDING, 4 LEASED), attempts, fails and
        priority, and the server's evicted-jobs count.

          --until TIME   leave out events after TIME (YYYY-MM-DDTHH:MM:SS[.fff]Z)
        A snapshot is applied whole: it holds the state at compaction, not its events.
        A directory of the original Workq is imported as the server would import it at
        TIME (default: now): its records up to TIME, with every TTL, lease and scheduled
        time that has run out by then.
        Exit code 1 if the log is damaged (the state printed is the one before the damage).
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ToolArgs parsed = ToolArgs.Parse(args, "--until");
        long? until = parsed.Time("--until");
        LogDirectory contents = LogDirectory.Scan(parsed.Dir);
        if (contents.Refusal is { } refusal)
            stderr.WriteLine($"warning: the server would refuse to start: {refusal}");
        return contents.Format == LogFormat.Original
            ? Import(parsed.Dir, until ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), stdout, stderr)
            : Replay(parsed.Dir, until, stdout, stderr);
    }

    private static int Replay(string dir, long? until, TextWriter stdout, TextWriter stderr)
    {
        State state = StateModule.initial(0L);
        int events = 0, files = 0, status = CmdlogTool.Ok;
        foreach (LogEntry entry in LogReader.Read(dir))
        {
            switch (entry)
            {
                case SnapshotEntry { Contents.IsOk: true } s:
                    state = s.Contents.ResultValue;
                    files++;
                    if (until is not null)
                        stderr.WriteLine($"note: {s.Name} is applied whole; --until only leaves out the events after it");
                    break;
                case SegmentEntry s:
                    foreach (JobEvent e in s.Contents.Events)
                    {
                        // Filtered, not cut at the first later event: timers are logged at
                        // their deadline, so instants are not strictly in log order.
                        if (!(Describe.instant(e) > until))
                        {
                            state = Evolve.applyJob(state, e);
                            events++;
                        }
                    }
                    files++;
                    break;
            }
            if (LogProblem.Of(entry) is { } problem)
            {
                status = problem.Report(stderr);
                break;
            }
        }
        string asOf = until is { } t ? "as of " + Time.formatPrecise(t) : "all events";
        stdout.WriteLine($"# replayed {events} events from {files} files ({asOf})");
        Print(state, stdout);
        return status;
    }

    /// <summary>The original's records up to <paramref name="asOf"/>, imported at that instant.</summary>
    private static int Import(string dir, long asOf, TextWriter stdout, TextWriter stderr)
    {
        OriginalImport.Progress progress = OriginalImport.start(asOf);
        int files = 0, status = CmdlogTool.Ok;
        foreach (OriginalSegmentEntry entry in OriginalLogReader.Read(dir))
        {
            foreach (OriginalSegment.Record r in entry.Contents.Records)
                if (r.At <= asOf)
                    progress = OriginalImport.apply(progress, r);
            files++;
            if (LogProblem.Of(entry) is { } problem)
            {
                status = problem.Report(stderr);
                break;
            }
        }
        OriginalImport.Imported imported = OriginalImport.finish(asOf, progress);
        stdout.WriteLine(
            $"# imported {imported.Records} records of the original Workq from {files} files ({imported.Ignored} changed nothing), "
            + $"as of {Time.formatPrecise(asOf)}");
        Print(imported.State, stdout);
        return status;
    }

    private static void Print(State state, TextWriter stdout)
    {
        foreach (string line in Describe.state(state))
            stdout.WriteLine(line);
    }
}
