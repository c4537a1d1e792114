using System.Text;

namespace Workq.Client;

/// <summary>A job as <c>inspect job</c>, <c>inspect jobs</c>, <c>inspect scheduled-jobs</c> and <c>inspect failed-jobs</c> show it.</summary>
public sealed record JobInfo
{
    /// <summary>The job's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Its queue.</summary>
    public required string Name { get; init; }

    /// <summary>Its time to run.</summary>
    public required TimeSpan Ttr { get; init; }

    /// <summary>Its time to live; <see cref="TimeSpan.Zero"/> for a foreground (<c>run</c>) job, which has none.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Its data.</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>The attempt limit it was given (0: none of its own).</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>How many times it has been leased.</summary>
    public required int Attempts { get; init; }

    /// <summary>The fail limit it was given.</summary>
    public required int MaxFails { get; init; }

    /// <summary>How many times a worker failed it.</summary>
    public required int Fails { get; init; }

    /// <summary>Its priority.</summary>
    public required int Priority { get; init; }

    /// <summary>Where it is in its life.</summary>
    public required JobState State { get; init; }

    /// <summary>When the server took it, to the second.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>When it becomes (or became) ready, to the second, for a scheduled job; otherwise null.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>
    /// When a job waiting after a retried <c>fail</c> (its back-off, or the worker's
    /// retry-in) may be leased again, to the second; otherwise null.
    /// </summary>
    public DateTimeOffset? RetryAt { get; init; }

    internal static JobInfo FromRecord(InspectRecord record) => new()
    {
        Id = record.LabelAsId(),
        Name = record.Text("name"),
        Ttr = TimeSpan.FromMilliseconds(record.Number("ttr")),
        Ttl = TimeSpan.FromMilliseconds(record.Number("ttl")),
        Payload = record.Payload ?? throw record.Missing("payload"),
        MaxAttempts = record.Int32("max-attempts"),
        Attempts = record.Int32("attempts"),
        MaxFails = record.Int32("max-fails"),
        Fails = record.Int32("fails"),
        Priority = record.Int32("priority"),
        State = (JobState)record.Int32("state"),
        Created = record.Time("created"),
        Time = record.Has("time") ? record.Time("time") : null,
        RetryAt = record.Has("retry-at") ? record.Time("retry-at") : null,
    };
}
