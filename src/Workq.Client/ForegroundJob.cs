namespace Workq.Client;

/// <summary>
/// A job whose submitter waits for its result (the protocol's <c>run</c>). The server
/// removes the job once the run ends, however it ends, and does not keep it across restarts.
/// </summary>
public sealed record ForegroundJob : JobDescription
{
    /// <summary>
    /// How long to wait for a worker to take the job (whole milliseconds, rounded up; up
    /// to 1 day). Once a worker holds it, the run waits for that worker until its lease
    /// (<see cref="JobDescription.Ttr"/>) runs out.
    /// </summary>
    public required TimeSpan WaitTimeout { get; init; }
}
