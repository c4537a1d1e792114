using System.Text;

namespace Workq.Client;

/// <summary>The outcome of a finished job, from <see cref="WorkqClient.ResultAsync"/> or <see cref="WorkqClient.RunAsync"/>.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Success">
/// True when a worker completed the job; false when it failed it for good, or when its
/// attempts ran out (then <paramref name="Result"/> is empty).
/// </param>
/// <param name="Result">The data the worker sent with <c>complete</c> or <c>fail</c>.</param>
public sealed record JobResult(Guid Id, bool Success, ReadOnlyMemory<byte> Result)
{
    /// <summary>The result decoded as UTF-8.</summary>
    public string ResultText => Encoding.UTF8.GetString(Result.Span);
}
