namespace Workq.Client.Hosting;

/// <summary>
/// Does the jobs of one queue, for a worker registered with
/// <see cref="WorkqWorkerServiceCollectionExtensions.AddWorkqWorker{THandler}"/>. The
/// worker resolves a handler from a new dependency-injection scope for every job, so a
/// handler may take scoped services (a database context, say) in its constructor.
/// </summary>
public interface IWorkqJobHandler
{
    /// <summary>
    /// Does one job. What it returns completes the job; an exception fails it, with the
    /// exception's message as the result.
    /// </summary>
    /// <param name="job">The leased job: its id, queue, TTR and payload.</param>
    /// <param name="cancellationToken">
    /// Cancelled shortly before the job's TTR runs out (the job is then left to the server,
    /// which hands it out again), and when the host's shutdown timeout ends. It is not
    /// cancelled when shutdown begins: a running job may finish.
    /// </param>
    Task<JobOutput> HandleAsync(LeasedJob job, CancellationToken cancellationToken);
}
