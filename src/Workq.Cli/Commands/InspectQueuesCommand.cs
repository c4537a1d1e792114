using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq inspect queues</c>: the queues that exist, in byte order of name.</summary>
internal static class InspectQueuesCommand
{
    public static Command Create(CliContext context)
    {
        var (offset, limit) = InspectCommand.PageOptions("queues");
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("queues", "Lists the queues that exist, by name, with their counts.")
        {
            Examples = "workq inspect queues --json",
        };
        command.Options.Add(offset);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            IReadOnlyList<QueueInfo> queues =
                await client.InspectQueuesAsync(parsed.GetValue(offset), (int)parsed.GetValue(limit), cancellationToken);
            if (parsed.GetValue(json))
            {
                await context.Stdout.WriteJsonAsync(w =>
                {
                    w.WriteStartArray();
                    foreach (QueueInfo queue in queues)
                        QueueView.WriteJson(w, queue);
                    w.WriteEndArray();
                }, cancellationToken);
            }
            else
            {
                QueueView.WriteTable(context.Stdout.Text, queues);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
