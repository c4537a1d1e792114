using System.Collections.Concurrent;
using System.Security.Cryptography;
using Workq.Host.Security;

namespace Workq.Host.Http.Access;

/// <summary>
/// The dashboard's sign-ins: a browser that gave a valid token once gets a session cookie
/// (<see cref="CookieName"/>) instead of sending the token with every request. A session
/// holds its token and lasts while the token does (a token taken out of the token file
/// ends its sessions at their next request) and while it is used: it ends after
/// <see cref="IdleTimeout"/> without a request, or on sign-out. At most
/// <see cref="MaxSessions"/> are kept; a new one beyond that ends the least recently used.
/// </summary>
internal sealed class Sessions(AuthTokens tokens, TimeProvider time)
{
    public const string CookieName = "workq-session";
    public const int MaxSessions = 1000;
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<string, Session> sessions = new(StringComparer.Ordinal);

    private sealed class Session(string token, long lastUsed)
    {
        public string Token { get; } = token;
        public long LastUsed = lastUsed;
    }

    /// <summary>A new session for <paramref name="token"/>, which the caller has checked; its id.</summary>
    public string Start(string token)
    {
        long now = time.GetTimestamp();
        while (sessions.Count >= MaxSessions)
        {
            KeyValuePair<string, Session> oldest = sessions.MinBy(s => Volatile.Read(ref s.Value.LastUsed));
            sessions.TryRemove(oldest.Key, out _);
        }
        string id = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        sessions[id] = new Session(token, now);
        return id;
    }

    /// <summary>The user a session belongs to (its token's name); null for none, one ended, or one whose token is gone.</summary>
    public string? UserOf(string id)
    {
        if (!sessions.TryGetValue(id, out Session? session))
            return null;
        long now = time.GetTimestamp();
        if (time.GetElapsedTime(Volatile.Read(ref session.LastUsed), now) > IdleTimeout || tokens.NameOf(session.Token) is not { } name)
        {
            sessions.TryRemove(id, out _);
            return null;
        }
        Volatile.Write(ref session.LastUsed, now);
        return name;
    }

    public void End(string id) => sessions.TryRemove(id, out _);
}
