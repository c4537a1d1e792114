using System.Diagnostics;
using System.Net;

namespace Workq.Bench;

/// <summary>Runs one mode against one server and measures it.</summary>
public static class Workload
{
    const double Megabyte = 1024 * 1024;

    /// <summary>A target's name in reports: workq, beanstalkd, original.</summary>
    public static string NameOf(Target target) => target.ToString().ToLowerInvariant();

    public static Dialect DialectFor(Target target, Options o) => target switch
    {
        // Queue jobs complete with an empty result, as beanstalkd's delete carries none;
        // a run's result goes back to its client, so it is as large as the payload.
        // The original speaks the protocol Workq reimplements.
        Target.Workq or Target.Original =>
            new WorkqDialect(o.Queue, o.PayloadSize, o.Mode == Mode.Run ? o.PayloadSize : 0, o.LeaseWaitMs, name: NameOf(target), ids: o.IdsFor),
        _ => new BeanstalkDialect(o.PayloadSize, o.LeaseWaitMs),
    };

    /// <summary>
    /// The measured run, after an unmeasured warm-up when asked for. A fill warms up with
    /// the queue workload, so its jobs don't count as filled.
    /// </summary>
    public static async Task<Measurement> WarmThenRunAsync(Options o, Target target, EndPoint server, int? pid, CancellationToken cancel)
    {
        if (o.Warmup > 0)
        {
            var warm = o with { Jobs = o.Warmup, Mode = o.Mode == Mode.Fill ? Mode.Queue : o.Mode };
            await RunAsync(warm, DialectFor(target, warm), server, pid, cancel);
        }
        return await RunAsync(o, DialectFor(target, o), server, pid, cancel);
    }

    public static async Task<Measurement> RunAsync(Options o, Dialect dialect, EndPoint server, int? pid, CancellationToken cancel)
    {
        var progress = new Progress(o.Jobs);
        var leases = new JobBudget(o.Jobs);
        var connections = new List<Connection>();
        try
        {
            await ConnectAllAsync(o, dialect, server, progress, leases, connections, cancel);

            var cpuBefore = pid is { } p ? ProcStats.CpuSeconds(p) : (double?)null;
            var rssBefore = pid is { } q ? ProcStats.Rss(q) : (long?)null;
            using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            cap.CancelAfter(o.TimeCap);
            var clientCpuBefore = Environment.CpuUsage.TotalTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            var capped = false;
            try
            {
                await Task.WhenAll(connections.Select(c => RunOrStopAllAsync(c, cap)));
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                capped = true;
            }
            var finished = progress.FinishedAt != 0 ? progress.FinishedAt : Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(started, finished).TotalSeconds;
            var jobs = progress.Done;
            var clientCpu = (Environment.CpuUsage.TotalTime - clientCpuBefore).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var perJob = Math.Max(1, jobs);

            return new Measurement
            {
                Server = dialect.Name,
                Mode = o.Mode.ToString().ToLowerInvariant(),
                Jobs = jobs,
                Seconds = seconds,
                JobsPerSecond = jobs / seconds,
                Capped = capped,
                Latency = Latencies(dialect, connections),
                LeaseTimeouts = o.Mode == Mode.Fill ? null : leases.Returned,
                ClientCpuSecondsPer1000Jobs = clientCpu * 1000 / perJob,
                ClientBytesAllocatedPerJob = (double)allocated / perJob,
                CpuSecondsPer1000Jobs = pid is { } r && jobs > 0 ? (ProcStats.CpuSeconds(r) - cpuBefore) * 1000 / jobs : null,
                PeakRssMb = pid is { } s ? ProcStats.PeakRss(s) / Megabyte : null,
                RssAfterFillMb = o.Mode == Mode.Fill && pid is { } t ? ProcStats.Rss(t) / Megabyte : null,
                RssBytesPerJob = o.Mode == Mode.Fill && pid is { } u && jobs > 0 ? (double)(ProcStats.Rss(u) - rssBefore!.Value) / jobs : null,
            };
        }
        finally
        {
            foreach (var c in connections) c.Dispose();
        }
    }

    /// <summary>A connection that fails stops the others, which might otherwise wait forever.</summary>
    static async Task RunOrStopAllAsync(Connection connection, CancellationTokenSource all)
    {
        try
        {
            await connection.RunAsync(all.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await all.CancelAsync();
            throw;
        }
    }

    static async Task ConnectAllAsync(
        Options o, Dialect dialect, EndPoint server, Progress progress, JobBudget leases, List<Connection> into, CancellationToken cancel)
    {
        var adds = new JobBudget(o.Jobs);
        for (var i = 0; i < o.Producers; i++)
        {
            var socket = await Connection.ConnectAsync(server, cancel);
            into.Add(o.Mode switch
            {
                Mode.Run => new RunClient(socket, dialect, o.Pipeline, adds, progress),
                Mode.Fill => new Producer(socket, dialect, o.Pipeline, adds, progress),
                _ => new Producer(socket, dialect, o.Pipeline, adds, null),
            });
        }
        if (o.Mode == Mode.Fill) return;
        // Serving runs, a worker stays strict: a pipelined lease waiting for a job would
        // hold back the completion behind it, and with it the next run of that job's
        // client, until the lease timed out.
        var workerDepth = o.Mode == Mode.Run ? 1 : o.Pipeline;
        for (var i = 0; i < o.Workers; i++)
            into.Add(new Worker(await Connection.ConnectAsync(server, cancel), dialect, workerDepth, leases, o.Mode == Mode.Queue ? progress : null));
    }

    static Dictionary<string, LatencySummary> Latencies(Dialect dialect, List<Connection> connections)
    {
        var result = new Dictionary<string, LatencySummary>();
        foreach (var kind in RequestKinds.All)
        {
            var merged = new Histogram();
            foreach (var c in connections) merged.Add(c.Latency[(int)kind]);
            if (merged.Count > 0) result[RequestKinds.Key(kind)] = LatencySummary.Of(dialect.CommandName(kind), merged);
        }
        return result;
    }
}
