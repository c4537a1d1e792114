using Workq.Bench;

InlineCompletions.Enable();

if (args is ["-h"] or ["--help"])
{
    Console.WriteLine(Options.Usage);
    return 0;
}

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    var run = (options.Mode, options.Versus) switch
    {
        (Mode.Replay, _) => ReplayRun.RunAsync(options, stop.Token),
        (Mode.Failover, _) => FailoverRun.RunAsync(options, stop.Token),
        (Mode.Catchup, _) => CatchupRun.RunAsync(options, stop.Token),
        (Mode.Hostile, _) => Hostile.RunAsync(options, stop.Token),
        (Mode.Startup, _) => StartupRun.RunAsync(options, stop.Token),
        (_, Versus.Beanstalkd or Versus.Original) => Comparison.RunAsync(options, stop.Token),
        (_, Versus.Cmdlog) => CmdlogComparison.RunAsync(options, stop.Token),
        (_, Versus.Cluster) => ClusterComparison.RunAsync(options, stop.Token),
        _ => SingleRun.RunAsync(options, stop.Token),
    };
    await run;
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("workq-bench: interrupted");
    return 130;
}
catch (Exception e) when (e is UnexpectedReplyException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"workq-bench: {e.Message}");
    return 1;
}
