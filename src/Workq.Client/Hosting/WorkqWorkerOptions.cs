namespace Workq.Client.Hosting;

/// <summary>
/// Settings of one hosted worker. They are named options, named after the worker's queue,
/// so besides the <c>configure</c> argument of <c>AddWorkqWorker</c> they can be bound
/// from configuration: <c>services.Configure&lt;WorkqWorkerOptions&gt;("resize-image", section)</c>.
/// </summary>
public sealed class WorkqWorkerOptions
{
    /// <summary>
    /// At most how many jobs run at once; the worker leases only when one of these slots
    /// is free. Default: <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// How long one <c>lease</c> request waits on the server for a job before the worker
    /// asks again: positive, at most a day. Default 5 seconds. Shutdown cancels a waiting
    /// lease at once, so a long wait does not slow it down.
    /// </summary>
    public TimeSpan LeaseWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long before a job's TTR runs out its handler's token is cancelled: the deadline
    /// is the TTR less this margin, counted from when the lease reply arrived, but never
    /// less than half the TTR. Default 1 second.
    /// </summary>
    public TimeSpan TtrMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long to wait before leasing again after a failed lease (the server is down,
    /// say); doubled after each further failure up to <see cref="MaxRetryDelay"/>, and
    /// back to this after a lease that gets an answer. Default 1 second.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between failed leases. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the lease of a job whose handler runs long is extended: while its handler
    /// runs, the worker touches the job halfway to the handler's deadline (see
    /// <see cref="TtrMargin"/>; about half the TTR), and each extension moves the deadline a
    /// TTR on. Default true. A handler that never
    /// ends then keeps its job for as long as the worker runs; with false, the handler is
    /// cancelled near the end of its first TTR.
    /// </summary>
    public bool ExtendLeases { get; set; } = true;

    /// <summary>
    /// Exception types (subclasses included) after which a job is failed with a wait before
    /// its retry (<c>fail -retry-in</c>) of <see cref="RetryBackoff"/>, as a
    /// <see cref="WorkqRetryException"/> is. Other exceptions fail the job plainly, and the
    /// job's own back-off, if it has one, applies. Empty by default.
    /// </summary>
    public IList<Type> RetryOn { get; } = [];

    /// <summary>
    /// The wait before the retry of a job whose handler threw a retryable exception (one of
    /// <see cref="RetryOn"/>, or a <see cref="WorkqRetryException"/> that names none): this,
    /// doubled for each fail the job had before (<see cref="LeasedJob.Fails"/>), spread by
    /// a fifth either way, at most an hour. Zero to an hour; default 10 seconds.
    /// </summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(10);
}
