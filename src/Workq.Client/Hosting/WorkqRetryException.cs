namespace Workq.Client.Hosting;

/// <summary>
/// Thrown by a job handler to fail its job with a wait before the retry: the worker sends
/// <c>fail -retry-in</c> with <see cref="RetryIn"/>, or, when that is null, with the
/// worker's <see cref="WorkqWorkerOptions.RetryBackoff"/> doubled for each fail the job had.
/// Whether the job is retried at all is the server's to decide, by the job's
/// <c>MaxFails</c>, as for any fail.
/// </summary>
public class WorkqRetryException : Exception
{
    /// <summary>A retry after the worker's back-off.</summary>
    public WorkqRetryException()
    {
    }

    /// <summary>A retry after the worker's back-off, with a message that becomes the job's result.</summary>
    public WorkqRetryException(string message)
        : base(message)
    {
    }

    /// <summary>A retry after the worker's back-off, with a message and the exception that caused it.</summary>
    public WorkqRetryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A retry after <paramref name="retryIn"/> (at most an hour), with a message that becomes the job's result.</summary>
    public WorkqRetryException(string message, TimeSpan retryIn, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryIn, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(retryIn, TimeSpan.FromHours(1));
        RetryIn = retryIn;
    }

    /// <summary>The wait before the retry; null for the worker's back-off.</summary>
    public TimeSpan? RetryIn { get; }
}
