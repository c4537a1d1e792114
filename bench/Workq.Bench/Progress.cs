using System.Diagnostics;

namespace Workq.Bench;

/// <summary>Counts finished jobs and notes when the last one finished.</summary>
public sealed class Progress(long target)
{
    long done;

    public long Target => target;
    public long Done => Interlocked.Read(ref done);

    /// <summary>The Stopwatch timestamp of the target-th job, or 0 while not reached.</summary>
    public long FinishedAt { get; private set; }

    public void Count()
    {
        if (Interlocked.Increment(ref done) == target) FinishedAt = Stopwatch.GetTimestamp();
    }
}
