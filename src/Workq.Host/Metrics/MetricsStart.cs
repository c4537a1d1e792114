using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Workq.Host.Metrics;

/// <summary>
/// Once the server listens: makes the instruments (the engine's are made with it) and
/// starts the export, for OTLP with no HTTP side (which otherwise starts it).
/// </summary>
internal sealed class MetricsStart(IServiceProvider services, MetricsExport export) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<StateGauges>();
        export.Provider();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
