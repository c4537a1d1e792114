using System.Text.Json;

namespace Workq.Bench;

/// <summary>
/// Prints a comparison of Workq with itself run in several ways (<c>--vs cmdlog</c>,
/// <c>--vs cluster</c>): the median of each figure per variant, and each variant's ratio
/// to the first, the baseline.
/// </summary>
public static class VariantReport
{
    sealed record Row(string Name, string Key, Func<Measurement, double?> Figure);

    /// <param name="title">What is compared, e.g. "workq command log vs in memory".</param>
    /// <param name="variants">The variants' names in the order they ran; the first is the baseline.</param>
    /// <param name="short">The baseline's name in the ratios' column heads, e.g. "mem".</param>
    public static void Print(
        Options o, string title, IReadOnlyList<string> variants, string @short, IReadOnlyDictionary<string, List<Measurement>> results)
    {
        var baseline = variants[0];
        var others = variants.Skip(1).ToArray();
        var rows = Rows(results[baseline][0]);

        Console.WriteLine($"{title}, {o.Mode.ToString().ToLowerInvariant()}: {Report.Settings(o)}; medians of {o.Runs} runs each");
        var header = $"  {"median",-20}" + string.Concat(variants.Select(v => $" {v,10}"))
            + string.Concat(others.Select(v => $" {v + "/" + @short,14}"));
        Console.WriteLine(header);
        var json = new Dictionary<string, object?>();
        foreach (var row in rows)
        {
            var medians = variants.ToDictionary(v => v, v => Report.Median(results[v], row.Figure));
            var ratios = others.ToDictionary(v => v, v => Report.Ratio(medians[v], medians[baseline]));
            Console.WriteLine($"  {row.Name,-20}"
                + string.Concat(variants.Select(v => $" {Report.Cell(medians[v]),10}"))
                + string.Concat(others.Select(v => $" {Report.Cell(ratios[v], "F2"),14}")));
            json[row.Key] = new { medians, ratiosToBaseline = ratios };
        }
        Console.WriteLine($"  (ratios: above 1 is better than {baseline} for jobs/s, worse for latency, CPU and memory)");
        if (results.Values.SelectMany(r => r).Any(m => m.Capped)) Console.WriteLine("  (some runs were stopped by the time cap)");

        var all = new Dictionary<string, object?>
        {
            ["settings"] = Report.SettingsJson(o),
            ["baseline"] = baseline,
            ["medians"] = json,
            ["runs"] = variants.ToDictionary(v => v, v => results[v]),
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
