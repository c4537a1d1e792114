using Microsoft.Extensions.Logging;

namespace Workq.Host.Security;

/// <summary>The log messages of the tokens and certificates; source-generated.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Auth tokens read again from {Path}: {Count} tokens")]
    public static partial void TokensReloaded(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Auth tokens not read again from {Path}: {Reason}; the {Count} tokens in use stay in use")]
    public static partial void TokensNotReloaded(ILogger logger, string path, string reason, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "{Path} holds the auth tokens and every user of this machine can read it: chmod 600 it")]
    public static partial void TokensReadable(ILogger logger, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "TLS certificate read again from {Path}: {Certificate}; new connections use it")]
    public static partial void CertificateReloaded(ILogger logger, string path, string certificate);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error,
        Message = "TLS certificate not read again from {Path}: {Reason}; the one in use stays in use")]
    public static partial void CertificateNotReloaded(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The TLS certificate {Certificate} is not valid now")]
    public static partial void CertificateNotValidNow(ILogger logger, string certificate);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Auth tokens cross the network in the clear: {EndPoint} is reachable from other machines and the port has no TLS (-tls-cert)")]
    public static partial void TokensInClear(ILogger logger, string endPoint);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning,
        Message = "-insecure: {EndPoint} is reachable from other machines and asks for neither a token nor a client certificate: "
            + "anyone who reaches it can add, take and delete jobs")]
    public static partial void Insecure(ILogger logger, string endPoint);
}
