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
}
