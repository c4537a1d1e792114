using System.Text;

namespace Workq.Client;

/// <summary>A job that ended failed, as <c>inspect failed-jobs</c> shows it.</summary>
public sealed record FailedJobInfo
{
    /// <summary>The job, in <see cref="JobState.Failed"/>.</summary>
    public required JobInfo Job { get; init; }

    /// <summary>When it failed for good, to the second.</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The data of its last <c>fail</c>; empty when its attempts ran out.</summary>
    public required ReadOnlyMemory<byte> Result { get; init; }

    /// <summary>The result decoded as UTF-8.</summary>
    public string ResultText => Encoding.UTF8.GetString(Result.Span);

    internal static FailedJobInfo FromRecord(InspectRecord record) => new()
    {
        Job = JobInfo.FromRecord(record),
        FailedAt = record.Time("failed"),
        Result = record.Data("result") ?? throw record.Missing("result"),
    };
}
