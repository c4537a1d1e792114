using Workq.Domain.CommandLog;

namespace Workq.Host.CommandLog.Tools;

/// <summary><c>cmdlog verify</c>: checks every record of every file the server would read.</summary>
internal static class VerifyCommand
{
    public const string Usage = """
        usage: workq-server cmdlog verify DIR

        Checks the snapshot and every segment after it: headers, each record's length and
        checksum, that each record decodes, and that segment numbers have no gaps.
        Prints 'ok: N events in M files' (exit code 0), or the first problem with its file
        and byte offset (exit code 1). A torn tail at the end of the last segment counts as
        a problem, though the server would cut it off at startup.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ToolArgs parsed = ToolArgs.Parse(args);
        int events = 0, files = 0, jobs = 0;
        foreach (LogEntry entry in LogReader.Read(parsed.Dir))
        {
            if (LogProblem.Of(entry) is { } problem)
            {
                stdout.WriteLine($"damaged: {problem}");
                return CmdlogTool.Problem;
            }
            files++;
            if (entry is SegmentEntry s)
                events += s.Contents.Events.Length;
            else if (entry is SnapshotEntry snap)
                jobs = snap.Contents.ResultValue.Jobs.Count;
        }
        stdout.WriteLine(jobs > 0 ? $"ok: {events} events in {files} files (the snapshot holds {jobs} jobs)" : $"ok: {events} events in {files} files");
        return CmdlogTool.Ok;
    }
}
