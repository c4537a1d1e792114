using System.Text;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// <c>/jobs/{id}</c>: every field <c>inspect job</c> has, when the job expires, its payload
/// and result made readable (<see cref="DataView"/>), and what can be done to it: delete it,
/// and put it back in its queue if it failed.
/// </summary>
internal static class JobPage
{
    public static async Task RenderAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        string text = (string)context.Request.RouteValues["id"]!;
        if (JobIdModule.tryParse(text) is not { } someId)
        {
            await Layout.ProblemAsync(context, services, 400, "Not a job id", "A job id is a UUID, such as 0190a8e4-5c31-7a52-b3d2-0c8f6d9e1a27.");
            return;
        }
        if (StateViews.Job(state, someId.Value) is not { } view)
        {
            await Layout.ProblemAsync(context, services, 404, "No such job", $"No job {someId.Value} is held: it may have finished and expired, or been deleted.");
            return;
        }
        Job job = view.Job;
        long now = services.Now;
        string id = job.Id.ToString();
        var html = new StringBuilder();
        html.Append("<h1>Job <code>").Append(id).Append("</code></h1>");
        html.Append("<div class=\"panel\"><dl class=\"fields\">");
        Field(html, "Queue", $"<a href=\"/queues/{E(Segment(job.Name.Value))}\">{E(job.Name.Value)}</a>");
        Field(html, "State", $"<span class=\"state {view.State}\" data-field=\"job-state\">{view.State}</span> <span class=\"note\">(inspect's state {JobModule.stateCode(job)})</span>");
        Field(html, "Priority", job.Priority.ToString());
        Field(html, "TTR", $"{N(job.Ttr.Ms)} ms");
        Field(html, "TTL", JobModule.ttl(job) is { } ttl ? $"{N(ttl.Value.Ms)} ms" : "none (a run: it lives while its client waits)");
        Field(html, "Attempts", $"{job.Attempts} of {(job.MaxAttempts.Value == 0 ? "unlimited" : job.MaxAttempts.Value.ToString())}");
        Field(html, "Fails", $"{job.Fails} of {(job.MaxFails.Value == 0 ? "unlimited" : job.MaxFails.Value.ToString())}");
        if (view.Backoff > 0)
            Field(html, "Back-off", $"{N(view.Backoff)} ms, doubled after each further fail");
        Field(html, "Created", At(job.Created));
        if (job.Origin is Origin.Scheduled scheduled)
            Field(html, "Scheduled for", At(scheduled.at));
        switch (job.Status)
        {
            case Status.Delayed delayed:
                Field(html, "Retry at", $"{At(delayed.until)} ({Until(delayed.until, now)})");
                break;
            case Status.Leased leased:
                Field(html, "Lease ends", $"{At(leased.until)} ({Until(leased.until, now)})");
                break;
        }
        if (view.FailedAt is { } failedAt)
            Field(html, "Failed at", At(failedAt));
        if (view.ExpiresAt is { } expires)
            Field(html, "Expires", $"{At(expires)} ({Until(expires, now)} left)");
        html.Append("</dl></div>");

        html.Append("<div class=\"actions\">");
        if (view.State == "failed")
        {
            html.Append("<form action=\"/actions/jobs/").Append(id).Append("/requeue\" method=\"post\" data-confirm=\"Put this failed job back in its queue?\">")
                .Append(Layout.CsrfField).Append("<button>Requeue</button></form>");
        }
        html.Append("<form action=\"/actions/jobs/").Append(id).Append("/delete\" method=\"post\" data-confirm=\"Delete this job? This cannot be undone.\">")
            .Append(Layout.CsrfField).Append("<button class=\"danger\">Delete</button></form></div>");

        Data(html, "Payload", "payload", job.Payload);
        if (job.Status is Status.Finished finished)
            Data(html, finished.Item.Success ? "Result" : "Result (the failure's)", "result", finished.Item.Data);
        await Layout.WriteAsync(context, services, "Job " + id, "/", html.ToString());
    }

    private static string Until(long at, long now) => at >= now ? "in " + Span(at - now) : Span(now - at) + " ago";

    private static void Field(StringBuilder html, string label, string valueHtml) =>
        html.Append("<dt>").Append(label).Append("</dt><dd>").Append(valueHtml).Append("</dd>");

    private static void Data(StringBuilder html, string title, string id, byte[] data)
    {
        DataView view = DataView.Of(data);
        html.Append("<h2>").Append(title).Append("</h2><p class=\"note\">").Append(Bytes(view.Size));
        html.Append(view.Kind switch
        {
            DataKind.Json => ", JSON, indented",
            DataKind.Text => ", text",
            _ => ", binary, as a hex dump",
        });
        if (view.Truncated)
            html.Append("; the first ").Append(Bytes(view.Shown)).Append(" shown");
        html.Append("</p>");
        if (view.Size > 0)
            html.Append("<pre class=\"data").Append(view.Kind == DataKind.Hex ? " hex" : "").Append("\" id=\"").Append(id).Append("\">").Append(E(view.Text)).Append("</pre>");
    }
}
