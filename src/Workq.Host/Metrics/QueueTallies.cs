using System.Collections.Concurrent;

namespace Workq.Host.Metrics;

/// <summary>
/// Jobs added, completed and failed (for good) since the start, per queue name: what the
/// dashboard's per-queue rates are computed from. Written by the engine's thread alone,
/// read by anyone. Names are user input, so at most <see cref="MaxNames"/> are tallied;
/// a name that is idle and whose queue is gone can be dropped (<see cref="Forget"/>) to
/// make room.
/// </summary>
internal sealed class QueueTallies
{
    public const int MaxNames = 10_000;

    private readonly ConcurrentDictionary<string, Tally> tallies = new(StringComparer.Ordinal);

    /// <summary>The counts of one name; each field written by the engine's thread alone.</summary>
    public sealed class Tally
    {
        private long added, completed, failed;

        public long Added => Volatile.Read(ref added);
        public long Completed => Volatile.Read(ref completed);
        public long Failed => Volatile.Read(ref failed);

        internal void Add() => Volatile.Write(ref added, added + 1);
        internal void Complete() => Volatile.Write(ref completed, completed + 1);
        internal void Fail() => Volatile.Write(ref failed, failed + 1);
    }

    public void Added(string name) => Of(name)?.Add();

    public void Completed(string? name)
    {
        if (name is not null)
            Of(name)?.Complete();
    }

    public void Failed(string? name)
    {
        if (name is not null)
            Of(name)?.Fail();
    }

    public IEnumerable<KeyValuePair<string, Tally>> All => tallies;

    /// <summary>Drops a name's counts; its next job starts them again from zero.</summary>
    public void Forget(string name) => tallies.TryRemove(name, out _);

    private Tally? Of(string name)
    {
        if (tallies.TryGetValue(name, out Tally? tally))
            return tally;
        return tallies.Count < MaxNames ? tallies.GetOrAdd(name, _ => new Tally()) : null;
    }
}
