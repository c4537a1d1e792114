using System.CommandLine;

namespace Workq.Cli.Commands;

/// <summary><c>workq inspect job|jobs|scheduled-jobs|queue|queues|server</c>: the protocol's <c>inspect</c>.</summary>
internal static class InspectCommand
{
    public static Command Create(CliContext context) =>
        new("inspect", "Shows jobs, queues and the server, as tables or (--json) as JSON.")
        {
            InspectJobCommand.Create(context),
            InspectJobsCommand.Create(context, scheduled: false),
            InspectJobsCommand.Create(context, scheduled: true),
            InspectQueueCommand.Create(context),
            InspectQueuesCommand.Create(context),
            InspectServerCommand.Create(context),
        };

    /// <summary><c>--json</c> for an inspect subcommand.</summary>
    public static Option<bool> JsonOption() => ValueOptions.Flag("--json", "Print JSON instead of a table.");

    /// <summary><c>--offset</c> and <c>--limit</c>: one page of a list, as the protocol pages it.</summary>
    public static (Option<long> Offset, Option<long> Limit) PageOptions(string items) =>
        (ValueOptions.Number("--offset", $"How many {items} to skip.", 0, uint.MaxValue),
         ValueOptions.Number("--limit", $"At most how many {items} to show, 1 to 100.", 1, 100, defaultValue: 100));
}
