namespace Workq.Client;

/// <summary>
/// Talking to the server failed: it could not be reached, the connection broke, or its
/// reply could not be understood. Unlike a <see cref="WorkqException"/>, no answer was
/// read, so the outcome of the request is unknown when <see cref="RequestSent"/> is true.
/// The client never resends a request by itself; the broken connection has been closed,
/// and the next request opens a new one.
/// </summary>
public sealed class WorkqConnectionException : IOException
{
    /// <summary>A failure described by <paramref name="message"/>, with what caused it.</summary>
    public WorkqConnectionException(string message, bool requestSent, Exception? innerException = null)
        : base(message, innerException)
    {
        RequestSent = requestSent;
    }

    /// <summary>
    /// True when the failure came after the request was (at least partly) sent: the
    /// server may have acted on it. False when nothing was sent, e.g. no connection could be opened.
    /// </summary>
    public bool RequestSent { get; }
}
