using System.Text;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.AspNetCore.Http;
using Workq.Host.Cluster;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// <c>/cluster</c>: this member's role, the Raft term and commit index, the leader's client
/// address, and the members as this one sees them; "not configured" for a server on its own.
/// </summary>
internal static class ClusterPage
{
    public static async Task RenderAsync(HttpContext context, DashboardServices services)
    {
        var html = new StringBuilder("<h1>Cluster</h1>");
        if (services.States.Cluster is not { } node)
        {
            html.Append("<p class=\"panel\">Not configured: this server runs on its own. A cluster's members are started with ")
                .Append("<code>-cluster-listen</code> and <code>-cluster-peers</code> (see doc/cluster.md).</p>");
        }
        else
        {
            html.Append("<div class=\"cards\">");
            Card(html, "Role", node.Role().ToString().ToLowerInvariant(), "cluster-role");
            Card(html, "Leader", node.LeaderClientAddress is { Length: > 0 } leader ? E(leader) : "unknown", null);
            Card(html, "Term", N(node.Term), null);
            Card(html, "Commit index", N(node.CommitIndex), null);
            Card(html, "Applied index", N(node.AppliedIndex), null);
            html.Append("</div>");
            if (!node.Leads)
                html.Append("<p class=\"note\">This member follows: what it shows is what it has applied, and actions are taken on the leader (a follower's engine serves nobody).</p>");
            html.Append("<h2>Members</h2><div class=\"table-wrap\"><table><thead><tr><th>Raft address</th><th>Client address</th><th>Role</th><th>Status</th></tr></thead><tbody>");
            foreach (RaftClusterMember member in node.Raft.Members.OrderBy(m => m.EndPoint.ToString(), StringComparer.Ordinal))
            {
                string client = member.TryGetMetadata() is { } metadata && metadata.TryGetValue(MembershipAdmin.ClientKey, out string? c) ? c : "";
                string status = !member.IsRemote ? "this member" : member.Status switch
                {
                    ClusterMemberStatus.Available => "available",
                    ClusterMemberStatus.Unavailable => "unavailable",
                    _ => "unknown",
                };
                html.Append("<tr><td>").Append(E(member.EndPoint.ToString())).Append("</td><td>").Append(E(client)).Append("</td><td>")
                    .Append(member.IsLeader ? "leader" : "follower").Append("</td><td>").Append(status).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
        }
        await Layout.WriteAsync(context, services, "Cluster", "/cluster", html.ToString());
    }
}
