using System.Net;

namespace Workq.Host.Cluster;

/// <summary>
/// Membership of a cluster, as configured (the <c>-cluster-*</c> flags in
/// <see cref="Configuration.ServerFlags"/>). No Raft address: a server on its own.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>The election timeout's default range, in milliseconds.</summary>
    public static readonly ElectionTimeout DefaultElectionTimeout = new(300, 600);

    /// <summary>This member's Raft address: where the members reach it, and the name they know it by.</summary>
    public IPEndPoint? Listen { get; set; }

    /// <summary>
    /// Every founding member's Raft address, this one's included; a member not among them
    /// is new, and waits to be added.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Peers { get; set; } = [];

    public ElectionTimeout ElectionTimeout { get; set; } = DefaultElectionTimeout;

    /// <summary>
    /// How long a member waits for another's answer to any request, a snapshot's transfer
    /// included: half the lower election timeout. A pre-vote, a vote and a new leader's
    /// first round each wait this long for a member that does not answer (paused, or cut
    /// off without a reset); DotNext's default, the whole lower election timeout, let a
    /// paused leader's failover take over 2 s.
    /// </summary>
    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(ElectionTimeout.Lower / 2);

    public bool IsMember => Listen is not null;
}

/// <summary>How long a follower waits without hearing from a leader before it stands for election: a random time in [Lower, Upper] ms.</summary>
public readonly record struct ElectionTimeout(int Lower, int Upper)
{
    public override string ToString() => $"{Lower}-{Upper}";
}
