using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Workq.Host.Http.Access;

/// <summary>
/// Protection of the dashboard's actions against cross-site request forgery. Each browser
/// gets a random cookie (HttpOnly, SameSite=Strict); its pages carry a token derived from
/// that cookie, and from the session when signed in, with a key of this process; an action
/// is taken only when its form carries the token that matches the cookie it came with, and
/// when its Origin, if sent, is this server. Another site can neither read the token nor
/// make a browser send the cookie.
/// </summary>
internal sealed class Csrf
{
    public const string CookieName = "workq-csrf";

    /// <summary>The form field that carries the token.</summary>
    public const string Field = "csrf";

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    /// <summary>The token for the page being rendered; sets the browser's cookie if it has none.</summary>
    public string TokenFor(HttpContext context)
    {
        string? seed = context.Request.Cookies[CookieName];
        if (seed is null || seed.Length != 43)
        {
            seed = Base64Url(RandomNumberGenerator.GetBytes(32));
            context.Response.Cookies.Append(CookieName, seed, Cookie(context));
        }
        return Derive(seed, context.Request.Cookies[Sessions.CookieName]);
    }

    /// <summary>Whether a state-changing request carries the token of its cookie and comes from this server's pages.</summary>
    public bool Allows(HttpContext context, string? token)
    {
        string? seed = context.Request.Cookies[CookieName];
        if (seed is null || token is null)
            return false;
        string? origin = context.Request.Headers.Origin;
        if (origin is not null && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
            return false;
        string expected = Derive(seed, context.Request.Cookies[Sessions.CookieName]);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(token));
    }

    /// <summary>The dashboard's cookies: sent by this site's pages alone, never readable by script, over TLS only under TLS.</summary>
    public static CookieOptions Cookie(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };

    private string Derive(string seed, string? session)
    {
        byte[] mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(seed + "|" + (session ?? "")));
        return Base64Url(mac);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
