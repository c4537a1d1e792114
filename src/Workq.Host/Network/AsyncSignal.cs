namespace Workq.Host.Network;

/// <summary>
/// An auto-reset event to await: <see cref="Set"/> wakes the waiter, or the next one if
/// nobody waits yet, so a wake-up between a check and the wait is never lost. The waiter
/// resumes on the thread that sets the signal (outside the lock), not on the thread pool:
/// a connection's reader then goes on right where the engine answered it. Measured with
/// 32 pipelined requests per connection: p99 latency from about 60 ms to 20 ms, because a
/// cold, busy pool was slow to run the hops.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly Lock gate = new();
    private TaskCompletionSource? waiter;
    private bool isSet;

    public void Set()
    {
        TaskCompletionSource? toWake;
        lock (gate)
        {
            toWake = waiter;
            waiter = null;
            if (toWake is null)
                isSet = true;
        }
        toWake?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (isSet)
            {
                isSet = false;
                return Task.CompletedTask;
            }
            waiter ??= new TaskCompletionSource();
            return waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
