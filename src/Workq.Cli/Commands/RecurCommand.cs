using System.CommandLine;
using Workq.Cli.Input;
using Workq.Cli.Output;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary>
/// <c>workq recur add|list|remove</c>: recurring definitions (the protocol's <c>recur</c>,
/// <c>inspect recurring</c> and <c>unrecur</c>).
/// </summary>
internal static class RecurCommand
{
    public static Command Create(CliContext context) =>
        new("recur", "Sets, lists and removes recurring definitions: a job added at each occurrence of a cron expression.")
        {
            CreateAdd(context),
            CreateList(context),
            CreateRemove(context),
        };

    private static Command CreateAdd(CliContext context)
    {
        var key = new Argument<string>("KEY") { Description = "The definition's key; one of the same key is replaced." };
        var name = ValueOptions.Name("The queue each occurrence's job goes to.");
        var cron = new Argument<string>("CRON")
        {
            Description = "When, in UTC: 5 fields (minute hour day-of-month month day-of-week) or 6 (a second first), "
                + "in one argument (quoted, or with the fields joined by _), or a macro such as @daily or @hourly.",
        };
        var job = new JobOptions(kept: true, identified: false);
        var overlap = new Option<string>("--overlap")
        {
            Description = "allow (default): add each occurrence's job; skip: leave an occurrence out while the last one's job is unfinished.",
            HelpName = "allow|skip",
            DefaultValueFactory = _ => "allow",
        };
        overlap.AcceptOnlyFromAmong("allow", "skip");
        var payload = new DataSource("payload");
        var command = new ToolCommand("add", "Sets a recurring definition: at each occurrence of CRON, a job is added to queue NAME.")
        {
            Examples = """
                workq recur add nightly-report report "0 2 * * *" --ttr 10m --ttl 1d
                workq recur add poll feeds "*/30 * * * * *" '{"all":true}' --ttr 20s --ttl 1h --overlap skip
                workq recur add weekly cleanup @weekly --ttr 1h --ttl 7d --max-fails 3 --backoff 5m
                """,
        };
        command.Arguments.Add(key);
        command.Arguments.Add(name);
        command.Arguments.Add(cron);
        job.AddTo(command);
        command.Options.Add(overlap);
        payload.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var definition = new RecurringJob
            {
                Key = parsed.GetRequiredValue(key),
                Name = parsed.GetRequiredValue(name),
                Cron = parsed.GetRequiredValue(cron),
                Ttr = parsed.GetValue(job.Ttr),
                Ttl = parsed.GetValue(job.Ttl),
                Priority = (int)parsed.GetValue(job.Priority),
                MaxAttempts = (int)parsed.GetValue(job.MaxAttempts),
                MaxFails = (int)parsed.GetValue(job.MaxFails),
                Backoff = parsed.GetValue(job.Backoff),
                Overlap = parsed.GetValue(overlap) == "skip" ? RecurringOverlap.Skip : RecurringOverlap.Allow,
                Payload = await payload.ReadAsync(parsed, context, cancellationToken),
            };
            await using WorkqClient client = context.Connect(parsed);
            await client.RecurAsync(definition, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateList(CliContext context)
    {
        var (offset, limit) = InspectCommand.PageOptions("definitions");
        var json = InspectCommand.JsonOption();
        var command = new ToolCommand("list", "Lists the recurring definitions, in byte order of key, with their next occurrence.")
        {
            Examples = "workq recur list --json",
        };
        command.Options.Add(offset);
        command.Options.Add(limit);
        command.Options.Add(json);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            await using WorkqClient client = context.Connect(parsed);
            IReadOnlyList<RecurringInfo> definitions =
                await client.InspectRecurringAsync(parsed.GetValue(offset), (int)parsed.GetValue(limit), cancellationToken);
            if (parsed.GetValue(json))
            {
                await context.Stdout.WriteJsonAsync(w =>
                {
                    w.WriteStartArray();
                    foreach (RecurringInfo definition in definitions)
                        RecurringView.WriteJson(w, definition);
                    w.WriteEndArray();
                }, cancellationToken);
            }
            else
            {
                RecurringView.WriteTable(context.Stdout.Text, definitions);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateRemove(CliContext context)
    {
        var key = new Argument<string>("KEY") { Description = "The definition's key." };
        var command = new ToolCommand("remove", "Removes a recurring definition; the jobs it added stay.")
        {
            Examples = "workq recur remove nightly-report",
        };
        command.Arguments.Add(key);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string definition = parsed.GetRequiredValue(key);
            await using WorkqClient client = context.Connect(parsed);
            try
            {
                await client.UnrecurAsync(definition, cancellationToken);
            }
            catch (WorkqNotFoundException)
            {
                throw CliFailure.NoDefinition(definition);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
