using Workq.Client;

namespace Workq.Cli;

/// <summary>What each way of failing prints (one line, after <c>workq COMMAND:</c>) and exits with.</summary>
internal static class Failures
{
    public static (int ExitCode, string Message) Describe(Exception e) => e switch
    {
        CliFailure f => (f.ExitCode, f.Message),
        UsageException => (ExitCodes.Usage, e.Message),
        WorkqClientErrorException r => (ExitCodes.Refused, $"refused by the server: {r.Text}"),
        WorkqServerErrorException r => (ExitCodes.Error, $"server error: {r.Text}"),
        WorkqNotFoundException => (ExitCodes.NotFound, "not found"),
        WorkqTimeoutException => (ExitCodes.Timeout, "timed out"),
        WorkqException r => (ExitCodes.Error, $"the server answered -{r.Code}{(r.Text is null ? "" : " " + r.Text)}"),
        WorkqConnectionException c => (ExitCodes.Connection, c.RequestSent
            ? $"{Sentence(c.Message)} (the request had been sent: it may have taken effect)"
            : Sentence(c.Message)),
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
        // The client's own checks: a request no server would take, so nothing was sent.
        ArgumentException a => (ExitCodes.Usage, Sentence(WithoutParameter(a))),
        _ => (ExitCodes.Error, $"{e.GetType().Name}: {Sentence(e.Message)}"),
    };

    /// <summary>
    /// A message as part of a line, after <c>workq COMMAND:</c>: no capital to start (unless
    /// it is an abbreviation), no final period, no line breaks.
    /// </summary>
    public static string Sentence(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return line is [char first, char second, ..] && char.IsUpper(first) && !char.IsUpper(second)
            ? char.ToLowerInvariant(first) + line[1..]
            : line;
    }

    /// <summary>The message without the " (Parameter 'names')" that names a parameter of the client, not of the tool.</summary>
    private static string WithoutParameter(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
