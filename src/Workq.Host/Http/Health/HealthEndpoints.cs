using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Workq.Host.CommandLog;
using Workq.Host.Engine;

namespace Workq.Host.Http.Health;

/// <summary>
/// <c>/healthz</c>: the process serves (no checks: answering is the proof). <c>/readyz</c>:
/// every check tagged <see cref="Ready"/> passes: the command log has been replayed and can
/// be written. A cluster adds its own (a leader is known) with the same tag.
/// </summary>
internal static class HealthEndpoints
{
    public const string Ready = "ready";

    public static void AddChecks(IServiceCollection services, PublishedState published, LogHealth logHealth) =>
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration("replay", new ReplayCheck(published), failureStatus: null, tags: [Ready]))
            .Add(new HealthCheckRegistration("cmdlog", new CommandLogCheck(logHealth), failureStatus: null, tags: [Ready]));

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new HealthBody(
            report.Status.ToString(),
            [.. report.Entries.Select(e => new CheckBody(e.Key, e.Value.Status.ToString(), e.Value.Description))]);
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJsonContext.Default.HealthBody, context.RequestAborted);
    }
}
