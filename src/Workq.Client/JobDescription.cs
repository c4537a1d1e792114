using System.Text;

namespace Workq.Client;

/// <summary>
/// What every new job has: an id, a queue name, a time-to-run, a payload and a priority.
/// The three kinds of submission (<see cref="BackgroundJob"/>, <see cref="ScheduledJob"/>,
/// <see cref="ForegroundJob"/>) add their own settings.
/// </summary>
public abstract record JobDescription
{
    /// <summary>
    /// The job's id. A new description gets a fresh <see cref="Guid.CreateVersion7()"/>;
    /// note that a copy made with <c>with</c> keeps the id it was copied from.
    /// </summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The queue the job goes to: letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, 1 to 255 bytes.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Time to run: how long one lease lasts before the job goes back to its queue
    /// (sent in whole milliseconds, rounded up; the server accepts 1 ms to 1 day).
    /// </summary>
    public required TimeSpan Ttr { get; init; }

    /// <summary>The job's data, at most 1 MiB of any bytes. Empty by default.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The payload as UTF-8 text; setting it sets <see cref="Payload"/>.</summary>
    public string PayloadText
    {
        get => Encoding.UTF8.GetString(Payload.Span);
        init => Payload = Encoding.UTF8.GetBytes(value);
    }

    /// <summary>Higher runs first; 0 by default. Any 32-bit value, negative included.</summary>
    public int Priority { get; init; }
}
