using System.Text;

namespace Workq.Client;

/// <summary>
/// A client of a Workq server: one async method per protocol command.
/// </summary>
/// <remarks>
/// <para>
/// One instance is meant to be shared, by every thread of a process. Each request takes a
/// connection of its own for its request/response exchange (an idle one from a small
/// pool, or a new one), so a <c>lease</c>, <c>run</c> or <c>result</c> that waits on the
/// server never holds up other requests.
/// </para>
/// <para>
/// Errors: an error reply from the server is a <see cref="WorkqException"/> (one subclass
/// per code), except that a <c>lease</c> that times out returns null. A connection that
/// fails is a <see cref="WorkqConnectionException"/>; requests are never resent by the
/// client. Given several servers (the members of a cluster), it connects to any that
/// takes a connection, and after a broken connection tries the next one first. Arguments that could never make a valid request (an empty name, a negative
/// TTR, more than 1 MiB of data) are refused with an <see cref="ArgumentException"/>
/// before anything is sent; everything else is left to the server to judge.
/// </para>
/// <para>
/// Cancelling a token while its request is on the wire closes that request's connection
/// (the server then forgets a waiting <c>lease</c>, and removes a waiting <c>run</c>'s
/// job) and throws <see cref="OperationCanceledException"/>.
/// </para>
/// </remarks>
public sealed partial class WorkqClient : IWorkqClient
{
    private readonly ConnectionPool pool;

    /// <summary>A client of the server at <see cref="WorkqClientOptions.DefaultServer"/>.</summary>
    public WorkqClient()
        : this(new WorkqClientOptions())
    {
    }

    /// <summary>
    /// A client of the server at <paramref name="server"/> (<c>HOST:PORT</c>, or several
    /// separated by commas), with default settings.
    /// </summary>
    public WorkqClient(string server)
        : this(new WorkqClientOptions { Server = server })
    {
    }

    /// <summary>
    /// A client of a cluster whose members are at <paramref name="servers"/>
    /// (<c>HOST:PORT</c> each; any of them serves), with default settings.
    /// </summary>
    public WorkqClient(IEnumerable<string> servers)
        : this(new WorkqClientOptions { Server = string.Join(',', servers ?? throw new ArgumentNullException(nameof(servers))) })
    {
    }

