namespace Workq.Client;

/// <summary>
/// A job queued at once, whose result is fetched later with
/// <see cref="WorkqClient.ResultAsync"/> (the protocol's <c>add</c>).
/// </summary>
public sealed record BackgroundJob : JobDescription
{
    /// <summary>
    /// Time to live: how long the job, and then its result, is kept from now, finished or
    /// not (whole milliseconds, rounded up; the server accepts 1 ms to 30 days).
    /// </summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>How many leases the job may have; 0 (the default) leaves only the server's cap of 255.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>How many <c>fail</c>s the job may have before a failure is final; 0 or 1 makes the first one final.</summary>
    public int MaxFails { get; init; }

    /// <summary>
    /// The wait before the job may be leased again after its first retried <c>fail</c>,
    /// doubled after each further one, spread by a fifth either way, at most an hour and
    /// never past the job's TTL (whole milliseconds, rounded up; up to an hour). Zero, the
    /// default: a retried job is ready again at once. A worker's
    /// <see cref="WorkqClient.FailAsync(Guid, ReadOnlyMemory{byte}, TimeSpan, CancellationToken)"/>
    /// names the wait of one retry instead.
    /// </summary>
    public TimeSpan Backoff { get; init; }
}
