using System.CommandLine;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq touch ID [--ttr DURATION]</c>: extends a leased job's lease (the protocol's <c>touch</c>).</summary>
internal static class TouchCommand
{
    public static Command Create(CliContext context)
    {
        var id = ValueOptions.JobIdArgument();
        var ttr = ValueOptions.Duration(
            "--ttr", "How long the lease lasts from now, up to 1d. Default: the job's own TTR.", positive: true);
        var command = new ToolCommand(
            "touch",
            "Extends a leased job's lease: it starts again now, for the job's TTR or --ttr. Not found when the job is not leased.")
        {
            Examples = """
                workq touch 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d
                workq touch 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d --ttr 10m
                """,
        };
        command.Arguments.Add(id);
        command.Options.Add(ttr);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Guid job = parsed.GetValue(id);
            TimeSpan? lease = parsed.GetResult(ttr) is { Implicit: false } ? parsed.GetValue(ttr) : null;
            await using WorkqClient client = context.Connect(parsed);
            try
            {
                await client.TouchAsync(job, lease, cancellationToken);
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NotLeased(job);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
