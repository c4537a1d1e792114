using Microsoft.AspNetCore.Http;
using Workq.Host.Http.Access;
using Workq.Host.Security;
using static Workq.Host.Http.Dashboard.Html;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// <c>/login</c>: a token once, then a session cookie (<see cref="Sessions"/>); and
/// <c>/logout</c>. A wrong token is answered after the same delay as on the job port.
/// </summary>
internal static class SignInPage
{
    public static async Task RenderAsync(HttpContext context, DashboardServices services) =>
        await FormAsync(context, services, error: null, status: 200);

    public static async Task SignInAsync(HttpContext context, DashboardServices services, Sessions sessions)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!services.Csrf.Allows(context, form[Csrf.Field]))
        {
            await FormAsync(context, services, "The form had expired: sign in again.", StatusCodes.Status403Forbidden);
            return;
        }
        string token = form["token"].ToString().Trim();
        if (!services.SignIn)
        {
            context.Response.Redirect("/", permanent: false);
            return;
        }
        if (token.Length == 0 || services.Tokens.NameOf(token) is null)
        {
            await Task.Delay(AuthTokens.WrongTokenDelay, context.RequestAborted);
            await FormAsync(context, services, "That token is not one of the server's.", StatusCodes.Status401Unauthorized);
            return;
        }
        string id = sessions.Start(token);
        context.Response.Cookies.Append(Sessions.CookieName, id, Csrf.Cookie(context));
        context.Response.Redirect(LocalPath(context.Request.Query["next"].ToString()), permanent: false);
    }

    public static async Task SignOutAsync(HttpContext context, DashboardServices services, Sessions sessions)
    {
        IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!services.Csrf.Allows(context, form[Csrf.Field]))
        {
            await Layout.ProblemAsync(context, services, StatusCodes.Status403Forbidden, "Refused", "The request did not come from this dashboard's page.");
            return;
        }
        if (context.Request.Cookies[Sessions.CookieName] is { } id)
            sessions.End(id);
        context.Response.Cookies.Delete(Sessions.CookieName, Csrf.Cookie(context));
        context.Response.Redirect("/login", permanent: false);
    }

    /// <summary>Where to go once signed in: a path of this server only, never another site.</summary>
    private static string LocalPath(string next) =>
        next.StartsWith('/') && !next.StartsWith("//", StringComparison.Ordinal) && !next.StartsWith("/\\", StringComparison.Ordinal) ? next : "/";

    private static Task FormAsync(HttpContext context, DashboardServices services, string? error, int status)
    {
        string next = LocalPath(context.Request.Query["next"].ToString());
        string main = services.SignIn
            ? "<div class=\"login panel\"><h1>Sign in</h1>"
              + (error is null ? "" : $"<p class=\"notice error\" role=\"alert\">{E(error)}</p>")
              + $"<form action=\"/login?next={E(Uri.EscapeDataString(next))}\" method=\"post\">{Layout.CsrfField}"
              + "<label>Token<input name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus></label>"
              + "<p class=\"note\">One of the server's tokens (<code>-auth-tokens</code>), as clients give with <code>auth</code>.</p>"
              + "<button>Sign in</button></form></div>"
            : "<div class=\"login panel\"><h1>Sign in</h1><p>This server checks no tokens: there is nothing to sign in to. <a href=\"/\">Go to the overview</a>.</p></div>";
        return Layout.WriteAsync(context, services, "Sign in", "", main, status);
    }
}
