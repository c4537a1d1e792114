namespace Workq.Bench;

/// <summary>One measurement: of the server at --addr, or of a fresh one.</summary>
public static class SingleRun
{
    public static async Task RunAsync(Options o, CancellationToken cancel)
    {
        var dialect = Workload.DialectFor(o.Target, o);
        if (o.Address is { } address)
        {
            Report.PrintSingle(o, await Workload.WarmThenRunAsync(o, dialect, address, o.Pid, cancel));
            return;
        }
        if (o.Target == Target.Workq && o.ServerExe is null) await ServerProcess.BuildWorkqAsync(o.FindRepoRoot(), cancel);
        await using var server = await Fresh.StartAsync(o, o.Target, cancel);
        Report.PrintSingle(o, await Workload.WarmThenRunAsync(o, dialect, server.EndPoint, server.Pid, cancel));
    }
}
