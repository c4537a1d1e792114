using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Workq.Cli.Commands;

namespace Workq.Cli;

/// <summary>
/// <c>--help</c> as System.CommandLine writes it, followed by what it cannot know: the
/// examples and the exit codes (in full for <c>workq --help</c>, in a line for a subcommand).
/// </summary>
internal sealed class HelpWithExtras(HelpAction standard, Command root) : SynchronousCommandLineAction
{
    private const string Examples = """
        Examples:
          workq add ping hello --ttr 5s --ttl 1m            prints the new job's id
          workq lease ping --wait 30s --json                a job as JSON, or exit code 3
          workq complete 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d pong
          workq result 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d --wait 10s > result.bin
          workq inspect queues
          echo -n data | workq add ping - --ttr 5s --ttl 1m --server workq.internal:9922
        """;

    public override bool ClearsParseErrors => true;

    /// <summary>Puts the extras behind the root's (recursive) help option, and so behind every command's.</summary>
    public static void Install(Command root)
    {
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExtras((HelpAction)help.Action!, root);
    }

    public override int Invoke(ParseResult parseResult)
    {
        int code = standard.Invoke(parseResult);
        TextWriter output = parseResult.InvocationConfiguration.Output;
        if (parseResult.CommandResult.Command == root)
        {
            output.WriteLine(Examples);
            output.WriteLine();
            output.WriteLine(ExitCodes.Help);
        }
        else
        {
            if (parseResult.CommandResult.Command is ToolCommand { Examples: { } examples })
            {
                output.WriteLine("Examples:");
                foreach (string line in examples.Split('\n'))
                    output.WriteLine("  " + line);
                output.WriteLine();
            }
            output.WriteLine(ExitCodes.Summary);
        }
        return code;
    }
}
