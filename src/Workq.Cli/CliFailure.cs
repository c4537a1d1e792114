namespace Workq.Cli;

/// <summary>
/// A request that did not get what it asked for, said in the command's own terms
/// (<c>no job ...</c>, <c>no job came within 5s</c>), with the exit code that tells it apart.
/// </summary>
internal sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliFailure NoJob(Guid id) => new(ExitCodes.NotFound, $"no job {Values.JobIds.Format(id)}");

    public static CliFailure NotLeased(Guid id) => new(ExitCodes.NotFound, $"no leased job {Values.JobIds.Format(id)}");

    public static CliFailure NoDefinition(string key) => new(ExitCodes.NotFound, $"no recurring definition {key}");

    public static CliFailure TimedOut(string message) => new(ExitCodes.Timeout, message);
}
