using System.Text;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// <c>/</c>: the server (version, uptime, connections, role), its jobs by state, charts of
/// jobs added, completed and failed per second, the queues table (sortable, filterable,
/// live), and a form to add a job for trying things out.
/// </summary>
internal static class OverviewPage
{
    /// <summary>Rows rendered into the page and sent by the API at most; a filter narrows the rest.</summary>
    public const int MaxQueueRows = 500;

    public static async Task RenderAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        JobCounts jobs = StateViews.Count(state);
        string filter = context.Request.Query["filter"].ToString();
        var (rows, matched) = StateViews.Queues(state, services.Activity, services.Now, filter, MaxQueueRows);
        var cluster = services.States.Cluster;
        string role = cluster is null ? "standalone" : cluster.Role().ToString().ToLowerInvariant();

        var html = new StringBuilder();
        html.Append("<h1>Overview</h1><div id=\"overview\">");
        html.Append("<div class=\"cards\">");
        string[] version = DashboardServices.Version.Split('+', 2);
        Card(html, "Version", E(version[0]) + (version.Length > 1 ? $"<small title=\"{E(version[1])}\">{E(version[1][..Math.Min(12, version[1].Length)])}</small>" : ""), null);
        Card(html, "Uptime", Span((long)services.Uptime.TotalMilliseconds), "uptime");
        Card(html, "Connections", N(services.Connections), "connections");
        Card(html, "Role", E(role), null);
        Card(html, "Queues", N(state.Queues.Count), "queues");
        Card(html, "Stored bytes", N(state.StoredBytes), "stored");
        html.Append("</div><h2>Jobs</h2><div class=\"cards\">");
        Card(html, "Ready", N(jobs.Ready), "jobs-ready");
        Card(html, "Scheduled", N(jobs.Scheduled), "jobs-scheduled");
        Card(html, "Leased", N(jobs.Leased), "jobs-leased");
        Card(html, "Failed", N(jobs.Failed), "jobs-failed");
        Card(html, "Completed", N(jobs.Completed), "jobs-completed");
        Card(html, "All", N(jobs.Total), "jobs-total");
        html.Append("</div>");
        html.Append("<h2>Activity</h2><div class=\"legend\"><span class=\"added\">added</span><span class=\"completed\">completed</span><span class=\"failed\">failed</span> <span>jobs per second</span></div>");
        html.Append("<div class=\"charts\"><figure class=\"panel chart\"><figcaption>Last 5 minutes</figcaption><svg id=\"chart-minutes\" role=\"img\" aria-label=\"Jobs per second over the last 5 minutes\"></svg></figure>");
        html.Append("<figure class=\"panel chart\"><figcaption>Last hour</figcaption><svg id=\"chart-hour\" role=\"img\" aria-label=\"Jobs per second over the last hour, by minute\"></svg></figure></div>");
        html.Append("</div>");

        html.Append("<h2>Queues</h2><form class=\"toolbar\" action=\"/\" method=\"get\" role=\"search\">")
            .Append("<input id=\"queue-filter\" name=\"filter\" type=\"search\" placeholder=\"Filter by name\" aria-label=\"Filter queues by name\" value=\"").Append(E(filter)).Append("\">")
            .Append("<span id=\"queues-shown\" class=\"note\">").Append(rows.Count < matched ? $"showing {rows.Count} of {matched}" : $"{matched} queues").Append("</span></form>");
        html.Append("<div class=\"table-wrap\"><table id=\"queues\"><thead><tr>");
        foreach (var (key, label, cls) in Columns)
            html.Append("<th data-key=\"").Append(key).Append("\" class=\"").Append(cls).Append("\"").Append(key == "name" ? " aria-sort=\"ascending\"" : "").Append("><button type=\"button\">").Append(label).Append("</button></th>");
        html.Append("</tr></thead><tbody>");
        foreach (QueueRow q in rows)
        {
            html.Append("<tr data-queue=\"").Append(E(q.Name)).Append("\"><td class=\"name\"><a href=\"/queues/").Append(E(Segment(q.Name))).Append("\">").Append(E(q.Name)).Append("</a></td>")
                .Append("<td class=\"num\">").Append(N(q.Ready)).Append("</td><td class=\"num\">").Append(N(q.Scheduled)).Append("</td>")
                .Append("<td class=\"num\">").Append(N(q.Leased)).Append("</td><td class=\"num\">").Append(N(q.Failed)).Append("</td>")
                .Append("<td class=\"num hide-narrow\">").Append(N(q.Workers)).Append("</td>")
                .Append("<td class=\"num hide-narrow\">").Append(q.OldestReadyMs is { } age ? (q.OldestExact ? "" : "≥ ") + Span(age) : "–").Append("</td>")
                .Append("<td class=\"num hide-narrow\">").Append(Rate(q.Rate.Added)).Append("</td><td class=\"num hide-narrow\">").Append(Rate(q.Rate.Completed)).Append("</td>")
                .Append("<td class=\"num hide-narrow\">").Append(Rate(q.Rate.Failed)).Append("</td></tr>");
        }
        html.Append("</tbody></table></div>");
        if (rows.Count == 0)
            html.Append("<p class=\"note\">No queues yet: a queue exists while it holds a job or a waiting worker.</p>");
        AddForm(html);
        await Layout.WriteAsync(context, services, "Overview", "/", html.ToString());
    }

    private static readonly (string Key, string Label, string Class)[] Columns =
    [
        ("name", "Queue", ""), ("ready", "Ready", "num"), ("scheduled", "Scheduled", "num"), ("leased", "Leased", "num"),
        ("failed", "Failed", "num"), ("workers", "Workers", "num hide-narrow"), ("oldestReadySeconds", "Oldest ready", "num hide-narrow"),
        ("addedPerSecond", "Added/s", "num hide-narrow"), ("completedPerSecond", "Completed/s", "num hide-narrow"),
        ("failedPerSecond", "Failed/s", "num hide-narrow"),
    ];

    private static void AddForm(StringBuilder html)
    {
        html.Append("<h2>Add a job</h2><details class=\"panel\"><summary>For trying things out: a job added as <code>add</code> or <code>schedule</code> would add it</summary>")
            .Append("<form action=\"/actions/add\" method=\"post\" data-confirm=\"Add this job?\">").Append(Layout.CsrfField)
            .Append("<div class=\"form-grid\">")
            .Append("<label>Queue name<input name=\"name\" required maxlength=\"255\" autocomplete=\"off\"></label>")
            .Append("<label>TTR (ms)<input name=\"ttr\" type=\"number\" min=\"1\" max=\"86400000\" value=\"60000\" required></label>")
            .Append("<label>TTL (ms)<input name=\"ttl\" type=\"number\" min=\"1\" max=\"2592000000\" value=\"3600000\" required></label>")
            .Append("<label>Priority<input name=\"priority\" type=\"number\" value=\"0\" required></label>")
            .Append("<label>Run at (UTC, empty: now)<input name=\"time\" type=\"datetime-local\" step=\"1\"></label>")
            .Append("<label class=\"wide\">Payload<textarea name=\"payload\"></textarea></label>")
            .Append("</div><p><button>Add job</button></p></form></details>");
    }
}
