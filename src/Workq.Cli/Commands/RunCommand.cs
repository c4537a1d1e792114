using System.CommandLine;
using Workq.Cli.Input;
using Workq.Cli.Output;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq run NAME [PAYLOAD] --wait DURATION</c>: a job whose result the tool waits for
/// and prints (the protocol's <c>run</c>). Exit code 7 when the job failed.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var name = ValueOptions.Name("The queue the job goes to.");
        var job = new JobOptions(kept: false);
        var wait = ValueOptions.Duration(
            "--wait", "How long to wait for a worker to take the job (then for that worker, up to its TTR); 0 only takes a worker already waiting.",
            positive: false, required: true);
        var payload = new DataSource("payload");
        var format = new DataFormat();
        var command = new ToolCommand("run", "Adds a job, waits for a worker to finish it, and prints its result (the job is not kept).")
        {
            Examples = """
                workq run ping hello --ttr 5s --wait 1m
                workq run thumbnail --file photo.jpg --ttr 30s --wait 5m > thumb.jpg
                """,
        };
        command.Arguments.Add(name);
        job.AddTo(command);
        command.Options.Add(wait);
        payload.AddTo(command);
        format.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            format.Check(parsed);
            var description = new ForegroundJob
            {
                Id = job.IdOrNew(parsed),
                Name = parsed.GetRequiredValue(name),
                Ttr = parsed.GetValue(job.Ttr),
                WaitTimeout = parsed.GetValue(wait),
                Priority = (int)parsed.GetValue(job.Priority),
                Payload = await payload.ReadAsync(parsed, context, cancellationToken),
            };
            await using WorkqClient client = context.Connect(parsed);
            JobResult result;
            try
            {
                result = await client.RunAsync(description, cancellationToken);
            }
            catch (WorkqTimeoutException)
            {
                throw CliFailure.TimedOut(
                    $"no worker finished job {JobIds.Format(description.Id)} in time (--wait {Durations.Format(description.WaitTimeout)}, or its TTR once leased)");
            }
            catch (WorkqNotFoundException)
            {
                throw new CliFailure(ExitCodes.NotFound, $"job {JobIds.Format(description.Id)} was deleted while it ran");
            }
            await format.WriteAsync(parsed, context, result.Result, ResultView.Describe(result),
                json => ResultView.WriteJson(json, result), cancellationToken);
            return result.Success ? ExitCodes.Ok : ExitCodes.JobFailed;
        });
        return command;
    }
}
