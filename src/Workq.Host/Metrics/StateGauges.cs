using System.Diagnostics.Metrics;
using Workq.Domain;
using Workq.Host.Engine;

namespace Workq.Host.Metrics;

/// <summary>
/// Gauges read, when they are collected, from the state the engine last published: jobs
/// per queue by where they are (ready, scheduled, leased, failed), workers waiting per
/// queue, jobs and queues held, connections open. Reading an immutable state never holds
/// the engine up.
/// </summary>
/// <remarks>
/// Queue names are user input, so they are not all labels: at each collection the
/// <see cref="MaxQueueLabels"/> busiest queues (by jobs and waiting workers) have their
/// own, and the rest are summed under <see cref="Other"/>, a name no queue can have.
/// </remarks>
internal sealed class StateGauges
{
    public const int MaxQueueLabels = 100;

    public const string Other = "(other)";

    private readonly PublishedState published;
    private readonly EngineMetrics engine;
    private readonly Lock tableLock = new();
    private State? tableOf;
    private Row[] table = [];
    private bool tableHasFailed;

    private sealed class Row(string name)
    {
        public string Name { get; } = name;
        public long Ready, Scheduled, Leased, Failed, Workers;
        public long Size => Ready + Scheduled + Leased + Failed + Workers;
    }

    public StateGauges(ServerMeter serverMeter, PublishedState published, EngineMetrics engine)
    {
        this.published = published;
        this.engine = engine;
        Meter meter = serverMeter.Meter;
        meter.CreateObservableGauge("workq.queue.jobs", ObserveQueueJobs, "{job}",
            $"Jobs per queue by state: ready, scheduled, leased, failed (the {MaxQueueLabels} busiest queues by name, the rest as {Other})");
        meter.CreateObservableGauge("workq.queue.waiting_workers", ObserveWorkers, "{worker}",
            "Workers blocked in lease, per queue they wait on");
        meter.CreateObservableGauge("workq.jobs", () => published.Current?.Jobs.Count ?? 0, "{job}",
            "Jobs held, finished ones included (until their TTL)");
        meter.CreateObservableGauge("workq.queues", () => published.Current?.Queues.Count ?? 0, "{queue}",
            "Queues that hold a ready, scheduled or leased job or a waiting worker");
        meter.CreateObservableUpDownCounter("workq.connections.active", () => published.Current?.Clients.Count ?? 0, "{connection}",
            "Connections open on the job port");
    }

    private IEnumerable<Measurement<long>> ObserveQueueJobs()
    {
        (Row[] rows, bool withFailed) = Table();
        foreach (Row row in rows)
        {
            yield return Measure(row.Ready, row.Name, "ready");
            yield return Measure(row.Scheduled, row.Name, "scheduled");
            yield return Measure(row.Leased, row.Name, "leased");
            if (withFailed)
                yield return Measure(row.Failed, row.Name, "failed");
        }
    }

    private IEnumerable<Measurement<long>> ObserveWorkers()
    {
        foreach (Row row in Table().Rows)
            yield return new Measurement<long>(row.Workers, new KeyValuePair<string, object?>(Attributes.Queue, row.Name));
    }

    private static Measurement<long> Measure(long value, string queue, string state) =>
        new(value, new KeyValuePair<string, object?>(Attributes.Queue, queue), new KeyValuePair<string, object?>(Attributes.JobState, state));

    /// <summary>The rows of the latest state, made once for all the instruments of a collection.</summary>
    private (Row[] Rows, bool WithFailed) Table()
    {
        State? state = published.Current;
        lock (tableLock)
        {
            if (state is null)
                return ([], false);
            // Rebuilt for a new state, or while the failed counts of the start are still being made.
            if (!ReferenceEquals(state, tableOf) || !tableHasFailed)
            {
                Dictionary<string, int>? failed = engine.FailedJobs();
                table = Build(state, failed);
                tableHasFailed = failed is not null;
                tableOf = state;
            }
            return (table, tableHasFailed);
        }
    }

    private static Row[] Build(State state, Dictionary<string, int>? failed)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (KeyValuePair<JobName, Queue> entry in state.Queues)
        {
            Queue q = entry.Value;
            rows[entry.Key.Value] = new Row(entry.Key.Value)
            {
                Ready = q.Ready.Count,
                Scheduled = q.Scheduled.Count,
                Leased = q.Leased,
                Workers = q.Workers.Count,
            };
        }
        foreach ((string name, int count) in failed ?? [])
        {
            if (count == 0)
                continue;
            if (!rows.TryGetValue(name, out Row? row))
                rows[name] = row = new Row(name);
            row.Failed = count;
        }
        if (rows.Count <= MaxQueueLabels)
            return [.. rows.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
        Row[] busiest = [.. rows.Values.OrderByDescending(r => r.Size).ThenBy(r => r.Name, StringComparer.Ordinal)];
        var other = new Row(Other);
        foreach (Row row in busiest.AsSpan(MaxQueueLabels))
        {
            other.Ready += row.Ready;
            other.Scheduled += row.Scheduled;
            other.Leased += row.Leased;
            other.Failed += row.Failed;
            other.Workers += row.Workers;
        }
        return [.. busiest.AsSpan(0, MaxQueueLabels), other];
    }
}
