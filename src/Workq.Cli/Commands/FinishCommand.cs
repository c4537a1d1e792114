using System.CommandLine;
using Workq.Cli.Input;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq complete ID [RESULT]</c> and <c>workq fail ID [RESULT]</c>: a worker's answer
/// for a job (the protocol's <c>complete</c> and <c>fail</c>), which differ only in what
/// they tell the server.
/// </summary>
internal static class FinishCommand
{
    /// <param name="context">The invocation.</param>
    /// <param name="verb"><c>complete</c> or <c>fail</c>.</param>
    public static Command Create(CliContext context, string verb)
    {
        bool complete = verb == "complete";
        var id = ValueOptions.JobIdArgument();
        var result = new DataSource("result");
        var retryIn = ValueOptions.Duration(
            "--retry-in", "If the fail is retried, the job may be leased again only after this long (up to 1h; 0: at once), whatever its --backoff.",
            positive: false);
        var command = new ToolCommand(
            verb,
            complete
                ? "Reports a job done, with its result."
                : "Reports a job failed, with a result; it is retried while its --max-fails allows.")
        {
            Examples = complete
                ? """
                    workq complete 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d pong
                    convert in.jpg out.png && workq complete 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d --file out.png
                    """
                : """
                    workq fail 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d "disk full"
                    ./job.sh 2>&1 >/dev/null | workq fail 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d -
                    workq fail 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d "rate limited" --retry-in 1m
                    """,
        };
        command.Arguments.Add(id);
        result.AddTo(command);
        if (!complete)
            command.Options.Add(retryIn);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Guid job = parsed.GetValue(id);
            ReadOnlyMemory<byte> data = await result.ReadAsync(parsed, context, cancellationToken);
            await using WorkqClient client = context.Connect(parsed);
            try
            {
                if (complete)
                    await client.CompleteAsync(job, data, cancellationToken);
                else if (parsed.GetResult(retryIn) is { Implicit: false })
                    await client.FailAsync(job, data, parsed.GetValue(retryIn), cancellationToken);
                else
                    await client.FailAsync(job, data, cancellationToken);
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
