using System.Text.Json;

namespace Workq.Bench;

/// <summary>Prints <c>--vs cmdlog</c>: the median of each figure per variant, and its ratio to in memory.</summary>
public static class CmdlogReport
{
    sealed record Row(string Name, string Key, Func<Measurement, double?> Figure);

    public static void Print(Options o, IReadOnlyDictionary<LogVariant, List<Measurement>> results)
    {
        var memory = results[LogVariant.Memory];
        var logged = LogVariant.All.Where(v => v != LogVariant.Memory).ToArray();
        var rows = Rows(memory[0]);

        Console.WriteLine($"workq command log vs in memory, {o.Mode.ToString().ToLowerInvariant()}: {Report.Settings(o)}; medians of {o.Runs} runs each");
        var header = $"  {"median",-20}" + string.Concat(LogVariant.All.Select(v => $" {v.Name,10}"))
            + string.Concat(logged.Select(v => $" {v.Name + "/mem",12}"));
        Console.WriteLine(header);
        var json = new Dictionary<string, object?>();
        foreach (var row in rows)
        {
            var medians = LogVariant.All.ToDictionary(v => v.Name, v => Report.Median(results[v], row.Figure));
            var ratios = logged.ToDictionary(v => v.Name, v => Report.Ratio(medians[v.Name], medians[LogVariant.Memory.Name]));
            Console.WriteLine($"  {row.Name,-20}"
                + string.Concat(LogVariant.All.Select(v => $" {Report.Cell(medians[v.Name]),10}"))
                + string.Concat(logged.Select(v => $" {Report.Cell(ratios[v.Name], "F2"),12}")));
            json[row.Key] = new { medians, ratiosToMemory = ratios };
        }
        Console.WriteLine("  (ratios: above 1 is better than in memory for jobs/s, worse for latency, CPU and memory)");
        if (results.Values.SelectMany(r => r).Any(m => m.Capped)) Console.WriteLine("  (some runs were stopped by the time cap)");

        var all = new Dictionary<string, object?>
        {
            ["settings"] = Report.SettingsJson(o),
            ["medians"] = json,
            ["runs"] = LogVariant.All.ToDictionary(v => v.Name, v => results[v]),
        };
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(all, Report.Json));
    }

    /// <summary>The figures shown: jobs/s, p50 and p99 of each command the mode sent, CPU, memory (per job in a fill), log size.</summary>
    static List<Row> Rows(Measurement first)
    {
        var rows = new List<Row> { new("jobs/s", "jobsPerSecond", m => m.JobsPerSecond) };
        foreach (var key in Report.Order)
        {
            if (!first.Latency.ContainsKey(key)) continue;
            rows.Add(new($"{key} p50 us", $"{key}P50Us", m => m.Latency[key].P50Us));
            rows.Add(new($"{key} p99 us", $"{key}P99Us", m => m.Latency[key].P99Us));
        }
        rows.Add(new("CPU s/1000 jobs", "cpuSecondsPer1000Jobs", m => m.CpuSecondsPer1000Jobs));
        rows.Add(new("peak RSS MB", "peakRssMb", m => m.PeakRssMb));
        if (first.RssBytesPerJob is not null) rows.Add(new("RSS bytes/job", "rssBytesPerJob", m => m.RssBytesPerJob));
        rows.Add(new("log MB", "logMb", m => m.LogMb));
        rows.Add(new("client CPU s/1000", "clientCpuSecondsPer1000Jobs", m => m.ClientCpuSecondsPer1000Jobs));
        return rows;
    }
}
