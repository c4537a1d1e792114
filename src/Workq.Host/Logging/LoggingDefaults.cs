using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Workq.Host.Logging;

/// <summary>
/// How the server logs unless configuration says otherwise: the console's simple formatter
/// on one line per entry with a UTC timestamp (under systemd its systemd formatter, as
/// journald adds the time), at Information, without the hosts' own start-up chatter or a
/// line for each failing health probe. They
/// are the lowest of the configuration sources, so every one of them can be changed the
/// .NET way (<c>Logging__Console__FormatterName=json</c>, <c>Logging__LogLevel__Default=Debug</c>).
/// </summary>
internal static class LoggingDefaults
{
    public static void Add(ConfigurationManager configuration, bool underSystemd)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            // Every probe of a failing check would log an error: the server logs the cause once itself.
            ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
            ["Logging:Console:FormatterName"] = underSystemd ? "systemd" : "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        };
        if (!underSystemd)
            defaults["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
    }
}
