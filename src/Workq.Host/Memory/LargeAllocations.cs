namespace Workq.Host.Memory;

/// <summary>
/// Payloads of a large-object size, counted as they are received. Such arrays live in the
/// collector's large object heap, which it collects only in full collections, when its
/// own budget for them runs out; a flood of large jobs (or of large jobs refused for want
/// of room) then leaves gigabytes of dead payloads behind before one comes. Every so many
/// of their bytes (a sixteenth of the live payloads, 64 MiB at least), a background full
/// collection is asked for, so that dead payloads stay a fraction of the live ones.
/// Measured with 20 connections flooding 1 MiB jobs under a 2 GiB limit
/// (<c>workq-bench hostile --pattern flood</c>): peak resident 6.0 GB without, 2.65 GB with
/// an eighth, 2.4 GB with a sixteenth; GCConserveMemory=9 alone gave 3.15 GB. Payloads
/// under the large-object size never count, so ordinary traffic never collects for it.
/// </summary>
internal static class LargeAllocations
{
    /// <summary>Arrays of this size and more are allocated in the large object heap.</summary>
    public const int LargeObjectSize = 85_000;

    private const long MinimumBudget = 64L * 1024 * 1024;

    private static long sinceCollection;
    private static long budget = MinimumBudget;

    /// <summary>A payload of <paramref name="bytes"/> was allocated.</summary>
    public static void Added(int bytes)
    {
        if (bytes < LargeObjectSize || Interlocked.Add(ref sinceCollection, bytes) < Volatile.Read(ref budget))
            return;
        Interlocked.Exchange(ref sinceCollection, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: false, compacting: false);
    }

    /// <summary>The live payload bytes changed: the budget follows them.</summary>
    public static void Live(long bytes) => Volatile.Write(ref budget, Math.Max(MinimumBudget, bytes / 16));
}
