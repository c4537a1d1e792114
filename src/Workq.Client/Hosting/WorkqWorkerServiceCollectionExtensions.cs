using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Workq.Client.Hosting;

/// <summary>Registers hosted Workq workers: background services that lease jobs of a queue and run a handler for each.</summary>
/// <remarks>
/// The worker lives in the client's assembly, not a package of its own: it needs only the
/// hosting abstractions (no host), which every application with a generic host has
/// anyway, and it can use the client's own argument checks.
/// </remarks>
public static class WorkqWorkerServiceCollectionExtensions
{
    /// <summary>The longest wait before a retry that the server takes.</summary>
    internal static readonly TimeSpan MaxRetryIn = TimeSpan.FromHours(1);

    /// <summary>
    /// Registers a worker for queue <paramref name="queue"/> that runs
    /// <paramref name="handler"/> for every job it leases:
    /// <c>services.AddWorkqWorker("resize-image", async (job, ct) => await ResizeAsync(job.Payload, ct))</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="queue">The queue to lease from; one worker per queue.</param>
    /// <param name="handler">
    /// Does one job. Its result (a string, bytes, or a <see cref="JobOutput"/>) completes
    /// the job; an exception fails it, with the exception's message. Its token is cancelled
    /// shortly before the job's TTR runs out and when the host's shutdown timeout ends.
    /// </param>
    /// <param name="configure">Sets the worker's options; defaults when null.</param>
    /// <remarks>
    /// The worker uses the container's <see cref="IWorkqClient"/>; a <see cref="WorkqClient"/>
    /// with default settings is registered unless <c>AddWorkqClient</c> is called too (before
    /// or after), or an <see cref="IWorkqClient"/> of the application's own is registered first.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="queue"/> is not a queue name, or already has a worker.</exception>
    public static IServiceCollection AddWorkqWorker(
        this IServiceCollection services,
        string queue,
        Func<LeasedJob, CancellationToken, Task<JobOutput>> handler,
        Action<WorkqWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return services.AddWorker(queue, _ => handler, configure);
    }

    /// <summary>
    /// Registers a worker for queue <paramref name="queue"/> that runs a
    /// <typeparamref name="THandler"/>, resolved from a new scope for each job. The handler
    /// is registered as a scoped service unless it already is registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="queue">The queue to lease from; one worker per queue.</param>
    /// <param name="configure">Sets the worker's options; defaults when null.</param>
    /// <inheritdoc cref="AddWorkqWorker(IServiceCollection, string, Func{LeasedJob, CancellationToken, Task{JobOutput}}, Action{WorkqWorkerOptions}?)" path="/remarks"/>
    /// <exception cref="ArgumentException"><paramref name="queue"/> is not a queue name, or already has a worker.</exception>
    public static IServiceCollection AddWorkqWorker<THandler>(
        this IServiceCollection services,
        string queue,
        Action<WorkqWorkerOptions>? configure = null)
        where THandler : class, IWorkqJobHandler
    {
        services.TryAddScoped<THandler>();
        return services.AddWorker(queue, provider => InScope<THandler>(provider.GetRequiredService<IServiceScopeFactory>()), configure);
    }

    private static IServiceCollection AddWorker(
        this IServiceCollection services,
        string queue,
        Func<IServiceProvider, Func<LeasedJob, CancellationToken, Task<JobOutput>>> makeHandler,
        Action<WorkqWorkerOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        Arguments.Name(queue, nameof(queue));
        // The options are named after the queue, so two workers of one queue would share them.
        if (services.Any(d => d.ServiceType == typeof(WorkerMark) && d.ImplementationInstance is WorkerMark m && m.Queue == queue))
            throw new ArgumentException($"Queue '{queue}' already has a worker; raise its Concurrency instead.", nameof(queue));
        services.AddSingleton(new WorkerMark(queue));

        services.AddWorkqClient();
        OptionsBuilder<WorkqWorkerOptions> options = services.AddOptions<WorkqWorkerOptions>(queue);
        if (configure is not null)
            options.Configure(configure);
        options
            .Validate(o => o.Concurrency >= 1, $"Worker '{queue}': Concurrency must be at least 1.")
            // A zero wait would poll an empty queue in a tight loop; over a day the server refuses.
            .Validate(o => o.LeaseWait > TimeSpan.Zero && o.LeaseWait <= TimeSpan.FromDays(1),
                $"Worker '{queue}': LeaseWait must be positive and at most a day.")
            .Validate(o => o.TtrMargin >= TimeSpan.Zero, $"Worker '{queue}': TtrMargin must not be negative.")
            .Validate(o => o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay,
                $"Worker '{queue}': RetryDelay must be positive and MaxRetryDelay at least RetryDelay.")
            .Validate(o => o.RetryBackoff >= TimeSpan.Zero && o.RetryBackoff <= MaxRetryIn,
                $"Worker '{queue}': RetryBackoff must be from zero to an hour.")
            .Validate(o => o.RetryOn.All(t => t is not null && typeof(Exception).IsAssignableFrom(t)),
                $"Worker '{queue}': RetryOn must hold exception types only.");

        // Not AddHostedService: it registers one service per implementation type, and there
        // may be a worker for each of several queues.
        services.AddSingleton<IHostedService>(provider => new WorkqWorker(
            queue,
            makeHandler(provider),
            provider.GetRequiredService<IWorkqClient>(),
            provider.GetRequiredService<IOptionsMonitor<WorkqWorkerOptions>>().Get(queue),
            provider.GetService<ILogger<WorkqWorker>>() ?? NullLogger<WorkqWorker>.Instance));
        return services;
    }

    private static Func<LeasedJob, CancellationToken, Task<JobOutput>> InScope<THandler>(IServiceScopeFactory scopes)
        where THandler : class, IWorkqJobHandler =>
        async (job, cancellationToken) =>
        {
            await using AsyncServiceScope scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(job, cancellationToken);
        };

    /// <summary>Marks a queue that has a worker.</summary>
    private sealed record WorkerMark(string Queue);
}
