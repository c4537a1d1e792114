namespace Workq.Host.CommandLog.Tools;

/// <summary>
/// <c>workq-server cmdlog dump|replay|verify DIR</c>: debugging tools for a command log
/// directory. They only read (sharing the files, so a running server may keep writing),
/// and never start a host or take the directory's lock.
/// </summary>
public static class CmdlogTool
{
    public const int Ok = 0;
    public const int Problem = 1;
    public const int UsageError = 2;

    private const string Usage = """
        usage: workq-server cmdlog <subcommand> DIR [options]

        Reads a command log directory (--cmdlog-path) without changing it:
          dump DIR [--job ID] [--from TIME] [--until TIME]   every event, one line each
          replay DIR [--until TIME]                          the state the log rebuilds
          verify DIR                                         checks every record

        DIR may also be a directory of the original Workq 0.2.0 (segments 000000001.log,
        ...), which the server imports at start-up.

        'workq-server cmdlog <subcommand> --help' tells more. Exit codes: 0 ok,
        1 a problem in the log, 2 a usage error.
        """;

    private static readonly Dictionary<string, (string Usage, Func<IReadOnlyList<string>, TextWriter, TextWriter, int> Run)> Subcommands =
        new(StringComparer.Ordinal)
        {
            ["dump"] = (DumpCommand.Usage, DumpCommand.Run),
            ["replay"] = (ReplayCommand.Usage, ReplayCommand.Run),
            ["verify"] = (VerifyCommand.Usage, VerifyCommand.Run),
        };

    /// <summary>Runs a subcommand; <paramref name="args"/> are the words after <c>cmdlog</c> (a leading <c>cmdlog</c> is skipped too).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string[] words = args is ["cmdlog", .. var rest] ? rest : args;
        if (words.Length == 0 || words[0] is "--help" or "-h" or "help")
        {
            (words.Length == 0 ? stderr : stdout).WriteLine(Usage);
            return words.Length == 0 ? UsageError : Ok;
        }
        if (!Subcommands.TryGetValue(words[0], out var sub))
        {
            stderr.WriteLine($"workq-server cmdlog: unknown subcommand {words[0]}");
            stderr.WriteLine(Usage);
            return UsageError;
        }
        string[] subArgs = words[1..];
        if (ToolArgs.WantsHelp(subArgs))
        {
            stdout.WriteLine(sub.Usage);
            return Ok;
        }
        try
        {
            return sub.Run(subArgs, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"workq-server cmdlog {words[0]}: {e.Message}");
            stderr.WriteLine(sub.Usage);
            return UsageError;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // E.g. a live server's compaction deleted a file between listing and reading it.
            stderr.WriteLine($"workq-server cmdlog {words[0]}: cannot read the log: {e.Message} (try again, or work on a copy)");
            return Problem;
        }
    }
}
