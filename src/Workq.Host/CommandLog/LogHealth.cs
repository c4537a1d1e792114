namespace Workq.Host.CommandLog;

/// <summary>
/// Whether the command log can be written: the outcome of the engine's latest append,
/// for the readiness check. A failed append (a full disk, an I/O error) makes the server
/// refuse changes until one succeeds again; with no log (in memory) it is always writable.
/// </summary>
internal sealed class LogHealth
{
    private volatile string? problem;

    /// <summary>Why the latest append failed; null if it succeeded.</summary>
    public string? Problem => problem;

    /// <summary>The engine: an append failed.</summary>
    public void Failed(string reason) => problem = reason;

    /// <summary>The engine: an append succeeded; true if the one before had failed.</summary>
    public bool Succeeded()
    {
        if (problem is null)
            return false;
        problem = null;
        return true;
    }
}
