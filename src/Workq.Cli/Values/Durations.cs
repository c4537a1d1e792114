using System.Globalization;
using System.Text;

namespace Workq.Cli.Values;

/// <summary>
/// Durations on the command line and in tables. The protocol counts milliseconds, so a
/// bare number is milliseconds; units make longer ones readable: <c>250ms</c>, <c>30s</c>,
/// <c>5m</c>, <c>2h</c>, <c>1d</c>, and sums of them such as <c>1h30m</c>.
/// </summary>
public static class Durations
{
    public const string Examples = "5000 (ms), 250ms, 30s, 5m, 2h, 1d, 1h30m";

    private static readonly (string Unit, long Millis)[] Units =
    [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length == 0)
            return false;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long bare))
            return TryMillis(bare, out duration);

        long total = 0;
        int i = 0;
        while (i < text.Length)
        {
            int digits = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            int letters = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
                i++;
            if (digits == letters || letters == i)
                return false; // a number without a unit, or a unit without a number
            if (!long.TryParse(text.AsSpan(digits, letters - digits), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                return false;
            string unit = text[letters..i];
            int found = Array.FindIndex(Units, u => u.Unit == unit);
            if (found < 0)
                return false;
            try
            {
                total = checked(total + n * Units[found].Millis);
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        return TryMillis(total, out duration);
    }

    /// <summary>Whole units, largest first: <c>1m30s</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        long ms = Millis(duration);
        if (ms <= 0)
            return "0s";
        var text = new StringBuilder();
        foreach (var (unit, millis) in Units)
        {
            if (ms >= millis)
            {
                text.Append(CultureInfo.InvariantCulture, $"{ms / millis}{unit}");
                ms %= millis;
            }
        }
        return text.ToString();
    }

    /// <summary>Whole milliseconds, as the protocol and the JSON output count them.</summary>
    public static long Millis(TimeSpan duration) => (long)Math.Ceiling(duration.TotalMilliseconds);

    private static bool TryMillis(long ms, out TimeSpan duration)
    {
        // TimeSpan holds about 29,000 years; anything near that is refused here, the rest by the server.
        duration = default;
        if (ms > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond)
            return false;
        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
