using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Workq.Host.Configuration;

namespace Workq.Host.Metrics;

/// <summary>
/// The OpenTelemetry side of the metrics: a <see cref="MeterProvider"/> that listens to the
/// server's meter (and the runtime's) and exports to Prometheus, scraped on the HTTP side's
/// <c>/metrics</c> when that port is on, and over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the other <c>OTEL_*</c> variables).
/// With neither there is no provider, and the instruments cost nothing.
/// </summary>
/// <remarks>
/// Built off the start path (by the HTTP side as it starts, or once the server listens):
/// counts are kept by the server and read at collection, so none are missed before it;
/// the histograms record from then on.
/// </remarks>
internal sealed class MetricsExport(ServerOptions options, ServerMeter meter) : IDisposable
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private readonly Lock buildLock = new();
    private MeterProvider? provider;
    private bool built;

    /// <summary>Whether metrics go to OTLP.</summary>
    public static bool ToOtlp => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OtlpEndpointVariable));

    /// <summary>The provider, built on the first call; null when nothing exports.</summary>
    public MeterProvider? Provider()
    {
        lock (buildLock)
        {
            if (!built)
            {
                built = true;
                provider = Build();
            }
            return provider;
        }
    }

    private MeterProvider? Build()
    {
        bool prometheus = options.HttpListen is not null;
        if (!prometheus && !ToOtlp)
            return null;
        MeterProviderBuilder builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("workq-server", serviceVersion: ServerCommandLine.Version))
            .AddMeter(ServerMeter.Name, "System.Runtime")
            // This server's instruments only: servers in one process (tests) each have a meter of that name.
            .AddView(instrument => instrument.Meter.Name == ServerMeter.Name && instrument.Meter != meter.Meter
                ? MetricStreamConfiguration.Drop
                : null);
        if (prometheus)
        {
            // Every scrape collects afresh: a cached answer would show counts from before it.
            // No otel_scope_* labels: every series is the server's or the runtime's, as its name says.
            builder.AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.ScopeInfoEnabled = false;
            });
        }
        if (ToOtlp)
            builder.AddOtlpExporter();
        return builder.Build();
    }

    public void Dispose()
    {
        lock (buildLock)
        {
            built = true;
            provider?.Dispose();
            provider = null;
        }
    }
}
