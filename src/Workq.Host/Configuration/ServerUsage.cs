using Workq.Host.CommandLog;

namespace Workq.Host.Configuration;

/// <summary>What <c>workq-server --help</c> prints: the options, so nobody has to start a server to find them.</summary>
public static class ServerUsage
{
    // The defaults come from the option classes, so the help cannot drift from them.
    private static readonly WorkqOptions Server = new();
    private static readonly CommandLogOptions Log = new();

    public static readonly string Text = $"""
        usage: workq-server [options]
               workq-server cmdlog <subcommand> DIR [options]   (inspect a command log; cmdlog --help)

        Serves the Workq protocol; with no options, in memory on {Server.Listen}.

        options (each also as -name, -name=value or --name=value; or in appsettings.json
        under Workq, or in the environment as Workq__Name):
          --listen HOST:PORT         address to listen on (default {Server.Listen}; WORKQ_LISTEN)
          --cmdlog-path DIR          keep a command log in DIR (default: none, in memory)
          --cmdlog-sync POLICY       always | interval | os: when the log is forced to disk
                                     (default {Log.CmdlogSync})
          --cmdlog-sync-int MS       the interval policy's period (default {Log.CmdlogSyncInt})
          --cmdlog-seg-size BYTES    segment file size (default {Log.CmdlogSegSize})
          --cmdlog-clean-int MS      compaction period (default {Log.CmdlogCleanInt})
          --cmdlog-repair            start from a damaged log, keeping a backup
          -h, --help                 print this and exit

        exit codes: 0 stopped normally, 2 bad options or an unusable command log.
        """;

    /// <summary>Whether the arguments ask for help; if so, the usage went to <paramref name="output"/>.</summary>
    public static bool TryPrint(IReadOnlyList<string> args, TextWriter output)
    {
        if (!args.Any(a => a is "-h" or "-help" or "--help"))
            return false;
        output.WriteLine(Text);
        return true;
    }
}
