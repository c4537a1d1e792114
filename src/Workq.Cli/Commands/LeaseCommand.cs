using System.CommandLine;
using Workq.Cli.Output;
using Workq.Cli.Values;
using Workq.Client;

namespace Workq.Cli.Commands;

/// <summary><c>workq lease NAME... [--wait DURATION]</c>: takes a job to work on (the protocol's <c>lease</c>). Exit code 3 when none came.</summary>
internal static class LeaseCommand
{
    public static Command Create(CliContext context)
    {
        var names = new Argument<string[]>("NAME")
        {
            Description = "The queues to take a job from; the best ready job among them is taken.",
            Arity = ArgumentArity.OneOrMore,
        };
        var wait = ValueOptions.Duration(
            "--wait", "How long to wait for a job when none is ready. Default 0: answer at once.",
            positive: false);
        var format = new DataFormat();
        var command = new ToolCommand(
            "lease",
            "Takes the best ready job of the named queues and prints its payload; complete or fail it within its TTR.")
        {
            Examples = """
                workq lease ping --wait 30s
                workq lease ping1 ping2 --wait 1m --json
                """,
        };
        command.Arguments.Add(names);
        command.Options.Add(wait);
        format.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            format.Check(parsed);
            string[] queues = parsed.GetRequiredValue(names);
            TimeSpan waitTimeout = parsed.GetValue(wait);
            await using WorkqClient client = context.Connect(parsed);
            LeasedJob job = await client.LeaseAsync(queues, waitTimeout, cancellationToken)
                ?? throw CliFailure.TimedOut($"no job came within {Durations.Format(waitTimeout)}");
            await format.WriteAsync(parsed, context, job.Payload, ResultView.Describe(job),
                json => ResultView.WriteJson(json, job), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
