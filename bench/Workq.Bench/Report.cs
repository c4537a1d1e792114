using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workq.Bench;

/// <summary>Prints measurements: a table for people, one <c>RESULT {json}</c> line for scripts.</summary>
public static class Report
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    internal static readonly string[] Order = ["add", "lease", "complete", "run"];

    public static void PrintSingle(Options o, Measurement m)
    {
        Console.WriteLine($"{m.Server} {m.Mode}: {Settings(o)}");
        Console.WriteLine($"  {m.Jobs} {Unit(o)} in {m.Seconds:F2} s = {m.JobsPerSecond:F0} {Unit(o)}/s{(m.Capped ? "  (stopped by the time cap)" : "")}");
        Console.WriteLine($"  {"command",-10} {"count",10} {"p50 us",10} {"p99 us",10} {"max us",10}");
        foreach (var key in Order)
            if (m.Latency.TryGetValue(key, out var l))
                Console.WriteLine($"  {l.Command,-10} {l.Count,10} {l.P50Us,10:F1} {l.P99Us,10:F1} {l.MaxUs,10:F1}");
        if (m.LeaseTimeouts is { } timeouts) Console.WriteLine($"  lease timeouts: {timeouts} (each a wait of {o.LeaseWaitMs} ms with a job owed)");
        if (m.CpuSecondsPer1000Jobs is { } cpu) Console.WriteLine($"  server CPU: {cpu:F4} s per 1000 jobs");
        if (m.PeakRssMb is { } peak) Console.WriteLine($"  server peak RSS: {peak:F1} MB");
        if (m.RssAfterFillMb is { } rss) Console.WriteLine($"  server RSS after fill: {rss:F1} MB ({m.RssBytesPerJob:F0} bytes per job)");
        Console.WriteLine($"  client: {m.ClientCpuSecondsPer1000Jobs:F4} CPU s per 1000 jobs, {m.ClientBytesAllocatedPerJob:F0} bytes allocated per job");
        if (m.PeakRssMb is null) Console.WriteLine("  (no server CPU or memory figures: give --pid for a server started elsewhere)");
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(new { settings = SettingsJson(o), result = m }, Json));
    }

    /// <summary>What a mode counts: runs in run mode, jobs otherwise.</summary>
    internal static string Unit(Options o) => o.Mode == Mode.Run ? "runs" : "jobs";

    /// <summary>
    /// Medians of each figure over the runs, side by side, with the ratios of Workq to
    /// <paramref name="peer"/> (beanstalkd or original), the other server's name.
    /// </summary>
    public static void PrintComparison(Options o, string peer, IReadOnlyList<Measurement> workq, IReadOnlyList<Measurement> other)
    {
        var rows = new List<(string Name, string Key, double? W, double? P)>
        {
            ($"{Unit(o)}/s", "jobsPerSecond", Median(workq, m => m.JobsPerSecond), Median(other, m => m.JobsPerSecond)),
        };
        foreach (var key in Order)
        {
            if (!workq[0].Latency.TryGetValue(key, out var wl) || !other[0].Latency.TryGetValue(key, out var pl)) continue;
            var name = wl.Command == pl.Command ? wl.Command : $"{wl.Command}/{pl.Command}";
            rows.Add(($"{name} p50 us", $"{key}P50Us", Median(workq, m => m.Latency[key].P50Us), Median(other, m => m.Latency[key].P50Us)));
            rows.Add(($"{name} p99 us", $"{key}P99Us", Median(workq, m => m.Latency[key].P99Us), Median(other, m => m.Latency[key].P99Us)));
            rows.Add(($"{name} max us", $"{key}MaxUs", Median(workq, m => m.Latency[key].MaxUs), Median(other, m => m.Latency[key].MaxUs)));
        }
        rows.Add(("CPU s/1000 jobs", "cpuSecondsPer1000Jobs", Median(workq, m => m.CpuSecondsPer1000Jobs), Median(other, m => m.CpuSecondsPer1000Jobs)));
        rows.Add(("peak RSS MB", "peakRssMb", Median(workq, m => m.PeakRssMb), Median(other, m => m.PeakRssMb)));
        rows.Add(("client CPU s/1000 jobs", "clientCpuSecondsPer1000Jobs", Median(workq, m => m.ClientCpuSecondsPer1000Jobs), Median(other, m => m.ClientCpuSecondsPer1000Jobs)));
        if (o.Mode == Mode.Fill)
            rows.Add(("RSS bytes/job", "rssBytesPerJob", Median(workq, m => m.RssBytesPerJob), Median(other, m => m.RssBytesPerJob)));

        Console.WriteLine($"workq vs {peer}, {o.Mode.ToString().ToLowerInvariant()}: {Settings(o)}; medians of {o.Runs} runs each");
        Console.WriteLine($"  {"median",-22} {"workq",12} {peer,12} {"ratio w/" + peer[0],12}");
        foreach (var (name, _, w, p) in rows)
            Console.WriteLine($"  {name,-22} {Cell(w),12} {Cell(p),12} {Cell(Ratio(w, p), "F2"),12}");
        var timeouts = (W: Median(workq, m => m.LeaseTimeouts), P: Median(other, m => m.LeaseTimeouts));
        if (o.Mode != Mode.Fill)
            Console.WriteLine($"  {"lease timeouts",-22} {Cell(timeouts.W, "F0"),12} {Cell(timeouts.P, "F0"),12}");
        Console.WriteLine($"  (ratios: above 1 is better for Workq in {Unit(o)}/s, worse in latency, CPU and memory)");
        if (workq.Concat(other).Any(m => m.Capped)) Console.WriteLine("  (some runs were stopped by the time cap)");

        var json = new Dictionary<string, object?>
        {
            ["settings"] = SettingsJson(o),
            ["peer"] = peer,
            ["leaseTimeouts"] = o.Mode == Mode.Fill ? null : new Dictionary<string, double?> { ["workq"] = timeouts.W, [peer] = timeouts.P },
            ["medians"] = rows.ToDictionary(r => r.Key, r => new Dictionary<string, double?> { ["workq"] = r.W, [peer] = r.P, ["ratio"] = Ratio(r.W, r.P) }),
            ["runs"] = new Dictionary<string, IReadOnlyList<Measurement>> { ["workq"] = workq, [peer] = other },
        };
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(json, Json));
    }

    internal static string Settings(Options o) =>
        $"N={o.Jobs}{(o.Warmup > 0 ? $" (after {o.Warmup} warm-up)" : "")} P={o.Producers}{(o.Mode is Mode.Fill or Mode.Replay ? "" : $" W={o.Workers}")} payload={o.PayloadSize} pipeline={o.Pipeline} ids={o.IdsFor.ToString().ToLowerInvariant()}";

    internal static object SettingsJson(Options o) => new
    {
        mode = o.Mode.ToString().ToLowerInvariant(),
        jobs = o.Jobs,
        warmup = o.Warmup,
        producers = o.Producers,
        workers = o.Mode is Mode.Fill or Mode.Replay ? 0 : o.Workers,
        payload = o.PayloadSize,
        pipeline = o.Pipeline,
        processors = Environment.ProcessorCount,
    };

    internal static double? Median(IReadOnlyList<Measurement> runs, Func<Measurement, double?> figure)
    {
        var values = runs.Select(figure).OfType<double>().Order().ToArray();
        if (values.Length == 0) return null;
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    internal static double? Ratio(double? w, double? b) => w is { } x && b is { } y && y != 0 ? x / y : null;

    internal static string Cell(double? value, string format = "") => value switch
    {
        null => "-",
        { } v when format != "" => v.ToString(format, CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 100 => v.ToString("F0", CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 1 => v.ToString("F1", CultureInfo.InvariantCulture),
        { } v => v.ToString("F4", CultureInfo.InvariantCulture),
    };
}
