using System.CommandLine;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq inspect job ID</c>: one job, whatever its state.</summary>
internal static class InspectJobCommand
{
    public static Command Create(CliContext context)
    {
        var id = ValueOptions.JobIdArgument();
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("job", "Shows a job: its state, counts, times and payload.")
        {
            Examples = "workq inspect job 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d",
        };
        command.Arguments.Add(id);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Guid jobId = parsed.GetValue(id);
            await using WorkqClient client = context.Connect(parsed);
            JobInfo job;
            try
            {
                job = await client.InspectJobAsync(jobId, cancellationToken);
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NoJob(jobId);
            }
            if (parsed.GetValue(json))
                await context.Stdout.WriteJsonAsync(w => JobView.WriteJson(w, job), cancellationToken);
            else
                JobView.WriteFields(context.Stdout.Text, job);
            return ExitCodes.Ok;
        });
        return command;
    }
}
