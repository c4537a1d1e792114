using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq inspect jobs NAME</c> (a queue's ready jobs, in lease order) and
/// <c>workq inspect scheduled-jobs NAME</c> (its jobs not yet ready, soonest first).
/// </summary>
internal static class InspectJobsCommand
{
    public static Command Create(CliContext context, bool scheduled)
    {
        var name = ValueOptions.Name("The queue.");
        var (offset, limit) = InspectCommand.PageOptions("jobs");
        var json = InspectCommand.JsonOption();
        var command = scheduled
            ? new ToolCommand("scheduled-jobs", "Lists a queue's jobs that wait for their time, soonest first.")
            {
                Examples = "workq inspect scheduled-jobs report --limit 10",
            }
            : new ToolCommand("jobs", "Lists a queue's ready jobs, in the order lease takes them.")
            {
                Examples = "workq inspect jobs ping --offset 100 --limit 100 --json",
            };
        command.Arguments.Add(name);
        command.Options.Add(offset);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string queue = parsed.GetRequiredValue(name);
            long skip = parsed.GetValue(offset);
            int count = (int)parsed.GetValue(limit);
            await using WorkqClient client = context.Connect(parsed);
            // A queue the server does not have has no jobs.
            IReadOnlyList<JobInfo> jobs = scheduled
                ? await client.InspectScheduledJobsAsync(queue, skip, count, cancellationToken)
                : await client.InspectJobsAsync(queue, skip, count, cancellationToken);
            if (parsed.GetValue(json))
            {
                await context.Stdout.WriteJsonAsync(w =>
                {
                    w.WriteStartArray();
                    foreach (JobInfo job in jobs)
                        JobView.WriteJson(w, job);
                    w.WriteEndArray();
                }, cancellationToken);
            }
            else
            {
                JobView.WriteTable(context.Stdout.Text, jobs, scheduled);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
