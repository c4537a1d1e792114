using System.Globalization;

namespace Workq.Cli.Values;

/// <summary>
/// Points in time for <c>schedule --time</c> and for output. Input is an ISO 8601 time
/// (UTC unless it names an offset), or <c>+DURATION</c> from now; output is the
/// protocol's UTC form.
/// </summary>
public static class Times
{
    public const string Examples = "+30s, +2h, 2030-01-15T09:00:00Z, 2030-01-15T10:00:00+01:00";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        if (text.StartsWith('+'))
        {
            bool ok = Durations.TryParse(text[1..], out TimeSpan ahead);
            time = ok ? now + ahead : default;
            return ok;
        }
        return DateTimeOffset.TryParse(
            text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary><c>YYYY-MM-DDTHH:MM:SSZ</c>, with milliseconds only when there are any.</summary>
    public static string Format(DateTimeOffset time)
    {
        DateTimeOffset utc = time.ToUniversalTime();
        string format = utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }
}
