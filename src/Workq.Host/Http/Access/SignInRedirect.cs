using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Workq.Host.Http.Access;

/// <summary>
/// A browser asking for a page (a GET that accepts HTML) without a session is sent to sign
/// in, and back afterwards; everything else that needs a user (scripts, the JSON API,
/// metrics, the dashboard's actions) gets the bearer scheme's 401.
/// </summary>
internal sealed class SignInRedirect : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged && IsPage(context.Request))
        {
            string back = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/login?next=" + Uri.EscapeDataString(back));
            return Task.CompletedTask;
        }
        return fallback.HandleAsync(next, context, policy, authorizeResult);
    }

    private static bool IsPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/api")
        && !request.Path.StartsWithSegments("/metrics")
        && !request.Path.StartsWithSegments("/readyz");
}
