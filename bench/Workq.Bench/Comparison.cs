namespace Workq.Bench;

/// <summary>
/// <c>--vs beanstalkd</c>: Workq and beanstalkd take turns, each on a fresh server, so
/// drift in the machine's load falls on both alike.
/// </summary>
public static class Comparison
{
    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        if (o.ServerExe is null) await ServerProcess.BuildWorkqAsync(o.FindRepoRoot(), cancel);
        var results = new Dictionary<Target, List<Measurement>> { [Target.Workq] = [], [Target.Beanstalkd] = [] };
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var target in new[] { Target.Workq, Target.Beanstalkd })
            {
                await using var server = await Fresh.StartAsync(o, target, cancel);
                var m = await Workload.WarmThenRunAsync(o, Workload.DialectFor(target, o), server.EndPoint, server.Pid, cancel);
                Console.Error.WriteLine($"run {run}/{o.Runs} {m.Server}: {m.JobsPerSecond:F0} jobs/s{(m.Capped ? " (capped)" : "")}");
                results[target].Add(m);
            }
        }
        Report.PrintComparison(o, results[Target.Workq], results[Target.Beanstalkd]);
    }
}
