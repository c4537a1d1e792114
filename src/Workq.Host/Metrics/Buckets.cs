namespace Workq.Host.Metrics;

/// <summary>The histograms' bucket boundaries, in seconds, chosen for what each one measures.</summary>
internal static class Buckets
{
    /// <summary>A command from its arrival to its reply: tens of microseconds when answered at once, up to a blocking command's wait.</summary>
    public static readonly IReadOnlyList<double> Command =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>A job's time in its queue or with its worker: milliseconds to hours.</summary>
    public static readonly IReadOnlyList<double> Job =
        [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

    /// <summary>An fsync: tens of microseconds on a fast disk, seconds on a struggling one.</summary>
    public static readonly IReadOnlyList<double> Fsync =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
}
