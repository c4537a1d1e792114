namespace Workq.Client;

/// <summary>
/// The server answered <c>-TIMEOUT</c>: a <c>run</c> or <c>result</c> waited as long as it
/// was allowed to. (A <c>lease</c> that times out is not an error: it returns null.)
/// </summary>
public sealed class WorkqTimeoutException : WorkqException
{
    internal const string ReplyCode = "TIMEOUT";

    /// <summary>A <c>-TIMEOUT</c> reply.</summary>
    public WorkqTimeoutException(string? text = null, string? message = null)
        : base(ReplyCode, text, message)
    {
    }
}
