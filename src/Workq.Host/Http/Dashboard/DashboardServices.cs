using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Workq.Domain;
using Workq.Host.Configuration;
using Workq.Host.Engine;
using Workq.Host.Http.Access;
using Workq.Host.Security;

namespace Workq.Host.Http.Dashboard;

/// <summary>What the dashboard's pages, API and actions share: where they read and act, and the server's facts.</summary>
internal sealed class DashboardServices(
    StateSource states, ActivityHistory activity, EngineClient engine, ServerAccounting accounting, AuthTokens tokens, Csrf csrf,
    TimeProvider time)
{
    private static readonly DateTimeOffset ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public StateSource States => states;
    public ActivityHistory Activity => activity;
    public EngineClient Engine => engine;
    public Csrf Csrf => csrf;

    /// <summary>Whether users sign in (the server has tokens).</summary>
    public bool SignIn => tokens.Enabled;

    public AuthTokens Tokens => tokens;

    public static string Version => ServerCommandLine.Version;

    public int Connections => accounting.Connections;

    public TimeSpan Uptime => time.GetUtcNow() - ProcessStarted;

    /// <summary>Now, as the state's instants count it (ms since the Unix epoch).</summary>
    public long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The state to show; null (and a 503 written) until the command log has been replayed.</summary>
    public async Task<State?> StateOrUnavailableAsync(HttpContext context)
    {
        if (states.Current is { } state)
            return state;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("The server is starting: its command log is being replayed.\n", context.RequestAborted);
        return null;
    }
}
