using Microsoft.Extensions.Diagnostics.HealthChecks;
using Workq.Host.Engine;

namespace Workq.Host.Http.Health;

/// <summary>Ready once the command log has been replayed: until then the job port does not listen.</summary>
internal sealed class ReplayCheck(PublishedState published) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(published.Current is null
            ? HealthCheckResult.Unhealthy("replaying the command log")
            : HealthCheckResult.Healthy("the command log has been replayed"));
}
