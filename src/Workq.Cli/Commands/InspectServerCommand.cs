using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq inspect server</c>: the server's counters.</summary>
internal static class InspectServerCommand
{
    public static Command Create(CliContext context)
    {
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("server", "Shows the server's counters (clients, jobs, queues, evicted jobs, start time) and where it stands in a cluster.")
        {
            Examples = "workq inspect server --server workq.internal:9922",
        };
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            ServerInfo server = await client.InspectServerAsync(cancellationToken);
            if (parsed.GetValue(json))
                await context.Stdout.WriteJsonAsync(w => ServerView.WriteJson(w, server), cancellationToken);
            else
                ServerView.WriteFields(context.Stdout.Text, server);
            return ExitCodes.Ok;
        });
        return command;
    }
}
