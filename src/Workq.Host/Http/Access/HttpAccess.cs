using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Workq.Host.Security;

namespace Workq.Host.Http.Access;

/// <summary>
/// Who may use the HTTP port, in one place: with tokens (<c>-auth-tokens</c>) every
/// endpoint requires an authenticated user unless it is mapped with
/// <c>AllowAnonymous()</c> (only <c>/healthz</c> is), and so does a path that matches
/// nothing (a stranger learns no paths). Users are authenticated by the schemes of
/// <see cref="Schemes"/>: the bearer token alone (<see cref="TokenAuthenticationHandler"/>);
/// another scheme (a session cookie, say) is registered beside it and added there. Without
/// tokens everyone may use every endpoint, as the job port lets them.
/// </summary>
internal static class HttpAccess
{
    /// <summary>The bearer token's scheme.</summary>
    public const string TokenScheme = "Bearer";

    /// <summary>The schemes any of which authenticates a user.</summary>
    public static readonly string[] Schemes = [TokenScheme];

    public static void AddServices(IServiceCollection services, AuthTokens tokens)
    {
        services.AddSingleton(tokens);
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(
            TokenScheme, displayName: null, configureOptions: null);
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
