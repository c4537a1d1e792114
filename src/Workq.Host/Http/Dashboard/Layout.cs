using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The frame of every dashboard page: navigation, the job finder, the theme switch, sign-out
/// and the notice of what an action did. Pages are rendered on the server: each works
/// without script, and the one script (<c>/assets/dashboard.js</c>) keeps figures current.
/// The headers forbid every script, style and frame but the server's own.
/// </summary>
internal static class Layout
{
    /// <summary>The sections of the navigation, by the path each starts at.</summary>
    private static readonly (string Path, string Label)[] Sections = [("/", "Overview"), ("/recurring", "Recurring"), ("/cluster", "Cluster")];

    /// <summary>What an action redirected back with, as the notice shown; fixed texts, never taken from the address.</summary>
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["deleted"] = "The job was deleted.",
        ["requeued"] = "The job was put back in its queue.",
        ["requeued-all"] = "The queue's failed jobs were put back in it.",
        ["added"] = "The job was added.",
    };

    public static async Task WriteAsync(HttpContext context, DashboardServices services, string title, string section, string main, int status = 200)
    {
        string csrf = services.Csrf.TokenFor(context);
        var page = new StringBuilder(main.Length + 2048);
        page.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · Workq</title>")
            .Append("<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">")
            .Append("<link rel=\"stylesheet\" href=\"/assets/dashboard.css?v=").Append(E(DashboardServices.Version)).Append("\">")
            .Append("<script src=\"/assets/dashboard.js?v=").Append(E(DashboardServices.Version)).Append("\" defer></script>")
            .Append("</head><body><a class=\"skip\" href=\"#main\">Skip to content</a><header><nav aria-label=\"Dashboard\">")
            .Append("<a class=\"brand\" href=\"/\">Workq</a>");
        foreach (var (path, label) in Sections)
        {
            page.Append("<a href=\"").Append(path).Append('"').Append(path == section ? " aria-current=\"page\"" : "").Append('>')
                .Append(label).Append("</a>");
        }
        page.Append("<span class=\"spacer\"></span>")
            .Append("<form action=\"/find\" method=\"get\" role=\"search\"><input name=\"id\" placeholder=\"Find a job by id\" aria-label=\"Find a job by id\" size=\"24\"></form>")
            .Append("<button type=\"button\" id=\"theme\" class=\"secondary\">Theme</button>");
        if (context.User.Identity?.IsAuthenticated == true && context.User.Identity.AuthenticationType == Access.HttpAccess.SessionScheme)
        {
            page.Append("<form action=\"/logout\" method=\"post\"><input type=\"hidden\" name=\"csrf\" value=\"").Append(E(csrf)).Append("\">")
                .Append("<button class=\"secondary\" title=\"Signed in as ").Append(E(context.User.FindFirstValue(ClaimTypes.Name))).Append("\">Sign out</button></form>");
        }
        page.Append("</nav></header><main id=\"main\">");
        if (context.Request.Query["done"].ToString() is { Length: > 0 } done && Notices.TryGetValue(done, out string? notice))
            page.Append("<p class=\"notice\" role=\"status\">").Append(E(notice)).Append("</p>");
        page.Append(main.Replace(CsrfSlot, E(csrf), StringComparison.Ordinal));
        page.Append("</main></body></html>\n");

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        Secure(context.Response);
        await context.Response.WriteAsync(page.ToString(), context.RequestAborted);
    }

    /// <summary>Where a page's forms want the CSRF token: <see cref="WriteAsync"/> puts it there.</summary>
    public const string CsrfSlot = "\u0001csrf\u0001";

    /// <summary>A form field carrying the CSRF token.</summary>
    public const string CsrfField = "<input type=\"hidden\" name=\"csrf\" value=\"" + CsrfSlot + "\">";

    /// <summary>A page whose subject is not there, or an action refused: its status and one paragraph.</summary>
    public static Task ProblemAsync(HttpContext context, DashboardServices services, int status, string title, string message) =>
        WriteAsync(context, services, title, "", $"<h1>{E(title)}</h1><p class=\"notice error\" role=\"alert\">{E(message)}</p><p><a href=\"/\">Back to the overview</a></p>", status);

    /// <summary>Headers of every dashboard response: its own scripts and styles only, never in a frame, nothing cached.</summary>
    public static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        response.Headers.CacheControl = "no-store";
    }
}
