using Workq.Host.CommandLog.Original;

namespace Workq.Host.CommandLog.Tools;

/// <summary><c>cmdlog verify</c>: checks every record of every file the server would read.</summary>
internal static class VerifyCommand
{
    public const string Usage = """
        usage: workq-server cmdlog verify DIR

        Checks the snapshot and every segment after it: headers, each record's length and
        checksum, that each record decodes, and that segment numbers have no gaps; and
        that the directory holds nothing the server cannot read.
        Prints 'ok: N events in M files' (exit code 0), or the first problem with its file
        and byte offset (exit code 1). A torn tail at the end of the last segment counts as
        a problem, though the server would cut it off at startup.
        A directory of the original Workq is checked record by record the same way
        ('ok: N records in M files of the original Workq's log, to import at start-up').
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ToolArgs parsed = ToolArgs.Parse(args);
        LogDirectory contents = LogDirectory.Scan(parsed.Dir);
        if (contents.Refusal is { } refusal)
        {
            stdout.WriteLine($"refused: {refusal}");
            return CmdlogTool.Problem;
        }
        int records = 0, files = 0, jobs = 0;
        IEnumerable<LogEntry> entries = contents.Format == LogFormat.Original ? OriginalLogReader.Read(parsed.Dir) : LogReader.Read(parsed.Dir);
        foreach (LogEntry entry in entries)
        {
            if (LogProblem.Of(entry) is { } problem)
            {
                stdout.WriteLine($"damaged: {problem}");
                return CmdlogTool.Problem;
            }
            files++;
            if (entry is SegmentEntry s)
                records += s.Contents.Events.Length;
            else if (entry is OriginalSegmentEntry o)
                records += o.Contents.Records.Length;
            else if (entry is SnapshotEntry snap)
                jobs = snap.Contents.ResultValue.Jobs.Count;
        }
        stdout.WriteLine(
            contents.Format == LogFormat.Original ? $"ok: {records} records in {files} files of the original Workq's log, to import at start-up"
            : jobs > 0 ? $"ok: {records} events in {files} files (the snapshot holds {jobs} jobs)"
            : $"ok: {records} events in {files} files");
        return CmdlogTool.Ok;
    }
}
