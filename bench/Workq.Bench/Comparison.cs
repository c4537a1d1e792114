namespace Workq.Bench;

/// <summary>
/// <c>--vs beanstalkd</c> and <c>--vs original</c>: Workq and the other server take turns,
/// each on a fresh server, so drift in the machine's load falls on both alike.
/// </summary>
public static class Comparison
{
    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var peer = o.Versus switch
        {
            Versus.Beanstalkd => Target.Beanstalkd,
            Versus.Original => Target.Original,
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Versus, "not a server to compare Workq with"),
        };
        if (o.ServerExe is null) await ServerProcess.BuildWorkqAsync(o.FindRepoRoot(), cancel);
        var results = new Dictionary<Target, List<Measurement>> { [Target.Workq] = [], [peer] = [] };
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var target in new[] { Target.Workq, peer })
            {
                await using var server = await Fresh.StartAsync(o, target, cancel);
                var m = await Workload.WarmThenRunAsync(o, target, server.EndPoint, server.Pid, cancel);
                Console.Error.WriteLine($"run {run}/{o.Runs} {m.Server}: {m.JobsPerSecond:F0} {Report.Unit(o)}/s{(m.Capped ? " (capped)" : "")}");
                results[target].Add(m);
            }
        }
        Report.PrintComparison(o, Workload.NameOf(peer), results[Target.Workq], results[peer]);
    }
}
