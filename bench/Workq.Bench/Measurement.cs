namespace Workq.Bench;

/// <summary>Client-side latency of one command, in microseconds.</summary>
public sealed record LatencySummary(string Command, long Count, double P50Us, double P99Us, double MaxUs)
{
    public static LatencySummary Of(string command, Histogram h) =>
        new(command, h.Count, h.Percentile(50) / 1000.0, h.Percentile(99) / 1000.0, h.Max / 1000.0);
}

/// <summary>What one run against one server measured.</summary>
public sealed record Measurement
{
    public required string Server { get; init; }
    public required string Mode { get; init; }
    /// <summary>Jobs finished: completed (queue), answered (run) or added (fill).</summary>
    public required long Jobs { get; init; }
    public required double Seconds { get; init; }
    public required double JobsPerSecond { get; init; }
    /// <summary>The time cap ended the run before all jobs were done.</summary>
    public required bool Capped { get; init; }
    /// <summary>Keyed by add, lease, complete, run; each names the server's own command.</summary>
    public required Dictionary<string, LatencySummary> Latency { get; init; }
    /// <summary>
    /// Leases that timed out and were sent again (queue and run modes). Every lease is
    /// owed a job, so each one is a wake-up the server missed with a job ready, or the
    /// end of a time-capped run.
    /// </summary>
    public long? LeaseTimeouts { get; init; }
    public double? CpuSecondsPer1000Jobs { get; init; }
    public double? PeakRssMb { get; init; }
    /// <summary>Fill mode: resident memory once all jobs are in, and its growth per job.</summary>
    public double? RssAfterFillMb { get; init; }
    public double? RssBytesPerJob { get; init; }
    /// <summary>With a command log: its directory's size at the end of the run.</summary>
    public double? LogMb { get; init; }
    /// <summary>The load generator's own cost, to see that it leaves the cores to the server.</summary>
    public required double ClientCpuSecondsPer1000Jobs { get; init; }
    public required double ClientBytesAllocatedPerJob { get; init; }
}
