using System.Text;

namespace Workq.Client;

/// <summary>A recurring definition as <c>inspect recurring</c> shows it.</summary>
public sealed record RecurringInfo
{
    /// <summary>Its key.</summary>
    public required string Key { get; init; }

    /// <summary>The queue its jobs go to.</summary>
    public required string Name { get; init; }

    /// <summary>Its cron expression as the protocol writes it, fields joined by <c>_</c>.</summary>
    public required string Cron { get; init; }

    /// <summary>Each job's time to run.</summary>
    public required TimeSpan Ttr { get; init; }

    /// <summary>Each job's time to live.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Each job's data.</summary>
    public required ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>Each job's attempt limit.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>Each job's fail limit.</summary>
    public required int MaxFails { get; init; }

    /// <summary>Each job's priority.</summary>
    public required int Priority { get; init; }

    /// <summary>Each job's back-off.</summary>
    public required TimeSpan Backoff { get; init; }

    /// <summary>Whether occurrences overlap.</summary>
    public required RecurringOverlap Overlap { get; init; }

    /// <summary>When it was set, to the second.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Its next occurrence, to the second; null when its expression has no more.</summary>
    public DateTimeOffset? Next { get; init; }

    /// <summary>The id of the job of its latest occurrence that added one; null before the first.</summary>
    public Guid? LastJob { get; init; }

    internal static RecurringInfo FromRecord(InspectRecord record) => new()
    {
        Key = record.Label,
        Name = record.Text("name"),
        Cron = record.Text("cron"),
        Ttr = record.Millis("ttr"),
        Ttl = record.Millis("ttl"),
        Payload = record.Payload ?? throw record.Missing("payload"),
        MaxAttempts = record.Int32("max-attempts"),
        MaxFails = record.Int32("max-fails"),
        Priority = record.Int32("priority"),
        Backoff = record.Millis("backoff"),
        Overlap = record.Text("overlap") switch
        {
            "allow" => RecurringOverlap.Allow,
            "skip" => RecurringOverlap.Skip,
            string other => throw new InvalidDataException($"record {record.Label} has an unknown overlap: '{other}'"),
        },
        Created = record.Time("created"),
        Next = record.Has("next") ? record.Time("next") : null,
        LastJob = record.Has("last-job")
            ? Guid.TryParseExact(record.Text("last-job"), "D", out Guid id) ? id : throw new InvalidDataException($"record {record.Label} has a malformed last-job")
            : null,
    };
}
