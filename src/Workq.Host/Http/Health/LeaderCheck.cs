using Microsoft.Extensions.Diagnostics.HealthChecks;
using Workq.Host.Cluster;

namespace Workq.Host.Http.Health;

/// <summary>
/// A cluster member is ready while a leader is known: it serves clients itself, or relays
/// them to the leader. Between leaders (an election, a member cut off from the majority,
/// one not yet added) clients would wait or be closed.
/// </summary>
internal sealed class LeaderCheck(ClusterNode node) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        NodeRole role = node.Role();
        return Task.FromResult(role switch
        {
            NodeRole.Leader => HealthCheckResult.Healthy("this member leads the cluster"),
            NodeRole.Follower when node.LeaderClientAddress is { Length: > 0 } leader =>
                HealthCheckResult.Healthy($"following the leader at {leader}"),
            NodeRole.Follower => HealthCheckResult.Unhealthy("the leader's client address is not known yet"),
            NodeRole.Standby => HealthCheckResult.Unhealthy("not a member (yet): add it with workq cluster add"),
            _ => HealthCheckResult.Unhealthy("no leader is known: an election is under way, or the majority is out of reach"),
        });
    }
}
