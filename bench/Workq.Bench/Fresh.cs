namespace Workq.Bench;

/// <summary>
/// Starts a fresh server of a kind: Workq as <c>--server</c> names it (a published build, say)
/// or the Release host already built, with <c>--server-arg</c> and <c>--server-env</c>;
/// beanstalkd or the original Go Workq as <c>--beanstalkd</c> and <c>--original</c> name them.
/// </summary>
public static class Fresh
{
    public static Task<ServerProcess> StartAsync(Options o, Target target, CancellationToken cancel) => target switch
    {
        Target.Workq when o.ScrapeMetrics || o.Dashboard =>
            ServerProcess.StartWorkqPolledAsync(o.FindRepoRoot(), o.ServerArgs, Pollers(o), cancel, o.ServerEnvironment, o.ServerExe),
        Target.Workq => ServerProcess.StartWorkqAsync(o.FindRepoRoot(), o.ServerArgs, cancel, o.ServerEnvironment, o.ServerExe),
        Target.Original => ServerProcess.StartOriginalAsync(o.Original, cancel),
        _ => ServerProcess.StartBeanstalkdAsync(o.Beanstalkd, cancel),
    };

    static List<Func<System.Net.IPEndPoint, HttpPoller>> Pollers(Options o)
    {
        var pollers = new List<Func<System.Net.IPEndPoint, HttpPoller>>();
        if (o.ScrapeMetrics)
            pollers.Add(HttpPoller.Metrics);
        if (o.Dashboard)
            pollers.Add(http => HttpPoller.Dashboard(http, o.Queue));
        return pollers;
    }
}
