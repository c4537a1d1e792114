namespace Workq.Client;

/// <summary>
/// The server answered a request with an error reply (<c>-CODE text</c>). The request was
/// understood and answered; the connection stays usable. The subclasses stand for the
/// protocol's four codes; a code the client does not know arrives as this class itself.
/// </summary>
public class WorkqException : Exception
{
    /// <summary>An error reply with <paramref name="code"/> (e.g. <c>CLIENT-ERROR</c>) and its text, if any.</summary>
    public WorkqException(string code, string? text, string? message = null)
        : base(message ?? Describe(code, text))
    {
        Code = code;
        Text = text;
    }

    /// <summary>The reply's code without its <c>-</c>: <c>TIMEOUT</c>, <c>NOT-FOUND</c>, <c>CLIENT-ERROR</c>, <c>SERVER-ERROR</c>.</summary>
    public string Code { get; }

    /// <summary>The text after the code (e.g. <c>Invalid TTR</c>), or null when the reply had none.</summary>
    public string? Text { get; }

    private static string Describe(string code, string? text) =>
        text is null ? $"The Workq server answered -{code}." : $"The Workq server answered -{code} {text}.";

    /// <summary>The exception for an error reply line (which starts with <c>-</c>), named for the request it answered.</summary>
    internal static WorkqException FromReply(string command, string line)
    {
        int space = line.IndexOf(' ');
        string code = space < 0 ? line[1..] : line[1..space];
        string? text = space < 0 ? null : line[(space + 1)..];
        string message = text is null
            ? $"The Workq server answered {command} with -{code}."
            : $"The Workq server answered {command} with -{code} {text}.";
        return code switch
        {
            WorkqTimeoutException.ReplyCode => new WorkqTimeoutException(text, message),
            WorkqNotFoundException.ReplyCode => new WorkqNotFoundException(text, message),
            WorkqClientErrorException.ReplyCode => new WorkqClientErrorException(text ?? "", message),
            WorkqServerErrorException.ReplyCode => new WorkqServerErrorException(text ?? "", message),
            _ => new WorkqException(code, text, message),
        };
    }
}
