using System.Text;

namespace Workq.Client;

/// <summary>
/// A job handed to a worker by <see cref="WorkqClient.LeaseAsync(string, TimeSpan, CancellationToken)"/>.
/// The worker owns it for <see cref="Ttr"/>, extends that with
/// <see cref="WorkqClient.TouchAsync"/>, and answers with
/// <see cref="WorkqClient.CompleteAsync(Guid, ReadOnlyMemory{byte}, CancellationToken)"/> or
/// <see cref="WorkqClient.FailAsync(Guid, ReadOnlyMemory{byte}, CancellationToken)"/>.
/// </summary>
/// <param name="Id">The job's id.</param>
/// <param name="Name">The queue it came from (one of the names leased on).</param>
/// <param name="Ttr">How long this lease lasts, from the moment the server handed the job out.</param>
/// <param name="Payload">The job's data.</param>
public sealed record LeasedJob(Guid Id, string Name, TimeSpan Ttr, ReadOnlyMemory<byte> Payload)
{
    /// <summary>
    /// Its leases so far, this one included (1 on its first attempt); null from a server
    /// that does not report it (the original one does not).
    /// </summary>
    public int? Attempts { get; init; }

    /// <summary>
    /// How many times a worker failed it so far (0 until the first retried <c>fail</c>);
    /// null from a server that does not report it.
    /// </summary>
    public int? Fails { get; init; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);
}
