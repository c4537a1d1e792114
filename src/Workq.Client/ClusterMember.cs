namespace Workq.Client;

/// <summary>A member of a cluster as <c>cluster status</c> shows it: seen from its leader.</summary>
public sealed record ClusterMember
{
    /// <summary>Its Raft address, <c>HOST:PORT</c>, which names it.</summary>
    public required string Address { get; init; }

    /// <summary>The address its clients reach it at; null when the leader does not know it.</summary>
    public string? Client { get; init; }

    /// <summary><c>leader</c> or <c>follower</c>.</summary>
    public required string Role { get; init; }

    /// <summary>Whether the leader reaches it: <c>available</c>, <c>unavailable</c> or <c>unknown</c>.</summary>
    public required string Status { get; init; }

    internal static ClusterMember FromRecord(InspectRecord record) => new()
    {
        Address = record.Label,
        Client = record.Text("client") is { Length: > 0 } client ? client : null,
        Role = record.Text("role"),
        Status = record.Text("status"),
    };
}
