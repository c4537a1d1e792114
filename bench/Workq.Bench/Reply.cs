namespace Workq.Bench;

public enum ReplyKind
{
    /// <summary>Accepted: <c>+OK</c>, <c>INSERTED</c>, <c>DELETED</c>.</summary>
    Ok,
    /// <summary>A job (lease, reserve) or a result (run) with its id.</summary>
    Record,
    /// <summary>A wait ran out: <c>-TIMEOUT</c>, <c>TIMED_OUT</c>.</summary>
    Timeout,
}

/// <summary>A parsed reply; the id is a range of the receive buffer, valid until the next read.</summary>
public readonly record struct Reply(ReplyKind Kind, int IdStart, int IdLength)
{
    public static readonly Reply Ok = new(ReplyKind.Ok, 0, 0);
    public static readonly Reply Timeout = new(ReplyKind.Timeout, 0, 0);
}

/// <summary>The server answered something the workload cannot go on from.</summary>
public sealed class UnexpectedReplyException(string message) : Exception(message);
