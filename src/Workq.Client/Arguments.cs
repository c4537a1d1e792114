namespace Workq.Client;

/// <summary>
/// Client-side checks of what would be plainly wrong on the wire. The server remains the
/// authority on ranges (a TTR of two days, say, is sent and refused with <c>Invalid TTR</c>);
/// these checks only catch what cannot be a valid request at all, or would break framing.
/// </summary>
internal static class Arguments
{
    /// <summary>The protocol's limit on a payload or result.</summary>
    public const int MaxDataSize = 1024 * 1024;

    public static void Id(Guid id, string paramName)
    {
        if (id == Guid.Empty || id == Guid.AllBitsSet)
            throw new ArgumentException("A job id cannot be the nil or the max UUID.", paramName);
    }

    /// <summary>A queue name must be one token: not empty, no spaces or control characters.</summary>
    public static void Name(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new ArgumentException($"A queue name is one word without spaces or control characters: '{name}'.", paramName);
        }
    }

    public static IReadOnlyList<string> Names(IEnumerable<string> names, string paramName)
    {
        ArgumentNullException.ThrowIfNull(names, paramName);
        string[] list = names.ToArray();
        if (list.Length == 0)
            throw new ArgumentException("Lease needs at least one queue name.", paramName);
        foreach (string name in list)
            Name(name, paramName);
        return list;
    }

    /// <summary>A duration in whole milliseconds, rounded up so that a positive duration never becomes 0.</summary>
    public static long Millis(TimeSpan value, string paramName, bool zeroAllowed)
    {
        if (value < TimeSpan.Zero || (!zeroAllowed && value == TimeSpan.Zero))
            throw new ArgumentOutOfRangeException(paramName, value, zeroAllowed ? "Must not be negative." : "Must be positive.");
        return (value.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
    }

    public static void Data(ReadOnlyMemory<byte> data, string paramName)
    {
        if (data.Length > MaxDataSize)
            throw new ArgumentException($"Workq takes at most {MaxDataSize} bytes of data; this is {data.Length}.", paramName);
    }

    public static void NotNegative(long value, string paramName) =>
        ArgumentOutOfRangeException.ThrowIfNegative(value, paramName);

    public static void Positive(int value, string paramName) =>
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, paramName);
}
