namespace Workq.Client;

/// <summary>
/// What <see cref="WorkqClient"/> does, one method per protocol command: for code that
/// takes a client and for tests that stand in for the server with a mock of their own.
/// The dependency-injection registration (<c>AddWorkqClient</c>) provides both this and
/// the <see cref="WorkqClient"/> itself, one instance.
/// </summary>
public interface IWorkqClient : IDisposable, IAsyncDisposable
{
    /// <inheritdoc cref="WorkqClient.Server"/>
    string Server { get; }

    /// <inheritdoc cref="WorkqClient.AddAsync"/>
    Task<Guid> AddAsync(BackgroundJob job, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.ScheduleAsync"/>
    Task<Guid> ScheduleAsync(ScheduledJob job, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.RunAsync"/>
    Task<JobResult> RunAsync(ForegroundJob job, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.ResultAsync"/>
    Task<JobResult> ResultAsync(Guid id, TimeSpan waitTimeout = default, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.LeaseAsync(string, TimeSpan, CancellationToken)"/>
    Task<LeasedJob?> LeaseAsync(string name, TimeSpan waitTimeout, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.LeaseAsync(IEnumerable{string}, TimeSpan, CancellationToken)"/>
    Task<LeasedJob?> LeaseAsync(IEnumerable<string> names, TimeSpan waitTimeout, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.TouchAsync"/>
    Task TouchAsync(Guid id, TimeSpan? ttr = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.CompleteAsync(Guid, ReadOnlyMemory{byte}, CancellationToken)"/>
    Task CompleteAsync(Guid id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.CompleteAsync(Guid, string, CancellationToken)"/>
    Task CompleteAsync(Guid id, string result, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.FailAsync(Guid, ReadOnlyMemory{byte}, CancellationToken)"/>
    Task FailAsync(Guid id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.FailAsync(Guid, string, CancellationToken)"/>
    Task FailAsync(Guid id, string result, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.FailAsync(Guid, ReadOnlyMemory{byte}, TimeSpan, CancellationToken)"/>
    Task FailAsync(Guid id, ReadOnlyMemory<byte> result, TimeSpan retryIn, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.FailAsync(Guid, string, TimeSpan, CancellationToken)"/>
    Task FailAsync(Guid id, string result, TimeSpan retryIn, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.DeleteAsync"/>
    Task DeleteAsync(Guid id, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.RequeueAsync"/>
    Task RequeueAsync(Guid id, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.RequeueFailedAsync"/>
    Task<int> RequeueFailedAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.RecurAsync"/>
    Task RecurAsync(RecurringJob definition, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.UnrecurAsync"/>
    Task UnrecurAsync(string key, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectJobAsync"/>
    Task<JobInfo> InspectJobAsync(Guid id, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectJobsAsync"/>
    Task<IReadOnlyList<JobInfo>> InspectJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectScheduledJobsAsync"/>
    Task<IReadOnlyList<JobInfo>> InspectScheduledJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectQueueAsync"/>
    Task<QueueInfo> InspectQueueAsync(string name, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectQueuesAsync"/>
    Task<IReadOnlyList<QueueInfo>> InspectQueuesAsync(long offset = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectFailedJobsAsync"/>
    Task<IReadOnlyList<FailedJobInfo>> InspectFailedJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectRecurringAsync"/>
    Task<IReadOnlyList<RecurringInfo>> InspectRecurringAsync(long offset = 0, int limit = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="WorkqClient.InspectServerAsync"/>
    Task<ServerInfo> InspectServerAsync(CancellationToken cancellationToken = default);
}
