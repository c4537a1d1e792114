using System.CommandLine;
using Workq.Cli.Input;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq add NAME [PAYLOAD]</c>: a job, ready at once (the protocol's <c>add</c>).</summary>
internal static class AddCommand
{
    public static Command Create(CliContext context)
    {
        var name = ValueOptions.Name("The queue the job goes to.");
        var job = new JobOptions(kept: true);
        var payload = new DataSource("payload");
        var command = new ToolCommand("add", "Adds a job to a queue, ready at once, and prints its id.")
        {
            Examples = """
                workq add ping hello --ttr 5s --ttl 1m
                workq add resize --file photo.jpg --ttr 30s --ttl 1d --priority 10 --max-attempts 3
                workq add webhook '{"url":"..."}' --ttr 10s --ttl 1d --max-fails 8 --backoff 30s
                tar c dir | workq add backup - --ttr 10m --ttl 7d
                """,
        };
        command.Arguments.Add(name);
        job.AddTo(command);
        payload.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var description = new BackgroundJob
            {
                Id = job.IdOrNew(parsed),
                Name = parsed.GetRequiredValue(name),
                Ttr = parsed.GetValue(job.Ttr),
                Ttl = parsed.GetValue(job.Ttl),
                Priority = (int)parsed.GetValue(job.Priority),
                MaxAttempts = (int)parsed.GetValue(job.MaxAttempts),
                MaxFails = (int)parsed.GetValue(job.MaxFails),
                Backoff = parsed.GetValue(job.Backoff),
                Payload = await payload.ReadAsync(parsed, context, cancellationToken),
            };
            await using WorkqClient client = context.Connect(parsed);
            Guid id = await client.AddAsync(description, cancellationToken);
            await context.Stdout.Text.WriteLineAsync(JobIds.Format(id));
            return ExitCodes.Ok;
        });
        return command;
    }
}