    /// <summary>A client with the given settings.</summary>
    /// <exception cref="ArgumentException">The server address or a setting is invalid.</exception>
    public WorkqClient(WorkqClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServerAddress[] addresses = ServerAddress.ParseList(options.Server);
        if (options.ConnectTimeout <= TimeSpan.Zero && options.ConnectTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(options), options.ConnectTimeout, "ConnectTimeout must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxPooledConnections, nameof(options));
        if (options.AuthToken is { } token && !IsToken(token))
            throw new ArgumentException(
                "AuthToken must be 1 to 1024 visible ASCII characters, not beginning with '-', as in the server's token file.", nameof(options));
        pool = new ConnectionPool(addresses, ClientTls.From(options), options.AuthToken, options.ConnectTimeout, options.MaxPooledConnections);
    }

    private static bool IsToken(string token) =>
        token.Length is >= 1 and <= 1024 && token[0] != '-' && token.All(c => c is >= '!' and <= '~');

    /// <summary>The server's address, <c>HOST:PORT</c>; for several, all of them separated by commas.</summary>
    public string Server => string.Join(',', pool.Addresses);

    /// <summary>Queues a job at once (<c>add</c>).</summary>
    /// <returns>The job's id, <see cref="JobDescription.Id"/>.</returns>
    /// <exception cref="WorkqClientErrorException">The server refused the job, e.g. <c>Duplicate job</c> or <c>Invalid TTL</c>.</exception>
    public async Task<Guid> AddAsync(BackgroundJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        await QueueAsync("add", job, job.Ttl, time: null, job.MaxAttempts, job.MaxFails, job.Backoff, cancellationToken);
        return job.Id;
    }

    /// <summary>Queues a job that becomes ready at <see cref="ScheduledJob.Time"/> (<c>schedule</c>).</summary>
    /// <returns>The job's id, <see cref="JobDescription.Id"/>.</returns>
    /// <exception cref="WorkqClientErrorException">
    /// The server refused the job, e.g. <c>Invalid Time</c> when its time plus its TTL is already past.
    /// </exception>
    public async Task<Guid> ScheduleAsync(ScheduledJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        await QueueAsync("schedule", job, job.Ttl, job.Time, job.MaxAttempts, job.MaxFails, job.Backoff, cancellationToken);
        return job.Id;
    }

    /// <summary>
    /// Queues a job and waits for a worker to finish it (<c>run</c>). The server removes the
    /// job when the run ends, however it ends.
    /// </summary>
    /// <returns>The job's result, which may be a failure (<see cref="JobResult.Success"/> false).</returns>
    /// <exception cref="WorkqTimeoutException">
    /// No worker took the job within <see cref="ForegroundJob.WaitTimeout"/>, or the worker
    /// that held it then did not answer within its TTR.
    /// </exception>
    /// <exception cref="WorkqNotFoundException">Someone deleted the job while it ran.</exception>
    public Task<JobResult> RunAsync(ForegroundJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        long ttr = CheckCommon(job);
        long wait = Arguments.Millis(job.WaitTimeout, nameof(job.WaitTimeout), zeroAllowed: true);
        var request = new Request("run").Id(job.Id).Word(job.Name).Number(ttr).Number(wait).Number(job.Payload.Length)
            .Flag("priority", job.Priority)
            .EndLine().Block(job.Payload);
        return ExchangeAsync(request, Replies.ResultAsync, cancellationToken);
    }

    /// <summary>
    /// A job's result (<c>result</c>): at once for a finished job, otherwise after waiting up
    /// to <paramref name="waitTimeout"/> for it to finish.
    /// </summary>
    /// <param name="id">The job's id.</param>
    /// <param name="waitTimeout">How long to wait for an unfinished job; zero (the default) does not wait.</param>
    /// <param name="cancellationToken">Stops waiting; the request's connection is closed.</param>
    /// <exception cref="WorkqTimeoutException">The job did not finish in time.</exception>
    /// <exception cref="WorkqNotFoundException">No such job, or it was deleted or expired while awaited.</exception>
    public Task<JobResult> ResultAsync(Guid id, TimeSpan waitTimeout = default, CancellationToken cancellationToken = default)
    {
        Arguments.Id(id, nameof(id));
        long wait = Arguments.Millis(waitTimeout, nameof(waitTimeout), zeroAllowed: true);
        var request = new Request("result").Id(id).Number(wait).EndLine();
        return ExchangeAsync(request, Replies.ResultAsync, cancellationToken);
    }

    /// <summary>
    /// Takes the best ready job of queue <paramref name="name"/> (<c>lease</c>), waiting up to
    /// <paramref name="waitTimeout"/> for one.
    /// </summary>
    /// <returns>The job, or <b>null</b> when none came in time: for a polling worker that is
    /// an expected outcome, not an error, so it is not a <see cref="WorkqTimeoutException"/>.</returns>
    public Task<LeasedJob?> LeaseAsync(string name, TimeSpan waitTimeout, CancellationToken cancellationToken = default) =>
        LeaseAsync([name], waitTimeout, cancellationToken);

    /// <summary>
    /// Takes the best ready job among the queues <paramref name="names"/> (<c>lease</c>):
    /// highest priority first, then the one ready longest; waits up to
    /// <paramref name="waitTimeout"/> for one (zero: does not wait).
    /// </summary>
    /// <returns>The job, or <b>null</b> when none came in time: for a polling worker that is
    /// an expected outcome, not an error, so it is not a <see cref="WorkqTimeoutException"/>.</returns>
    /// <remarks>
    /// <para>
    /// The request asks for the job's attempt and fail counts (<c>-counts=1</c>), which
    /// <see cref="LeasedJob.Attempts"/> and <see cref="LeasedJob.Fails"/> hold; the original
    /// Workq server ignores the flag, and they are null.
    /// </para>
    /// <para>
    /// Cancelling closes the request's connection, and the server stops waiting for a job
    /// for it. If a job was handed out at that very moment, it stays leased to no one
    /// until its TTR runs out and then returns to its queue.
    /// </para>
    /// </remarks>
    public Task<LeasedJob?> LeaseAsync(IEnumerable<string> names, TimeSpan waitTimeout, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> queues = Arguments.Names(names, nameof(names));
        long wait = Arguments.Millis(waitTimeout, nameof(waitTimeout), zeroAllowed: true);
        var request = new Request("lease");
        foreach (string queue in queues)
            request.Word(queue);
        request.Number(wait).Flag("counts", 1).EndLine();
        return ExchangeAsync(request, Replies.LeaseAsync, cancellationToken);
    }

    /// <summary>
    /// Extends a leased job's lease (<c>touch</c>): it lasts <paramref name="ttr"/>, or the
    /// job's own TTR when null, from now. For a job that runs longer than its TTR.
    /// </summary>
    /// <exception cref="WorkqNotFoundException">The job is not leased any more (finished, its lease ran out, deleted) or never was.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Invalid TTR</c>: over a day.</exception>
    public Task TouchAsync(Guid id, TimeSpan? ttr = null, CancellationToken cancellationToken = default)
    {
        Arguments.Id(id, nameof(id));
        var request = new Request("touch").Id(id);
        if (ttr is { } lease)
            request.Number(Arguments.Millis(lease, nameof(ttr), zeroAllowed: false));
        return ExchangeDoneAsync(request.EndLine(), cancellationToken);
    }

    /// <summary>Reports a job done, with its result (<c>complete</c>). A worker may answer after its lease ran out, as long as nobody finished the job first.</summary>
    /// <exception cref="WorkqNotFoundException">No such job (e.g. deleted, or expired).</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished.</exception>
    public Task CompleteAsync(Guid id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken = default) =>
        FinishAsync("complete", id, result, cancellationToken);

    /// <summary>Reports a job done, with a UTF-8 text result (<c>complete</c>).</summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished.</exception>
    public Task CompleteAsync(Guid id, string result, CancellationToken cancellationToken = default) =>
        FinishAsync("complete", id, Utf8(result, nameof(result)), cancellationToken);

    /// <summary>
    /// Reports a job failed, with a result (<c>fail</c>). While the job's fails stay below its
    /// <c>MaxFails</c> and attempts remain, it goes back to its queue; otherwise the failure is final.
    /// </summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished.</exception>
    public Task FailAsync(Guid id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken = default) =>
        FinishAsync("fail", id, result, cancellationToken);

    /// <summary>Reports a job failed, with a UTF-8 text result (<c>fail</c>).</summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished.</exception>
    public Task FailAsync(Guid id, string result, CancellationToken cancellationToken = default) =>
        FinishAsync("fail", id, Utf8(result, nameof(result)), cancellationToken);

    /// <summary>
    /// Reports a job failed (<c>fail -retry-in</c>), and if the failure is retried, the job
    /// may be leased again only after <paramref name="retryIn"/> (up to an hour; zero: at
    /// once), whatever its own back-off: for "the downstream said come back in a minute".
    /// Whether it is retried is decided as for any <c>fail</c>.
    /// </summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished; <c>Invalid Retry In</c>: over an hour.</exception>
    public Task FailAsync(Guid id, ReadOnlyMemory<byte> result, TimeSpan retryIn, CancellationToken cancellationToken = default) =>
        FinishAsync("fail", id, result, cancellationToken, retryIn);

    /// <summary>Reports a job failed, with a UTF-8 text result, its retry after <paramref name="retryIn"/> (<c>fail -retry-in</c>).</summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Duplicate result</c>: the job has already finished; <c>Invalid Retry In</c>: over an hour.</exception>
    public Task FailAsync(Guid id, string result, TimeSpan retryIn, CancellationToken cancellationToken = default) =>
        FinishAsync("fail", id, Utf8(result, nameof(result)), cancellationToken, retryIn);

    /// <summary>Removes a job in any state (<c>delete</c>); whoever waits on it gets <see cref="WorkqNotFoundException"/>.</summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    public Task DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        Arguments.Id(id, nameof(id));
        return ExchangeDoneAsync(new Request("delete").Id(id).EndLine(), cancellationToken);
    }

