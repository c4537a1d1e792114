using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Workq.Cli.Commands;
using Workq.Cli.Output;

namespace Workq.Cli;

/// <summary>
/// The <c>workq</c> tool: one subcommand per protocol command, run against a Workq server
/// through <see cref="Client.WorkqClient"/>.
/// </summary>
public static class Cli
{
    /// <summary>
    /// Runs the tool once, as its <c>Main</c> does, on the given streams.
    /// </summary>
    /// <param name="args">The command line after the program's name.</param>
    /// <param name="stdin">Where payloads given as <c>-</c> or <c>--stdin</c> are read from (as bytes).</param>
    /// <param name="stdout">Where output goes; payloads and results are written to it raw.</param>
    /// <param name="stderr">Where errors, and the description of a raw payload or result, go.</param>
    /// <param name="environment">The variables the tool reads (<c>WORKQ_SERVER</c>, <c>WORKQ_AUTH_TOKEN</c>, <c>WORKQ_TLS*</c>).</param>
    /// <param name="cancellationToken">Stops a waiting request (Ctrl-C); the tool then exits with 130.</param>
    /// <returns>The exit code; see <see cref="ExitCodes"/>.</returns>
    public static async Task<int> RunAsync(
        string[] args, Stream stdin, Stream stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var output = new StandardOutput(stdout);
        var context = new CliContext(stdin, output, stderr, environment);
        Command root = CreateRoot(context);

        // No response files: an argument such as @notes.txt is a payload, not a file to expand.
        ParseResult parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0 && parsed.Action is not { ClearsParseErrors: true })
        {
            await stderr.WriteLineAsync($"{CommandPath(parsed)}: {UsageError(parsed)} (see '{CommandPath(parsed)} --help')");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = output.Text,
            Error = stderr,
            EnableDefaultExceptionHandler = false, // failures are mapped to exit codes below
            ProcessTerminationTimeout = null,      // Ctrl-C is the caller's, through the token
        };
        try
        {
            int code = await parsed.InvokeAsync(invocation, cancellationToken);
            await output.FlushAsync(CancellationToken.None); // the work is done: its output goes out even after a late Ctrl-C
            return code;
        }
        catch (Exception e)
        {
            var (code, message) = Failures.Describe(e);
            await stderr.WriteLineAsync($"{CommandPath(parsed)}: {message}");
            return code;
        }
    }

    private static Command CreateRoot(CliContext context)
    {
        var root = new Command("workq", "Talks to a Workq job server: adds jobs, leases and finishes them, and inspects the server.")
        {
            new HelpOption(),
            VersionAction.CreateOption(),
            AddCommand.Create(context),
            ScheduleCommand.Create(context),
            RunCommand.Create(context),
            ResultCommand.Create(context),
            LeaseCommand.Create(context),
            FinishCommand.Create(context, "complete"),
            FinishCommand.Create(context, "fail"),
            TouchCommand.Create(context),
            DeleteCommand.Create(context),
            FailedCommand.Create(context),
            RequeueCommand.CreateOne(context),
            RequeueCommand.CreateAll(context),
            RecurCommand.Create(context),
            InspectCommand.Create(context),
            ClusterCommand.Create(context),
        };
        foreach (Option option in context.Global)
            root.Options.Add(option);
        HelpWithExtras.Install(root);
        return root;
    }

    /// <summary>The first parse error in a line of its own; a stray word is named as such.</summary>
    private static string UsageError(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string token = parsed.UnmatchedTokens[0];
            return command.Subcommands.Count > 0 && !token.StartsWith('-')
                ? $"unknown command '{token}'; one of: {string.Join(", ", command.Subcommands.Select(c => c.Name))}"
                : $"unexpected argument '{token}'";
        }
        if (command.Subcommands.Count > 0 && command.Action is null)
            return $"a command is needed, one of: {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        return Failures.Sentence(parsed.Errors[0].Message);
    }

    /// <summary><c>workq inspect job</c>: the command as typed, for messages.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
                names.Add(command.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
