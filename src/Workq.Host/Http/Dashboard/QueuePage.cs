using System.Text;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// <c>/queues/{name}</c>: a queue's counts and rates (live), and its ready, scheduled,
/// leased and failed jobs a page at a time, in the order the server takes them
/// (<c>?list=failed&amp;offset=40</c>); its failed jobs can be put back all at once.
/// </summary>
internal static class QueuePage
{
    public const int PageSize = 25;

    public static async Task RenderAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        string text = (string)context.Request.RouteValues["name"]!;
        if (JobNameModule.tryCreate(text) is not { } someName)
        {
            await Layout.ProblemAsync(context, services, 400, "No such queue", "A queue name is 1 to 255 letters, digits and - _ . : characters.");
            return;
        }
        JobName name = someName.Value;
        long now = services.Now;
        QueueRow row = StateViews.Queue(state, services.Activity, now, name)
            ?? StateViews.Empty(name, services.Activity);
        JobList list = ListParameter(context.Request.Query["list"].ToString());
        JobListPage page = StateViews.Page(state, name, list, Offset(context.Request), PageSize);

        var html = new StringBuilder();
        html.Append("<h1>Queue ").Append(E(name.Value)).Append("</h1>");
        html.Append("<div id=\"queue-live\" data-queue=\"").Append(E(name.Value)).Append("\" class=\"cards\">");
        Card(html, "Ready", N(row.Ready), "queue-ready");
        Card(html, "Scheduled", N(row.Scheduled), "queue-scheduled");
        Card(html, "Leased", N(row.Leased), "queue-leased");
        Card(html, "Failed", N(row.Failed), "queue-failed");
        Card(html, "Waiting workers", N(row.Workers), "queue-workers");
        Card(html, "Oldest ready", row.OldestReadyMs is { } age ? (row.OldestExact ? "" : "≥ ") + Span(age) : "–", "queue-oldest");
        Card(html, "Added per second", Rate(row.Rate.Added) + "/s", "queue-added");
        Card(html, "Completed per second", Rate(row.Rate.Completed) + "/s", "queue-completed");
        Card(html, "Failed per second", Rate(row.Rate.Failed) + "/s", "queue-failed-rate");
        html.Append("</div>");
        if (row.Failed > 0)
        {
            html.Append("<div class=\"actions\"><form action=\"/actions/queues/").Append(E(Segment(name.Value))).Append("/requeue-failed\" method=\"post\" data-confirm=\"Put every failed job of this queue back in it?\">")
                .Append(Layout.CsrfField).Append("<button>Requeue all ").Append(N(row.Failed)).Append(" failed jobs</button></form></div>");
        }

        html.Append("<h2>Jobs</h2><nav class=\"tabs\" aria-label=\"Lists\">");
        foreach (JobList each in Enum.GetValues<JobList>())
        {
            string label = each.ToString();
            html.Append("<a href=\"/queues/").Append(E(Segment(name.Value))).Append("?list=").Append(label.ToLowerInvariant()).Append('"')
                .Append(each == list ? " aria-current=\"page\"" : "").Append('>').Append(label).Append("</a>");
        }
        html.Append("</nav>");
        html.Append("<p class=\"note\">").Append(Order(list)).Append("</p>");
        JobTable(html, state, page, list, now);
        Pager(html, page.Offset, page.Jobs.Count, PageSize, page.Total,
            offset => $"/queues/{E(Segment(name.Value))}?list={page.List.ToString().ToLowerInvariant()}&amp;offset={offset}");
        await Layout.WriteAsync(context, services, "Queue " + name.Value, "/", html.ToString());
    }

    public static JobList ListParameter(string text) =>
        Enum.TryParse(text, ignoreCase: true, out JobList list) && Enum.IsDefined(list) ? list : JobList.Ready;

    private static string Order(JobList list) => list switch
    {
        JobList.Ready => "In the order lease takes them: highest priority first, then longest ready.",
        JobList.Scheduled => "Jobs waiting for their time or for a retry, soonest first.",
        JobList.Leased => "Jobs being worked on, soonest lease end first.",
        _ => "Jobs that ended failed, newest failure first.",
    };

    private static void JobTable(StringBuilder html, State state, JobListPage page, JobList list, long now)
    {
        if (page.Jobs.Count == 0)
        {
            html.Append("<p class=\"note\">None.</p>");
            return;
        }
        string when = list switch
        {
            JobList.Scheduled => "Due",
            JobList.Leased => "Lease ends",
            JobList.Failed => "Failed",
            _ => "Ready since",
        };
        html.Append("<div class=\"table-wrap\"><table class=\"jobs\"><thead><tr><th>Id</th><th class=\"num\">Priority</th><th class=\"num\">Attempts</th><th class=\"num\">Fails</th>")
            .Append("<th>").Append(when).Append("</th><th class=\"num hide-narrow\">Payload</th><th class=\"hide-narrow\">Created</th></tr></thead><tbody>");
        foreach (Job job in page.Jobs)
        {
            string id = job.Id.ToString();
            html.Append("<tr><td><a href=\"/jobs/").Append(id).Append("\"><code>").Append(id).Append("</code></a></td>")
                .Append("<td class=\"num\">").Append(job.Priority).Append("</td><td class=\"num\">").Append(job.Attempts).Append("</td><td class=\"num\">").Append(job.Fails).Append("</td><td>")
                .Append(list switch
                {
                    JobList.Scheduled => Relative(JobModule.dueAt(job), now),
                    JobList.Leased when job.Status is Status.Leased leased => Relative(leased.until, now),
                    JobList.Failed when FailedJobsModule.failedAt(job.Id, state.Failed) is { } failedAt => Relative(failedAt.Value, now),
                    _ => Relative(JobModule.readySince(job), now),
                })
                .Append("</td><td class=\"num hide-narrow\">").Append(Bytes(job.Payload.LongLength)).Append("</td><td class=\"hide-narrow\">").Append(At(job.Created)).Append("</td></tr>");
        }
        html.Append("</tbody></table></div>");
    }

    private static string Relative(long at, long now) =>
        $"<time datetime=\"{At(at)}\" title=\"{At(at)}\">{(at >= now ? "in " + Span(at - now) : Span(now - at) + " ago")}</time>";
}
