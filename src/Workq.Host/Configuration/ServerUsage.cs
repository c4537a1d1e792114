using System.Text;

namespace Workq.Host.Configuration;

/// <summary>
/// What <c>workq-server --help</c> prints, made from <see cref="ServerFlags.All"/>: the
/// flags with their defaults (taken from the option classes, so the help cannot drift from them).
/// </summary>
internal static class ServerUsage
{
    private const int HelpColumn = 27;
    private const int Width = 90;

    public static readonly string Text = Build();

    private static string Build()
    {
        var text = new StringBuilder();
        text.AppendLine($"""
            usage: workq-server [flags]
                   workq-server cmdlog dump|replay|verify DIR [options]   (reads a command log; cmdlog --help)

            Serves the Workq protocol; with no flags, in memory on {new ServerOptions().Listen}.

            flags (each as -name VALUE, -name=VALUE, --name VALUE or --name=VALUE):
            """);
        foreach (ServerFlag flag in ServerFlags.All)
        {
            string help = flag.Help;
            if (flag.Default is { } value)
                help += $" (default {value}{(flag.Variable is { } variable ? $"; also {variable}" : "")})";
            Entry(text, flag.IsSwitch ? $"-{flag.Name}" : $"-{flag.Name} {flag.Placeholder}", help);
        }
        Entry(text, "-h, --help", "print this and exit");
        Entry(text, "--version", "print the version and exit");
        text.AppendLine();
        Paragraph(text, "Each flag can also be set in appsettings.json (beside the program, where a sample is shipped, "
            + "or in the working directory, which wins) under \"Workq\" as its name in Pascal case (-cmdlog-seg-size: "
            + "\"CmdlogSegSize\"), or in the environment as Workq__Name (Workq__CmdlogSegSize). The command line wins over "
            + "the environment, the environment over appsettings.json.");
        text.AppendLine();
        Paragraph(text, "A cluster: start three (or five) members, each with -cmdlog-path, its own -cluster-listen and "
            + "the same -cluster-peers; any member serves clients (a follower passes them to the leader). Its members "
            + "are shown, added and removed with workq cluster status|add|remove. See doc/cluster.md.");
        text.AppendLine();
        Paragraph(text, "The HTTP port serves /healthz (the process serves), /readyz (the command log replayed and writable; "
            + "in a cluster, a leader known) "
            + "and /metrics (Prometheus); metrics also go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Logging is "
            + "set in the same places under \"Logging\": Logging__LogLevel__Default=Debug, "
            + "Logging__Console__FormatterName=simple (the default), json or systemd.");
        text.AppendLine();
        Paragraph(text, "A port on an address other machines can reach (any but 127.0.0.0/8 and ::1) must check who "
            + "connects: the job port with -auth-tokens or -tls-client-ca, the HTTP port with -auth-tokens; otherwise the "
            + "server refuses to start, unless -insecure. With -auth-tokens a connection sends auth <token> before anything "
            + "else, and HTTP requests an Authorization: Bearer <token> header. SIGHUP (or a change to the files) reads the "
            + "certificate, -tls-client-ca and the token file again without closing any connection.");
        text.AppendLine();
        Paragraph(text, "Exit codes: 0 stopped normally, 2 bad flags or settings (a port open to anyone included), an address "
            + "that cannot be listened on, a certificate or token file that cannot be used, or a command log that cannot be used.");
        return text.ToString();
    }

    /// <summary>A flag and its help, the help wrapped in a column of its own.</summary>
    private static void Entry(StringBuilder text, string flag, string help)
    {
        string lead = "  " + flag;
        text.Append(lead.Length < HelpColumn ? lead.PadRight(HelpColumn) : lead + "\n" + new string(' ', HelpColumn));
        Wrap(text, help, HelpColumn);
    }

    private static void Paragraph(StringBuilder text, string words) => Wrap(text, words, 0);

    /// <summary>Appends words up to <see cref="Width"/> columns, continued lines indented to <paramref name="indent"/>.</summary>
    private static void Wrap(StringBuilder text, string words, int indent)
    {
        int column = indent;
        bool first = true;
        foreach (string word in words.Split(' '))
        {
            if (!first && column + 1 + word.Length > Width)
            {
                text.Append('\n').Append(' ', indent);
                column = indent;
                first = true;
            }
            if (!first)
            {
                text.Append(' ');
                column++;
            }
            text.Append(word);
            column += word.Length;
            first = false;
        }
        text.Append('\n');
    }
}
