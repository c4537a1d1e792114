namespace Workq.Bench;

/// <summary>What replay mode measured: the fill, the log it left, and a fresh server replaying it.</summary>
public sealed record ReplayMeasurement
{
    public required long Jobs { get; init; }
    public required int PayloadSize { get; init; }

    public required double FillSeconds { get; init; }
    public required double FillJobsPerSecond { get; init; }
    /// <summary>The filled server's own resident memory, to compare with the replayed one.</summary>
    public required double FillRssMb { get; init; }
    public required double StopSeconds { get; init; }
    public required int StopExitCode { get; init; }

    public required double LogMb { get; init; }
    public required int LogFiles { get; init; }
    public required double LogBytesPerJob { get; init; }

    /// <summary>A server started on an empty log: the start-up cost without replay.</summary>
    public required Startup Baseline { get; init; }
    public required double BaselineRssMb { get; init; }

    public required Startup Replayed { get; init; }
    /// <summary>Events the server said it replayed (its log line), or null when it did not say.</summary>
    public long? Events { get; init; }
    /// <summary>Ready time less the empty log's: the replay itself.</summary>
    public required double ReplaySeconds { get; init; }
    public double? EventsPerSecond { get; init; }
    public required double RssAfterStartMb { get; init; }
    public required double PeakRssMb { get; init; }
    /// <summary>VmRSS a few seconds after start, once the replay's garbage may have been collected.</summary>
    public required double RssSettledMb { get; init; }
    public required double RssBytesPerJob { get; init; }
    public required double PeakRssBytesPerJob { get; init; }
}
