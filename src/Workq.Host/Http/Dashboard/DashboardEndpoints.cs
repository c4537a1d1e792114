using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Workq.Host.Http.Access;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// The dashboard's addresses: pages people can share (<c>/</c>, <c>/queues/{name}</c>,
/// <c>/jobs/{id}</c>, <c>/recurring</c>, <c>/cluster</c>), the same data as JSON under
/// <c>/api/</c>, the actions under <c>/actions/</c> (POST, with the CSRF token), signing in
/// and out, and the embedded style and script.
/// </summary>
internal static class DashboardEndpoints
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<ActivityHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<ActivityHistory>());
        services.AddSingleton<DashboardServices>();
    }

    public static void Map(WebApplication app)
    {
        DashboardServices services = app.Services.GetRequiredService<DashboardServices>();
        Sessions sessions = app.Services.GetRequiredService<Sessions>();

        app.MapGet("/", context => OverviewPage.RenderAsync(context, services));
        app.MapGet("/queues/{name}", context => QueuePage.RenderAsync(context, services));
        app.MapGet("/jobs/{id}", context => JobPage.RenderAsync(context, services));
        app.MapGet("/recurring", context => RecurringPage.RenderAsync(context, services));
        app.MapGet("/cluster", context => ClusterPage.RenderAsync(context, services));
        app.MapGet("/find", context =>
        {
            string id = context.Request.Query["id"].ToString().Trim();
            context.Response.Redirect(id.Length == 0 ? "/" : "/jobs/" + Uri.EscapeDataString(id), permanent: false);
            return Task.CompletedTask;
        });

        app.MapGet("/api/overview", context => DashboardApi.OverviewAsync(context, services));
        app.MapGet("/api/queues", context => DashboardApi.QueuesAsync(context, services));
        app.MapGet("/api/queues/{name}", context => DashboardApi.QueueAsync(context, services));
        app.MapGet("/api/queues/{name}/jobs", context => DashboardApi.QueueJobsAsync(context, services));
        app.MapGet("/api/jobs/{id}", context => DashboardApi.JobAsync(context, services));
        app.MapGet("/api/recurring", context => DashboardApi.RecurringAsync(context, services));
        app.MapGet("/api/cluster", context => DashboardApi.ClusterAsync(context, services));

        app.MapPost("/actions/jobs/{id}/delete", context => DashboardActions.DeleteAsync(context, services));
        app.MapPost("/actions/jobs/{id}/requeue", context => DashboardActions.RequeueAsync(context, services));
        app.MapPost("/actions/queues/{name}/requeue-failed", context => DashboardActions.RequeueFailedAsync(context, services));
        app.MapPost("/actions/add", context => DashboardActions.AddAsync(context, services));

        app.MapGet("/login", context => SignInPage.RenderAsync(context, services)).AllowAnonymous();
        app.MapPost("/login", context => SignInPage.SignInAsync(context, services, sessions)).AllowAnonymous();
        app.MapPost("/logout", context => SignInPage.SignOutAsync(context, services, sessions));
        app.MapGet("/assets/{name}", DashboardAssets.ServeAsync).AllowAnonymous();
    }
}
