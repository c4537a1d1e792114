using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Workq.Host.Http.Access;

/// <summary>
/// A dashboard session's cookie (<see cref="Sessions"/>), the request's user then being
/// its token's name. It never answers a challenge itself: the bearer scheme's 401 does for
/// scripts, and <see cref="SignInRedirect"/> sends a browser's page request to sign in.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    Sessions sessions, IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? id = Request.Cookies[Sessions.CookieName];
        if (id is null || sessions.UserOf(id) is not { } name)
            return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Task.CompletedTask;
}
