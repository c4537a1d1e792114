using System.Text;

namespace Workq.Client;

/// <summary>
/// A recurring definition (the protocol's <c>recur</c>): under <see cref="Key"/>, the job
/// that each occurrence of <see cref="Cron"/> adds to queue <see cref="Name"/>. Setting a
/// definition under a key that has one replaces it.
/// </summary>
/// <remarks>
/// Each occurrence's job gets an id derived from the key and the occurrence's time, so an
/// occurrence is added once, even across restarts; occurrences missed while the server was
/// down run once when it starts, not once each.
/// </remarks>
public sealed record RecurringJob
{
    /// <summary>The definition's key: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, 1 to 255 bytes.</summary>
    public required string Key { get; init; }

    /// <summary>The queue each occurrence's job goes to.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// When it occurs, in UTC: a cron expression of five fields (minute, hour, day of month,
    /// month, day of week) or six (a second first), e.g. <c>0 9 * * MON-FRI</c>, or a macro
    /// such as <c>@daily</c> or <c>@hourly</c>. Its fields may be separated by spaces or, as
    /// the protocol sends them, by <c>_</c>.
    /// </summary>
    public required string Cron { get; init; }

    /// <summary>Each job's time to run (whole milliseconds, rounded up; 1 ms to 1 day).</summary>
    public required TimeSpan Ttr { get; init; }

    /// <summary>How long each job, and then its result, is kept from its occurrence (1 ms to 30 days).</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Each job's data, at most 1 MiB of any bytes. Empty by default.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The payload as UTF-8 text; setting it sets <see cref="Payload"/>.</summary>
    public string PayloadText
    {
        get => Encoding.UTF8.GetString(Payload.Span);
        init => Payload = Encoding.UTF8.GetBytes(value);
    }

    /// <summary>Each job's priority; higher runs first.</summary>
    public int Priority { get; init; }

    /// <summary>Each job's attempt limit; 0 leaves only the server's cap of 255.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>Each job's fail limit; 0 or 1 makes the first fail final.</summary>
    public int MaxFails { get; init; }

    /// <summary>Each job's back-off, as <see cref="BackgroundJob.Backoff"/>.</summary>
    public TimeSpan Backoff { get; init; }

    /// <summary>Whether an occurrence is added while the last one's job is unfinished.</summary>
    public RecurringOverlap Overlap { get; init; }

    /// <summary>The expression as one protocol token: its fields joined by <c>_</c>.</summary>
    internal string CronToken => string.Join('_', Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
