using Workq.Domain;
using Workq.Host.Cluster;
using Workq.Host.Engine;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The state the dashboard shows: an immutable value taken without a lock, so that no page
/// holds the engine up. On a server on its own, the engine's last published state; on a
/// cluster member, the state of its committed entries, the same on every member (the
/// leader's engine state may include batches a majority has not yet confirmed).
/// </summary>
internal sealed class StateSource(PublishedState published, ClusterNode? cluster = null)
{
    /// <summary>The state; null until the command log has been replayed.</summary>
    public State? Current
    {
        get
        {
            if (cluster is null)
                return published.Current;
            try
            {
                return cluster.State.Current.State;
            }
            catch (InvalidOperationException)
            {
                return null; // the member has not started
            }
        }
    }

    /// <summary>Where the server stands in a cluster; null for a server on its own.</summary>
    public ClusterNode? Cluster => cluster;
}
