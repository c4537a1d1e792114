using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq failed NAME</c>: the jobs of a name that ended failed, newest first (the protocol's <c>inspect failed-jobs</c>).</summary>
internal static class FailedCommand
{
    public static Command Create(CliContext context)
    {
        var name = ValueOptions.Name("The jobs' name (queue); it need not exist as a queue any more.");
        var (offset, limit) = InspectCommand.PageOptions("jobs");
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("failed", "Lists the jobs of a name that ended failed, newest failure first, with their results.")
        {
            Examples = """
                workq failed send-mail
                workq failed send-mail --limit 10 --json
                """,
        };
        command.Arguments.Add(name);
        command.Options.Add(offset);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            IReadOnlyList<FailedJobInfo> jobs = await client.InspectFailedJobsAsync(
                parsed.GetRequiredValue(name), parsed.GetValue(offset), (int)parsed.GetValue(limit), cancellationToken);
            if (parsed.GetValue(json))
            {
                await context.Stdout.WriteJsonAsync(w =>
                {
                    w.WriteStartArray();
                    foreach (FailedJobInfo job in jobs)
                        FailedView.WriteJson(w, job);
                    w.WriteEndArray();
                }, cancellationToken);
            }
            else
            {
                FailedView.WriteTable(context.Stdout.Text, jobs);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
