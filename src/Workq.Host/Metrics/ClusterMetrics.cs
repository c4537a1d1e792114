using System.Diagnostics.Metrics;
using Workq.Host.Cluster;

namespace Workq.Host.Metrics;

/// <summary>
/// A cluster member's part, as metrics read when collected: its role, its term, the last
/// index it knows committed and the last it applied, the leaders it has seen elected and
/// the snapshots it took from a leader. Every member reports its own, so a scrape of each
/// shows how far each follower is behind: the leader's commit index minus the follower's
/// applied index.
/// </summary>
internal sealed class ClusterMetrics
{
    private static readonly (NodeRole Role, string Name)[] Roles =
        [(NodeRole.Leader, "leader"), (NodeRole.Follower, "follower"), (NodeRole.Candidate, "candidate"), (NodeRole.Standby, "standby")];

    public ClusterMetrics(ServerMeter serverMeter, ClusterNode node)
    {
        Meter meter = serverMeter.Meter;
        meter.CreateObservableGauge("workq.cluster.role", () => ObserveRole(node), "{member}",
            "1 for this member's role in its cluster (leader, follower, candidate: no leader known, standby: not a member), 0 for the others");
        meter.CreateObservableGauge("workq.cluster.term", () => node.Term, "{term}", "The Raft term this member is in");
        meter.CreateObservableGauge("workq.cluster.commit_index", () => node.CommitIndex, "{entry}",
            "The index of the last entry of the replicated log this member knows committed");
        meter.CreateObservableGauge("workq.cluster.applied_index", () => node.AppliedIndex, "{entry}",
            "The index of the last entry this member applied to its state; a follower's lag is the leader's commit index minus this");
        meter.CreateObservableCounter("workq.cluster.elections", () => node.LeadersSeen, "{election}",
            "Leaders this member learnt of since it started: one per election won");
        meter.CreateObservableCounter("workq.cluster.snapshot_installs", () => node.SnapshotInstalls, "{snapshot}",
            "Snapshots this member took from a leader, having fallen behind its compacted log");
    }

    private static IEnumerable<Measurement<int>> ObserveRole(ClusterNode node)
    {
        NodeRole now = node.Role();
        foreach ((NodeRole role, string name) in Roles)
            yield return new Measurement<int>(role == now ? 1 : 0, new KeyValuePair<string, object?>(Attributes.Role, name));
    }
}
