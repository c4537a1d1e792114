using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq inspect queue NAME</c>: one queue's counts.</summary>
internal static class InspectQueueCommand
{
    public static Command Create(CliContext context)
    {
        var name = ValueOptions.Name("The queue.");
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand(
            "queue",
            "Shows a queue's ready, scheduled and leased jobs and its waiting workers (all zero for a queue with none).")
        {
            Examples = "workq inspect queue ping",
        };
        command.Arguments.Add(name);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string queueName = parsed.GetRequiredValue(name);
            await using WorkqClient client = context.Connect(parsed);
            // A queue the server does not have shows as zeros.
            QueueInfo queue = await client.InspectQueueAsync(queueName, cancellationToken);
            if (parsed.GetValue(json))
                await context.Stdout.WriteJsonAsync(w => QueueView.WriteJson(w, queue), cancellationToken);
            else
                QueueView.WriteTable(context.Stdout.Text, [queue]);
            return ExitCodes.Ok;
        });
        return command;
    }
}
