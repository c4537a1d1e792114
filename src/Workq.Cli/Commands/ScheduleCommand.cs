using System.CommandLine;
using Workq.Cli.Input;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq schedule NAME [PAYLOAD] --time TIME</c>: a job that becomes ready later (the protocol's <c>schedule</c>).</summary>
internal static class ScheduleCommand
{
    public static Command Create(CliContext context)
    {
        var name = ValueOptions.Name("The queue the job goes to.");
        var time = ValueOptions.Time(
            "--time",
            $"When the job becomes ready: an ISO 8601 time (UTC unless it has an offset) or +DURATION from now. E.g. {Times.Examples}. Its TTL counts from then.",
            () => DateTimeOffset.UtcNow);
        var job = new JobOptions(kept: true);
        var payload = new DataSource("payload");
        var command = new ToolCommand("schedule", "Adds a job that becomes ready at a given time, and prints its id.")
        {
            Examples = """
                workq schedule report daily --time +2h --ttr 1m --ttl 1d
                workq schedule reminder "call back" --time 2030-01-15T09:00:00Z --ttr 30s --ttl 1h
                """,
        };
        command.Arguments.Add(name);
        command.Options.Add(time);
        job.AddTo(command);
        payload.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var description = new ScheduledJob
            {
                Id = job.IdOrNew(parsed),
                Name = parsed.GetRequiredValue(name),
                Time = parsed.GetValue(time),
                Ttr = parsed.GetValue(job.Ttr),
                Ttl = parsed.GetValue(job.Ttl),
                Priority = (int)parsed.GetValue(job.Priority),
                MaxAttempts = (int)parsed.GetValue(job.MaxAttempts),
                MaxFails = (int)parsed.GetValue(job.MaxFails),
                Backoff = parsed.GetValue(job.Backoff),
                Payload = await payload.ReadAsync(parsed, context, cancellationToken),
            };
            await using WorkqClient client = context.Connect(parsed);
            Guid id = await client.ScheduleAsync(description, cancellationToken);
            await context.Stdout.Text.WriteLineAsync(JobIds.Format(id));
            return ExitCodes.Ok;
        });
        return command;
    }
}
