namespace Workq.Client;

/// <summary>A queue as <c>inspect queue</c> and <c>inspect queues</c> show it.</summary>
public sealed record QueueInfo
{
    /// <summary>The queue's name.</summary>
    public required string Name { get; init; }

    /// <summary>Jobs ready to be leased.</summary>
    public required int ReadyLength { get; init; }

    /// <summary>Jobs waiting for their scheduled time.</summary>
    public required int ScheduledLength { get; init; }

    /// <summary>Jobs held by workers.</summary>
    public required int LeasedLength { get; init; }

    /// <summary>Workers waiting in <c>lease</c> on this name; null from a server that does not report it.</summary>
    public int? Workers { get; init; }

    /// <summary>
    /// Jobs of this name that ended failed and are still kept (see
    /// <see cref="WorkqClient.InspectFailedJobsAsync"/>); null from a server that does not report it.
    /// </summary>
    public int? FailedLength { get; init; }

    /// <summary>A queue the server does not have: nothing in it, nobody waiting on it.</summary>
    internal static QueueInfo Empty(string name) => new()
    {
        Name = name,
        ReadyLength = 0,
        ScheduledLength = 0,
        LeasedLength = 0,
        Workers = 0,
        FailedLength = 0,
    };

    internal static QueueInfo FromRecord(InspectRecord record) => new()
    {
        Name = record.Label,
        ReadyLength = record.Int32("ready-len"),
        ScheduledLength = record.Int32("scheduled-len"),
        LeasedLength = record.Int32("leased-len"),
        Workers = record.Has("workers") ? record.Int32("workers") : null,
        FailedLength = record.Has("failed-len") ? record.Int32("failed-len") : null,
    };
}
