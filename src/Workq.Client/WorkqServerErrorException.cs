namespace Workq.Client;

/// <summary>
/// The server answered <c>-SERVER-ERROR</c>: it could not carry the request out (for
/// example its command log could not be written) and changed nothing.
/// </summary>
public sealed class WorkqServerErrorException : WorkqException
{
    internal const string ReplyCode = "SERVER-ERROR";

    /// <summary>A <c>-SERVER-ERROR</c> reply with its text.</summary>
    public WorkqServerErrorException(string text, string? message = null)
        : base(ReplyCode, text, message)
    {
    }
}
