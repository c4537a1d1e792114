using System.Net;
using Microsoft.Extensions.Logging;
using Workq.Host.Configuration;

namespace Workq.Host.Security;

/// <summary>
/// Who can reach the server, against what it asks of them: a port other machines can
/// reach must check who connects (tokens, or client certificates on the job port), or the
/// server refuses to start unless told <c>-insecure</c>. A loopback address is reached from
/// this machine alone.
/// </summary>
internal static class Exposure
{
    /// <summary>Whether other machines may reach an address: any but a loopback one (0.0.0.0 and :: included).</summary>
    public static bool IsReachable(IPEndPoint endPoint) => !IPAddress.IsLoopback(endPoint.Address);

    /// <summary>Throws <see cref="InvalidSettingException"/>, saying why and what to do, for a port open to anyone.</summary>
    public static void Check(ServerOptions options)
    {
        if (options.Insecure)
            return;
        if (IsReachable(options.Listen) && options.AuthTokens is null && options.Tls.ClientCaPath is null)
        {
            throw new InvalidSettingException(
                $"refusing to listen on {options.Listen}: other machines can reach it, and with neither -auth-tokens nor "
                + "-tls-client-ca anyone who does can add, take and delete every job. Give -auth-tokens FILE (or TLS client "
                + "certificates), listen on a loopback address (-listen 127.0.0.1:9922), or give -insecure to serve it so anyway");
        }
        if (options.HttpListen is { } http && IsReachable(http) && options.AuthTokens is null)
        {
            throw new InvalidSettingException(
                $"refusing to serve HTTP on {http}: other machines can reach it, and without -auth-tokens anyone who does "
                + "can read everything it serves. Give -auth-tokens FILE (its tokens then go as bearer tokens), serve HTTP on "
                + "a loopback address (-http-listen 127.0.0.1:9923), or give -insecure to serve it so anyway");
        }
    }

    /// <summary>At start: what a reachable port leaves open.</summary>
    public static void Warn(ServerOptions options, IPEndPoint jobPort, IPEndPoint? httpPort, ILogger logger)
    {
        bool tokens = options.AuthTokens is not null;
        if (IsReachable(jobPort))
        {
            if (!tokens && options.Tls.ClientCaPath is null)
                SecurityLog.Insecure(logger, jobPort.ToString());
            else if (tokens && !options.Tls.Enabled)
                SecurityLog.TokensInClear(logger, jobPort.ToString());
        }
        if (httpPort is not null && IsReachable(httpPort))
        {
            if (!tokens)
                SecurityLog.Insecure(logger, httpPort.ToString());
            else if (!options.Tls.Enabled)
                SecurityLog.TokensInClear(logger, httpPort.ToString());
        }
    }
}
