using System.CommandLine;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq delete ID</c>: removes a job in any state (the protocol's <c>delete</c>).</summary>
internal static class DeleteCommand
{
    public static Command Create(CliContext context)
    {
        var id = ValueOptions.JobIdArgument();
        var command = new ToolCommand("delete", "Removes a job, whatever its state; whoever waits on it gets not-found.")
        {
            Examples = "workq delete 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d",
        };
        command.Arguments.Add(id);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Guid job = parsed.GetValue(id);
            await using WorkqClient client = context.Connect(parsed);
            try
            {
                await client.DeleteAsync(job, cancellationToken);
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NoJob(job);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
