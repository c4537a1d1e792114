using Microsoft.Extensions.Hosting;
using Workq.Host.Metrics;

namespace Workq.Host.Http.Dashboard;

/// <summary>
/// What the dashboard charts: jobs added, completed and failed in each second of the last
/// hour, and each queue's rates over about the last minute. Sampled once a second from the
/// engine's running counts (<see cref="EngineMetrics"/>, <see cref="QueueTallies"/>), kept
/// in a fixed ring here, apart from the durable state: a restart starts it empty.
/// </summary>
internal sealed class ActivityHistory(EngineMetrics metrics, QueueTallies tallies, TimeProvider time) : BackgroundService
{
    public const int Seconds = 3600;

    // A queue's rate is an average over about a minute, decayed once a second.
    private static readonly double Decay = 1 - Math.Exp(-1.0 / 60);

    private readonly Lock sync = new();
    private readonly Second[] ring = new Second[Seconds];
    private readonly Dictionary<string, QueueRate> rates = new(StringComparer.Ordinal);
    private long samples;
    private (long Added, long Completed, long Failed) last;
    private bool started;

    /// <summary>One second's counts, and when it ended (Unix seconds).</summary>
    public readonly record struct Second(long At, int Added, int Completed, int Failed);

    /// <summary>A queue's jobs per second, added, completed and failed.</summary>
    public readonly record struct Rate(double Added, double Completed, double Failed);

    private sealed class QueueRate
    {
        public long Added, Completed, Failed, Changed;
        public double AddedRate, CompletedRate, FailedRate;
    }

    /// <summary>The last <paramref name="count"/> seconds sampled, oldest first.</summary>
    public Second[] Last(int count)
    {
        lock (sync)
        {
            int n = (int)Math.Min(Math.Min(count, Seconds), samples);
            var result = new Second[n];
            for (int i = 0; i < n; i++)
                result[i] = ring[(samples - n + i) % Seconds];
            return result;
        }
    }

    /// <summary>A queue's rates; zero for one not seen.</summary>
    public Rate RateOf(string name)
    {
        lock (sync)
            return rates.TryGetValue(name, out QueueRate? r) ? new Rate(r.AddedRate, r.CompletedRate, r.FailedRate) : default;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        Sample();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Sample();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes one second's sample (the first only sets where counting starts).</summary>
    internal void Sample()
    {
        var totals = metrics.JobTotals();
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        lock (sync)
        {
            if (started)
            {
                ring[samples % Seconds] = new Second(
                    now, (int)(totals.Added - last.Added), (int)(totals.Completed - last.Completed), (int)(totals.Failed - last.Failed));
                samples++;
            }
            last = totals;
            SampleQueues(now, fresh: !started);
            started = true;
        }
    }

    private void SampleQueues(long now, bool fresh)
    {
        foreach (var (name, tally) in tallies.All)
        {
            if (!rates.TryGetValue(name, out QueueRate? r))
            {
                r = new QueueRate { Changed = now };
                if (fresh)
                    (r.Added, r.Completed, r.Failed) = (tally.Added, tally.Completed, tally.Failed);
                rates[name] = r;
            }
            long added = tally.Added, completed = tally.Completed, failed = tally.Failed;
            if (added != r.Added || completed != r.Completed || failed != r.Failed)
                r.Changed = now;
            r.AddedRate += (added - r.Added - r.AddedRate) * Decay;
            r.CompletedRate += (completed - r.Completed - r.CompletedRate) * Decay;
            r.FailedRate += (failed - r.Failed - r.FailedRate) * Decay;
            (r.Added, r.Completed, r.Failed) = (added, completed, failed);
        }
        // A name idle for ten minutes is forgotten, so that names come and go without bound.
        List<string>? idle = null;
        foreach (var (name, r) in rates)
        {
            if (now - r.Changed >= 600)
                (idle ??= []).Add(name);
        }
        if (idle is null)
            return;
        foreach (string name in idle)
        {
            rates.Remove(name);
            tallies.Forget(name);
        }
    }
}
