using System.CommandLine;
using System.Globalization;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq requeue ID</c> and <c>workq requeue-failed NAME</c>: failed jobs back in their
/// queue, one or every one of a name (the protocol's <c>requeue</c> and <c>requeue-failed</c>).
/// </summary>
internal static class RequeueCommand
{
    private static Option<TimeSpan> TtlOption() => ValueOptions.Duration(
        "--ttl", "Live this long from now, up to 30d. Default: the time the job had left.", positive: true);

    private static TimeSpan? Ttl(ParseResult parsed, Option<TimeSpan> ttl) =>
        parsed.GetResult(ttl) is { Implicit: false } ? parsed.GetValue(ttl) : null;

    public static Command CreateOne(CliContext context)
    {
        var id = ValueOptions.JobIdArgument();
        var ttl = TtlOption();
        var command = new ToolCommand(
            "requeue",
            "Puts a failed job back in its queue as a new series of attempts (no attempts or fails counted, its place as if just added).")
        {
            Examples = """
                workq requeue 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d
                workq requeue 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d --ttl 1d
                """,
        };
        command.Arguments.Add(id);
        command.Options.Add(ttl);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Guid job = parsed.GetValue(id);
            await using WorkqClient client = context.Connect(parsed);
            try
            {
                await client.RequeueAsync(job, Ttl(parsed, ttl), cancellationToken);
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NoJob(job);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateAll(CliContext context)
    {
        var name = ValueOptions.Name("The jobs' name (queue).");
        var ttl = TtlOption();
        var command = new ToolCommand(
            "requeue-failed",
            "Puts every failed job of a name back in its queue, the oldest failure first, and prints how many.")
        {
            Examples = "workq requeue-failed send-mail --ttl 1d",
        };
        command.Arguments.Add(name);
        command.Options.Add(ttl);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            int count = await client.RequeueFailedAsync(parsed.GetRequiredValue(name), Ttl(parsed, ttl), cancellationToken);
            await context.Stdout.Text.WriteLineAsync(count.ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Ok;
        });
        return command;
    }
}
