namespace Workq.Bench;

/// <summary>Starts a fresh server of a kind (Workq's host already built).</summary>
public static class Fresh
{
    public static Task<ServerProcess> StartAsync(Options o, Target target, CancellationToken cancel) => target switch
    {
        Target.Workq when o.ScrapeMetrics || o.Dashboard => ServerProcess.StartWorkqPolledAsync(o.FindRepoRoot(), [], Pollers(o), cancel),
        Target.Workq => ServerProcess.StartWorkqAsync(o.FindRepoRoot(), [], cancel),
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