    /// <summary>
    /// Puts a failed job back in its queue (<c>requeue</c>) as a new series of attempts: no
    /// attempts or fails counted, its place as if just added. It keeps the time it had left
    /// to live, or lives <paramref name="ttl"/> from now when given.
    /// </summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Job not failed</c>: the job has not ended failed.</exception>
    public Task RequeueAsync(Guid id, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Arguments.Id(id, nameof(id));
        var request = new Request("requeue").Id(id);
        if (ttl is { } live)
            request.Flag("ttl", Arguments.Millis(live, nameof(ttl), zeroAllowed: false));
        return ExchangeDoneAsync(request.EndLine(), cancellationToken);
    }

    /// <summary>
    /// Puts every failed job of queue <paramref name="name"/> back (<c>requeue-failed</c>), as
    /// <see cref="RequeueAsync"/> does one, the oldest failure first.
    /// </summary>
    /// <returns>How many jobs went back.</returns>
    public Task<int> RequeueFailedAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        Arguments.Name(name, nameof(name));
        var request = new Request("requeue-failed").Word(name);
        if (ttl is { } live)
            request.Flag("ttl", Arguments.Millis(live, nameof(ttl), zeroAllowed: false));
        return InspectOneAsync(request.EndLine(), r => r.Int32("requeued"), cancellationToken);
    }

    /// <summary>
    /// Sets a recurring definition (<c>recur</c>), replacing any under its key. Its first
    /// occurrence is the first instant after now that its expression matches.
    /// </summary>
    /// <exception cref="WorkqClientErrorException">
    /// The server refused it, e.g. <c>Invalid Cron</c> for an expression it cannot read or that never occurs.
    /// </exception>
    public Task RecurAsync(RecurringJob definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Arguments.Name(definition.Key, nameof(definition.Key));
        Arguments.Name(definition.Name, nameof(definition.Name));
        ArgumentException.ThrowIfNullOrWhiteSpace(definition.Cron, nameof(definition.Cron));
        Arguments.Data(definition.Payload, nameof(definition.Payload));
        long ttr = Arguments.Millis(definition.Ttr, nameof(definition.Ttr), zeroAllowed: false);
        long ttl = Arguments.Millis(definition.Ttl, nameof(definition.Ttl), zeroAllowed: false);
        Arguments.NotNegative(definition.MaxAttempts, nameof(definition.MaxAttempts));
        Arguments.NotNegative(definition.MaxFails, nameof(definition.MaxFails));
        long backoff = Arguments.Millis(definition.Backoff, nameof(definition.Backoff), zeroAllowed: true);
        var request = new Request("recur").Word(definition.Key).Word(definition.Name).Number(ttr).Number(ttl)
            .Word(definition.CronToken).Number(definition.Payload.Length)
            .Flag("priority", definition.Priority).Flag("max-attempts", definition.MaxAttempts)
            .Flag("max-fails", definition.MaxFails).Flag("backoff", backoff);
        if (definition.Overlap == RecurringOverlap.Skip)
            request.Word("-overlap=skip");
        return ExchangeDoneAsync(request.EndLine().Block(definition.Payload), cancellationToken);
    }

    /// <summary>Removes a recurring definition (<c>unrecur</c>); the jobs it added stay.</summary>
    /// <exception cref="WorkqNotFoundException">No definition has this key.</exception>
    public Task UnrecurAsync(string key, CancellationToken cancellationToken = default)
    {
        Arguments.Name(key, nameof(key));
        return ExchangeDoneAsync(new Request("unrecur").Word(key).EndLine(), cancellationToken);
    }

    /// <summary>A job, whatever its state (<c>inspect job</c>).</summary>
    /// <exception cref="WorkqNotFoundException">No such job.</exception>
    public Task<JobInfo> InspectJobAsync(Guid id, CancellationToken cancellationToken = default)
    {
        Arguments.Id(id, nameof(id));
        return InspectOneAsync(new Request("inspect job").Id(id).EndLine(), JobInfo.FromRecord, cancellationToken);
    }

    /// <summary>A page of a queue's ready jobs, in the order <c>lease</c> takes them (<c>inspect jobs</c>).</summary>
    /// <param name="name">The queue.</param>
    /// <param name="offset">How many jobs to skip.</param>
    /// <param name="limit">At most how many to return; the server accepts 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The jobs; empty when the queue has none ready, when <paramref name="offset"/> is past
    /// the end, and when the queue does not exist (the server's <c>-NOT-FOUND</c>).
    /// </returns>
    public Task<IReadOnlyList<JobInfo>> InspectJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        InspectQueueJobsAsync("inspect jobs", name, offset, limit, cancellationToken);

    /// <summary>A page of a queue's jobs not yet ready, soonest first (<c>inspect scheduled-jobs</c>).</summary>
    /// <param name="name">The queue.</param>
    /// <param name="offset">How many jobs to skip.</param>
    /// <param name="limit">At most how many to return; the server accepts 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// The jobs; empty when the queue has none waiting, when <paramref name="offset"/> is
    /// past the end, and when the queue does not exist (the server's <c>-NOT-FOUND</c>).
    /// </returns>
    public Task<IReadOnlyList<JobInfo>> InspectScheduledJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        InspectQueueJobsAsync("inspect scheduled-jobs", name, offset, limit, cancellationToken);

    /// <summary>A queue's counts (<c>inspect queue</c>).</summary>
    /// <returns>
    /// The counts; all zero for a queue the server does not have (its <c>-NOT-FOUND</c>:
    /// the queue holds no unfinished job and no worker waits on it).
    /// </returns>
    public async Task<QueueInfo> InspectQueueAsync(string name, CancellationToken cancellationToken = default)
    {
        Arguments.Name(name, nameof(name));
        try
        {
            return await InspectOneAsync(new Request("inspect queue").Word(name).EndLine(), QueueInfo.FromRecord, cancellationToken);
        }
        catch (WorkqNotFoundException)
        {
            return QueueInfo.Empty(name);
        }
    }

    /// <summary>
    /// A queue's jobs; a queue the server does not have (it exists only while it holds an
    /// unfinished job or a waiting worker) has none.
    /// </summary>
    private async Task<IReadOnlyList<JobInfo>> InspectQueueJobsAsync(
        string command, string name, long offset, int limit, CancellationToken cancellationToken)
    {
        Request request = PageRequest(command, name, offset, limit);
        try
        {
            return await InspectAsync(request, JobInfo.FromRecord, cancellationToken);
        }
        catch (WorkqNotFoundException)
        {
            return [];
        }
    }

    /// <summary>A page of the queues that exist, in byte order of name (<c>inspect queues</c>).</summary>
    /// <param name="offset">How many queues to skip.</param>
    /// <param name="limit">At most how many to return; the server accepts 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<QueueInfo>> InspectQueuesAsync(long offset = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        Arguments.NotNegative(offset, nameof(offset));
        Arguments.Positive(limit, nameof(limit));
        var request = new Request("inspect queues").Number(offset).Number(limit).EndLine();
        return await InspectAsync(request, QueueInfo.FromRecord, cancellationToken);
    }

    /// <summary>
    /// A page of the jobs of name <paramref name="name"/> that ended failed, newest failure
    /// first, with their results (<c>inspect failed-jobs</c>); whether or not the queue still
    /// exists. Empty when there are none.
    /// </summary>
    /// <param name="name">The jobs' name (queue).</param>
    /// <param name="offset">How many jobs to skip.</param>
    /// <param name="limit">At most how many to return; the server accepts 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<FailedJobInfo>> InspectFailedJobsAsync(string name, long offset = 0, int limit = 100, CancellationToken cancellationToken = default) =>
        await InspectAsync(PageRequest("inspect failed-jobs", name, offset, limit), FailedJobInfo.FromRecord, cancellationToken);

    /// <summary>A page of the recurring definitions, in byte order of key (<c>inspect recurring</c>).</summary>
    /// <param name="offset">How many definitions to skip.</param>
    /// <param name="limit">At most how many to return; the server accepts 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<RecurringInfo>> InspectRecurringAsync(long offset = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        Arguments.NotNegative(offset, nameof(offset));
        Arguments.Positive(limit, nameof(limit));
        var request = new Request("inspect recurring").Number(offset).Number(limit).EndLine();
        return await InspectAsync(request, RecurringInfo.FromRecord, cancellationToken);
    }

    /// <summary>The server's counters (<c>inspect server</c>).</summary>
    public Task<ServerInfo> InspectServerAsync(CancellationToken cancellationToken = default) =>
        InspectOneAsync(new Request("inspect server").EndLine(), ServerInfo.FromRecord, cancellationToken);

    /// <summary>The members of the cluster the server belongs to, as its leader sees them (<c>cluster status</c>).</summary>
    /// <exception cref="WorkqClientErrorException"><c>Not a cluster member</c>: the server is on its own.</exception>
    public async Task<IReadOnlyList<ClusterMember>> ClusterStatusAsync(CancellationToken cancellationToken = default) =>
        await InspectAsync(new Request("cluster status").EndLine(), ClusterMember.FromRecord, cancellationToken);

    /// <summary>
    /// Adds the member whose Raft address is <paramref name="address"/> (<c>HOST:PORT</c>) to
    /// the cluster (<c>cluster add</c>); answered once it has caught up and the change is
    /// committed. Start the new member first, with that <c>-cluster-listen</c>.
    /// </summary>
    /// <exception cref="WorkqServerErrorException">It is a member already, did not catch up in time, or another change is under way.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Invalid member address</c>, or <c>Not a cluster member</c>.</exception>
    public Task AddClusterMemberAsync(string address, CancellationToken cancellationToken = default) =>
        MembershipAsync("cluster add", address, cancellationToken);

    /// <summary>
    /// Removes the member whose Raft address is <paramref name="address"/> from the cluster
    /// (<c>cluster remove</c>); answered once the change is committed. Stop that member
    /// afterwards. Removing the leader ends its leadership: the others elect a new one.
    /// </summary>
    /// <exception cref="WorkqServerErrorException">It is not a member, or another change is under way.</exception>
    /// <exception cref="WorkqClientErrorException"><c>Invalid member address</c>, or <c>Not a cluster member</c>.</exception>
    public Task RemoveClusterMemberAsync(string address, CancellationToken cancellationToken = default) =>
        MembershipAsync("cluster remove", address, cancellationToken);

    private Task MembershipAsync(string command, string address, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (address.Any(c => c == ' ' || char.IsControl(c)))
            throw new ArgumentException($"'{address}' is not a member address: expected HOST:PORT.", nameof(address));
        return ExchangeDoneAsync(new Request(command).Word(address).EndLine(), cancellationToken);
    }

    /// <summary>Closes every connection, idle or in use; requests still waiting fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => pool.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        pool.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task FinishAsync(string command, Guid id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken, TimeSpan? retryIn = null)
    {
        Arguments.Id(id, nameof(id));
        Arguments.Data(result, nameof(result));
        var request = new Request(command).Id(id).Number(result.Length);
        if (retryIn is { } wait)
        {
            // Zero is a wait of its own (at once, whatever the job's back-off), so it is sent.
            long ms = Arguments.Millis(wait, nameof(retryIn), zeroAllowed: true);
            request.Word(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-retry-in={ms}"));
        }
        return ExchangeDoneAsync(request.EndLine().Block(result), cancellationToken);
    }

    /// <summary>Checks what every job description has; returns its TTR in milliseconds.</summary>
    private static long CheckCommon(JobDescription job)
    {
        Arguments.Id(job.Id, nameof(job.Id));
        Arguments.Name(job.Name, nameof(job.Name));
        Arguments.Data(job.Payload, nameof(job.Payload));
        return Arguments.Millis(job.Ttr, nameof(job.Ttr), zeroAllowed: false);
    }

    /// <summary>
    /// <c>add</c> or <c>schedule</c> (the latter with its <paramref name="time"/>): the two
    /// differ only in that word, so they are checked and written out here once.
    /// </summary>
    private Task QueueAsync(string command, JobDescription job, TimeSpan ttl, DateTimeOffset? time, int maxAttempts, int maxFails, TimeSpan backoff, CancellationToken cancellationToken)
    {
        long ttr = CheckCommon(job);
        long ttlMillis = Arguments.Millis(ttl, nameof(BackgroundJob.Ttl), zeroAllowed: false);
        Arguments.NotNegative(maxAttempts, nameof(BackgroundJob.MaxAttempts));
        Arguments.NotNegative(maxFails, nameof(BackgroundJob.MaxFails));
        long backoffMillis = Arguments.Millis(backoff, nameof(BackgroundJob.Backoff), zeroAllowed: true);
        var request = new Request(command).Id(job.Id).Word(job.Name).Number(ttr).Number(ttlMillis);
        if (time is { } at)
            request.Time(at);
        request.Number(job.Payload.Length)
            .Flag("priority", job.Priority).Flag("max-attempts", maxAttempts).Flag("max-fails", maxFails)
            .Flag("backoff", backoffMillis)
            .EndLine().Block(job.Payload);
        return ExchangeDoneAsync(request, cancellationToken);
    }

    private static Request PageRequest(string command, string name, long offset, int limit)
    {
        Arguments.Name(name, nameof(name));
        Arguments.NotNegative(offset, nameof(offset));
        Arguments.Positive(limit, nameof(limit));
        return new Request(command).Word(name).Number(offset).Number(limit).EndLine();
    }

    private static byte[] Utf8(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        return Encoding.UTF8.GetBytes(text);
    }
}
