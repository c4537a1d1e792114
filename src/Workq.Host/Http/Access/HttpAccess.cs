using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Workq.Host.Security;

namespace Workq.Host.Http.Access;

/// <summary>
/// Who may use the HTTP port, in one place: with tokens (<c>-auth-tokens</c>) every
/// endpoint requires an authenticated user unless it is mapped with
/// <c>AllowAnonymous()</c> (<c>/healthz</c>, the dashboard's sign-in page and its style and
/// script are), and so does a path that matches nothing (a stranger learns no paths). Users
/// are authenticated by the schemes of <see cref="Schemes"/>: a bearer token
/// (<see cref="TokenAuthenticationHandler"/>) or a dashboard session's cookie
/// (<see cref="SessionAuthenticationHandler"/>); a browser without either is sent to sign in
/// (<see cref="SignInRedirect"/>). Without tokens everyone may use every endpoint, as the
/// job port lets them.
/// </summary>
internal static class HttpAccess
{
    /// <summary>The bearer token's scheme.</summary>
    public const string TokenScheme = "Bearer";

    /// <summary>The dashboard session's scheme.</summary>
    public const string SessionScheme = "Session";

    /// <summary>The schemes any of which authenticates a user.</summary>
    public static readonly string[] Schemes = [TokenScheme, SessionScheme];

    public static void AddServices(IServiceCollection services, AuthTokens tokens)
    {
        services.AddSingleton(tokens);
        services.AddSingleton<Sessions>();
        services.AddSingleton<Csrf>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, SignInRedirect>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenScheme, displayName: null, configureOptions: null)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionScheme, displayName: null, configureOptions: null);
        services.AddAuthorization(options =>
        {
            if (tokens.Enabled)
                options.FallbackPolicy = new AuthorizationPolicyBuilder(Schemes).RequireAuthenticatedUser().Build();
        });
    }

    /// <summary>After routing, before the endpoints.</summary>
    public static void Use(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }
}
