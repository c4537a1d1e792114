using System.CommandLine;
using Workq.Cli.Output;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq result ID</c>: a finished job's result (the protocol's <c>result</c>). Exit code 7 when the job failed.</summary>
internal static class ResultCommand
{
    public static Command Create(CliContext context)
    {
        var id = ValueOptions.JobIdArgument();
        var wait = ValueOptions.Duration(
            "--wait", "How long to wait for an unfinished job to finish. Default 0: answer at once.",
            positive: false);
        var format = new DataFormat();
        var command = new ToolCommand("result", "Prints a job's result, once a worker has completed or failed it.")
        {
            Examples = """
                workq result 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d
                workq result 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d --wait 1m --json
                """,
        };
        command.Arguments.Add(id);
        command.Options.Add(wait);
        format.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            format.Check(parsed);
            Guid job = parsed.GetValue(id);
            TimeSpan waitTimeout = parsed.GetValue(wait);
            await using WorkqClient client = context.Connect(parsed);
            JobResult result;
            try
            {
                result = await client.ResultAsync(job, waitTimeout, cancellationToken);
            }
            catch (WorkqTimeoutException)
            {
                throw CliFailure.TimedOut($"job {JobIds.Format(job)} has not finished (waited {Durations.Format(waitTimeout)})");
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NoJob(job);
            }
            await format.WriteAsync(parsed, context, result.Result, ResultView.Describe(result),
                json => ResultView.WriteJson(json, result), cancellationToken);
            return result.Success ? ExitCodes.Ok : ExitCodes.JobFailed;
        });
        return command;
    }
}
