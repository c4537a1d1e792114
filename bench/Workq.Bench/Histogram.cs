using System.Numerics;

namespace Workq.Bench;

/// <summary>
/// Latencies in nanoseconds, log-linear: exact below 256 ns, then 128 buckets per power
/// of two (under 0.8% error). Fixed size, so recording never allocates and merging is
/// a sum.
/// </summary>
public sealed class Histogram
{
    const int Linear = 256;
    const int PerOctave = 128;
    readonly long[] counts = new long[Linear + 55 * PerOctave];

    public long Count { get; private set; }
    public long Max { get; private set; }

    public void Record(long ns)
    {
        if (ns < 0) ns = 0;
        counts[Index(ns)]++;
        Count++;
        if (ns > Max) Max = ns;
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < counts.Length; i++) counts[i] += other.counts[i];
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The smallest recorded bucket bound that covers p percent of the samples.</summary>
    public long Percentile(double p)
    {
        if (Count == 0) return 0;
        var rank = Math.Max(1L, (long)Math.Ceiling(p / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return Math.Min(UpperBound(i), Max);
        }
        return Max;
    }

    static int Index(long v)
    {
        if (v < Linear) return (int)v;
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)v);
        var shift = exponent - 7;
        var mantissa = (int)(v >> shift);
        return Linear + (exponent - 8) * PerOctave + (mantissa - PerOctave);
    }

    static long UpperBound(int index)
    {
        if (index < Linear) return index;
        var exponent = (index - Linear) / PerOctave + 8;
        var mantissa = (index - Linear) % PerOctave + PerOctave;
        return ((long)(mantissa + 1) << (exponent - 7)) - 1;
    }
}
