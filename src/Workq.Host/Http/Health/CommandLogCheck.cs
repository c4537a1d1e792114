using Microsoft.Extensions.Diagnostics.HealthChecks;
using Workq.Host.CommandLog;

namespace Workq.Host.Http.Health;

/// <summary>
/// Ready while the command log can be written: after a failed append (a full disk, an I/O
/// error) every change is refused, so the server is not ready until an append succeeds.
/// </summary>
internal sealed class CommandLogCheck(LogHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.Problem is { } problem
            ? HealthCheckResult.Unhealthy($"the command log cannot be written: {problem}")
            : HealthCheckResult.Healthy("the command log can be written"));
}
