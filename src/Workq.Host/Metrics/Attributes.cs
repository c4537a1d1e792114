namespace Workq.Host.Metrics;

/// <summary>
/// The attribute (label) names of the server's instruments: OpenTelemetry's semantic
/// conventions for messaging where one fits (a command is an operation, a queue a
/// destination), <c>workq.*</c> for the rest.
/// </summary>
internal static class Attributes
{
    /// <summary>The command: <c>add</c>, <c>lease</c>, ... (<c>unknown</c>: a line that names none).</summary>
    public const string Operation = "messaging.operation.name";

    /// <summary>The queue (job name); see <see cref="QueueGauges"/> for how many are named.</summary>
    public const string Queue = "messaging.destination.name";

    /// <summary>How a command or a compaction ended.</summary>
    public const string Outcome = "workq.outcome";

    /// <summary>What happened to a job: <c>added</c>, <c>leased</c>, <c>completed</c>, ...</summary>
    public const string JobEvent = "workq.job.event";

    /// <summary>Where a job is: <c>ready</c>, <c>scheduled</c>, <c>leased</c>, <c>failed</c>.</summary>
    public const string JobState = "workq.job.state";
}
