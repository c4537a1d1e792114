using System.Text;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary><c>/recurring</c>: the recurring definitions (<c>recur</c>), in byte order of key, with their next occurrence.</summary>
internal static class RecurringPage
{
    public const int PageSize = 100;

    public static async Task RenderAsync(HttpContext context, DashboardServices services)
    {
        if (await services.StateOrUnavailableAsync(context) is not { } state)
            return;
        int offset = Offset(context.Request);
        long now = services.Now;
        int total = state.Recurrences.Count;
        var html = new StringBuilder("<h1>Recurring jobs</h1>");
        if (total == 0)
        {
            html.Append("<p class=\"note\">No recurring definitions: <code>recur</code> (or <code>workq recur</code>) sets one.</p>");
        }
        else
        {
            html.Append("<div class=\"table-wrap\"><table><thead><tr><th>Key</th><th>Queue</th><th>Cron</th><th>Next</th><th class=\"num\">Priority</th><th class=\"hide-narrow\">Overlap</th><th class=\"hide-narrow\">Last job</th></tr></thead><tbody>");
            foreach (var (_, r) in state.Recurrences.Skip(offset).Take(PageSize))
            {
                NewRecurrence spec = r.Spec;
                html.Append("<tr><td class=\"name\">").Append(E(spec.Key.Value)).Append("</td>")
                    .Append("<td class=\"name\"><a href=\"/queues/").Append(E(Segment(spec.Name.Value))).Append("\">").Append(E(spec.Name.Value)).Append("</a></td>")
                    .Append("<td><code>").Append(E(spec.Cron.Token)).Append("</code></td><td>")
                    .Append(r.Next is { } next ? $"{At(next.Value)} (in {Span(Math.Max(0, next.Value - now))})" : "none: the expression has no more")
                    .Append("</td><td class=\"num\">").Append(spec.Priority).Append("</td><td class=\"hide-narrow\">").Append(spec.Overlap.IsSkip ? "skip" : "allow")
                    .Append("</td><td class=\"hide-narrow\">")
                    .Append(r.Last is { } last ? $"<a href=\"/jobs/{last.Value}\"><code>{last.Value}</code></a>" : "–").Append("</td></tr>");
            }
            html.Append("</tbody></table></div>");
            if (total > PageSize)
                Pager(html, offset, Math.Clamp(total - offset, 0, PageSize), PageSize, total, from => $"/recurring?offset={from}");
        }
        await Layout.WriteAsync(context, services, "Recurring jobs", "/recurring", html.ToString());
    }
}
