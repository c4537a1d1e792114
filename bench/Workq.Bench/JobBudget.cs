namespace Workq.Bench;

/// <summary>
/// How many requests of one kind may still be sent, shared by the connections of a
/// role, so the work balances itself and no one asks for more than exists.
/// </summary>
public sealed class JobBudget(long total)
{
    long taken;
    long returned;

    public long Total => total;

    /// <summary>How many requests came back empty and were tried again.</summary>
    public long Returned => Interlocked.Read(ref returned);

    public bool TryTake()
    {
        if (Interlocked.Increment(ref taken) <= total) return true;
        Interlocked.Decrement(ref taken);
        return false;
    }

    /// <summary>A request that came back empty (a lease that timed out) is tried again.</summary>
    public void Return()
    {
        Interlocked.Increment(ref returned);
        Interlocked.Decrement(ref taken);
    }
}
