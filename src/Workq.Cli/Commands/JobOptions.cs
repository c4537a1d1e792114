using System.CommandLine;
using Workq.Cli.Values;

namespace Workq.Cli.Commands;

/// <summary>
/// The options of a new job, named after the protocol's fields and flags. <c>add</c> and
/// <c>schedule</c> take them all; <c>run</c> only those a foreground job has; <c>recur add</c>
/// all but the id, which each occurrence's job gets from the server.
/// </summary>
internal sealed class JobOptions
{
    private readonly bool kept;
    private readonly bool identified;

    /// <param name="kept">Whether the job is kept for its TTL, with retry limits (add, schedule, recur), or not (run).</param>
    /// <param name="identified">Whether the caller names the job's id (add, schedule, run) or not (recur).</param>
    public JobOptions(bool kept, bool identified = true)
    {
        this.kept = kept;
        this.identified = identified;
    }

    public Option<Guid?> Id { get; } = ValueOptions.JobId("--id", "The job's id. Default: a new UUID (version 7), printed when the job is accepted.");

    public Option<TimeSpan> Ttr { get; } = ValueOptions.Duration(
        "--ttr", $"Time to run: how long one lease lasts before the job goes back to its queue, up to 1d. E.g. {Durations.Examples}.",
        positive: true, required: true);

    public Option<TimeSpan> Ttl { get; } = ValueOptions.Duration(
        "--ttl", "Time to live: how long the job and then its result are kept, up to 30d.", positive: true, required: true);

    public Option<long> Priority { get; } = ValueOptions.Number(
        "--priority", "Higher is leased first; any 32-bit number.", int.MinValue, int.MaxValue);

    public Option<long> MaxAttempts { get; } = ValueOptions.Number(
        "--max-attempts", "At most this many leases, 0 to 255; 0 leaves only the server's cap of 255.", 0, 255);

    public Option<long> MaxFails { get; } = ValueOptions.Number(
        "--max-fails", "Fails before a fail is final, 0 to 255; 0 or 1 makes the first one final.", 0, 255);

    public Option<TimeSpan> Backoff { get; } = ValueOptions.Duration(
        "--backoff", "The wait after a first retried fail before the job is leased again, doubled after each further one, "
            + "spread by a fifth either way, up to 1h. Default 0: ready again at once.",
        positive: false);

    public void AddTo(Command command)
    {
        if (identified)
            command.Options.Add(Id);
        command.Options.Add(Ttr);
        if (kept)
            command.Options.Add(Ttl);
        command.Options.Add(Priority);
        if (kept)
        {
            command.Options.Add(MaxAttempts);
            command.Options.Add(MaxFails);
            command.Options.Add(Backoff);
        }
    }

    /// <summary>The given id, or a new one.</summary>
    public Guid IdOrNew(ParseResult parsed) => parsed.GetValue(Id) ?? Guid.CreateVersion7();
}
