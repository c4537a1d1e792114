namespace Workq.Client;

/// <summary>
/// The server answered <c>-NOT-FOUND</c>: no such job (it never existed, was deleted or
/// expired), or no such queue for <c>inspect queue</c> and <c>inspect jobs</c>.
/// </summary>
public sealed class WorkqNotFoundException : WorkqException
{
    internal const string ReplyCode = "NOT-FOUND";

    /// <summary>A <c>-NOT-FOUND</c> reply.</summary>
    public WorkqNotFoundException(string? text = null, string? message = null)
        : base(ReplyCode, text, message)
    {
    }
}
