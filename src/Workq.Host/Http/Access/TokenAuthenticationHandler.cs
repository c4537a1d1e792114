using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Workq.Host.Security;

namespace Workq.Host.Http.Access;

/// <summary>
/// The HTTP port's check of the server's tokens: <c>Authorization: Bearer &lt;token&gt;</c>,
/// the request's user then being the token's name. A wrong token is answered after the
/// same delay as on the job port; a request without one is answered at once.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    AuthTokens tokens, IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Bearer = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        string? name = tokens.NameOf(header[Bearer.Length..].Trim());
        if (name is null)
        {
            await Task.Delay(AuthTokens.WrongTokenDelay, Context.RequestAborted);
            return AuthenticateResult.Fail("wrong token");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer realm=\"workq\"" : "Bearer realm=\"workq\", error=\"invalid_token\"";
        Response.ContentType = "text/plain; charset=utf-8";
        await Response.WriteAsync(
            result.Failure is null ? "Authentication required: send Authorization: Bearer <token>\n" : "Authentication failed: wrong token\n",
            Context.RequestAborted);
    }
}
