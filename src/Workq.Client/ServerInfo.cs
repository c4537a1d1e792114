namespace Workq.Client;

/// <summary>The server as <c>inspect server</c> shows it.</summary>
public sealed record ServerInfo
{
    /// <summary>Open client connections, this one included.</summary>
    public required int ActiveClients { get; init; }

    /// <summary>Jobs whose time to live ran out before they finished.</summary>
    public required long EvictedJobs { get; init; }

    /// <summary>When the server started, to the second.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>Jobs held, finished or not; null from a server that does not report it.</summary>
    public long? Jobs { get; init; }

    /// <summary>Queues that exist; null from a server that does not report it.</summary>
    public long? Queues { get; init; }

    /// <summary>Jobs that ended failed and are still kept; null from a server that does not report it.</summary>
    public long? FailedJobs { get; init; }
    /// <summary>
    /// <c>standalone</c> for a server on its own, <c>leader</c> for a cluster's leader (which
    /// answers for the whole cluster); null from a server that does not report it.
    /// </summary>
    public string? Role { get; init; }

    /// <summary>The cluster leader's client address; null when unknown, on its own, or not reported.</summary>
    public string? Leader { get; init; }

    /// <summary>The cluster's Raft term (0 on its own); null from a server that does not report it.</summary>
    public long? Term { get; init; }

    /// <summary>The index of the last committed log entry (0 on its own); null from a server that does not report it.</summary>
    public long? CommitIndex { get; init; }

    /// <summary>Every key of the record as the server sent it, those above included, in order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Keys { get; init; }

    internal static ServerInfo FromRecord(InspectRecord record) => new()
    {
        ActiveClients = record.Int32("active-clients"),
        EvictedJobs = record.Number("evicted-jobs"),
        Started = record.Time("started"),
        Jobs = record.Has("jobs") ? record.Number("jobs") : null,
        Queues = record.Has("queues") ? record.Number("queues") : null,
        FailedJobs = record.Has("failed-jobs") ? record.Number("failed-jobs") : null,
        Role = record.Has("role") ? record.Text("role") : null,
        Leader = record.Has("leader") && record.Text("leader").Length > 0 ? record.Text("leader") : null,
        Term = record.Has("term") ? record.Number("term") : null,
        CommitIndex = record.Has("commit-index") ? record.Number("commit-index") : null,
        Keys = record.TextKeys,
    };
}
