using System.Threading.Tasks.Sources;

namespace Workq.Host.Network;

/// <summary>
/// An auto-reset event with one waiter and no allocation per wait, for a loop woken many
/// times a second (a connection's sender, once per batch of replies). <see cref="Set"/>
/// wakes the waiter, or the next wait if nobody waits yet; the waiter resumes on the
/// thread that sets it, as <see cref="AsyncSignal"/>'s does, so the engine's flush sends
/// the replies itself.
/// </summary>
internal sealed class WakeSignal : IValueTaskSource
{
    private const int Idle = 0, IsSet = 1, Waiting = 2;

    private ManualResetValueTaskSourceCore<bool> core;
    private int state;

    public void Set()
    {
        while (true)
        {
            switch (Volatile.Read(ref state))
            {
                case IsSet:
                    return;
                case Idle when Interlocked.CompareExchange(ref state, IsSet, Idle) == Idle:
                    return;
                case Waiting when Interlocked.CompareExchange(ref state, Idle, Waiting) == Waiting:
                    core.SetResult(true);
                    return;
            }
        }
    }

    /// <summary>Waits for <see cref="Set"/>; one waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        if (Interlocked.CompareExchange(ref state, Idle, IsSet) == IsSet)
            return ValueTask.CompletedTask;
        core.Reset();
        if (Interlocked.CompareExchange(ref state, Waiting, Idle) != Idle)
        {
            // Set in between: take it.
            Volatile.Write(ref state, Idle);
            return ValueTask.CompletedTask;
        }
        return new ValueTask(this, core.Version);
    }

    void IValueTaskSource.GetResult(short token) => core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => core.GetStatus(token);

    void IValueTaskSource.OnCompleted(
        Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);
}
