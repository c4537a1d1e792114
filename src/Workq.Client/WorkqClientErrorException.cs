namespace Workq.Client;

/// <summary>
/// The server answered <c>-CLIENT-ERROR</c>: the request was refused and nothing changed.
/// <see cref="WorkqException.Text"/> says why, in the protocol's words (<c>Invalid TTR</c>,
/// <c>Duplicate job</c>, <c>Duplicate result</c>, ...).
/// </summary>
public sealed class WorkqClientErrorException : WorkqException
{
    internal const string ReplyCode = "CLIENT-ERROR";

    /// <summary>A <c>-CLIENT-ERROR</c> reply with its text.</summary>
    public WorkqClientErrorException(string text, string? message = null)
        : base(ReplyCode, text, message)
    {
    }
}
