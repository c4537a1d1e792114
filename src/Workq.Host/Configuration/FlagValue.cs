using System.Globalization;
using System.Net;
using Workq.Host.CommandLog;

namespace Workq.Host.Configuration;

/// <summary>A flag value read from its text: the value, or what is wrong with the text.</summary>
internal readonly record struct Parsed<T>(T Value, string? Problem);

/// <summary>
/// A kind of flag value: the placeholder the usage shows, how a text is read (the same
/// for the command line, the environment and appsettings.json), and how a default is
/// shown (null: nothing to show).
/// </summary>
internal sealed class FlagValue<T>(string? placeholder, Func<string, Parsed<T>> parse, Func<T, string?> show)
{
    /// <summary>What the usage shows after the flag's name; null for a switch, which needs no value.</summary>
    public string? Placeholder => placeholder;

    public Parsed<T> Parse(string text) => parse(text);

    public string? Show(T value) => show(value);
}

/// <summary>The kinds of flag values the server takes.</summary>
internal static class FlagValues
{
    public static readonly FlagValue<IPEndPoint> Address = new(
        "HOST:PORT",
        text => ListenAddress.TryParse(text, out IPEndPoint? endPoint) ? Ok(endPoint) : Bad<IPEndPoint>(ListenAddress.Expected),
        endPoint => endPoint.ToString());

    /// <summary>An address, or <c>none</c> (null): the port is off.</summary>
    public static readonly FlagValue<IPEndPoint?> AddressOrNone = new(
        "HOST:PORT|none",
        text => text.Equals("none", StringComparison.OrdinalIgnoreCase)
            ? Ok<IPEndPoint?>(null)
            : ListenAddress.TryParse(text, out IPEndPoint? endPoint) ? Ok<IPEndPoint?>(endPoint) : Bad<IPEndPoint?>(ListenAddress.Expected + ", or none"),
        endPoint => endPoint?.ToString() ?? "none");

    /// <summary>A directory; an empty text means none.</summary>
    public static readonly FlagValue<string?> Directory = new(
        "DIR",
        text => Ok<string?>(string.IsNullOrWhiteSpace(text) ? null : text),
        dir => dir);

    /// <summary>A positive whole number of milliseconds.</summary>
    public static readonly FlagValue<TimeSpan> Milliseconds = new(
        "MS",
        text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int ms) && ms > 0
            ? Ok(TimeSpan.FromMilliseconds(ms))
            : Bad<TimeSpan>($"expected a whole number of milliseconds from 1 to {int.MaxValue}"),
        interval => ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));

    /// <summary>A whole number of bytes, 0 or more.</summary>
    public static readonly FlagValue<long> Bytes = new(
        "BYTES",
        text => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)
            ? Ok(bytes)
            : Bad<long>($"expected a whole number of bytes from 0 to {long.MaxValue}"),
        bytes => bytes.ToString(CultureInfo.InvariantCulture));

    public static readonly FlagValue<SyncPolicy> Sync = new(
        "POLICY",
        text => text.ToLowerInvariant() switch
        {
            "always" => Ok(SyncPolicy.Always),
            "interval" => Ok(SyncPolicy.Interval),
            "os" => Ok(SyncPolicy.Os),
            _ => Bad<SyncPolicy>("expected always, interval or os"),
        },
        policy => policy.ToString().ToLowerInvariant());

    /// <summary>On or off: alone on the command line it means on; the texts are Go's.</summary>
    public static readonly FlagValue<bool> Switch = new(
        null,
        text => text switch
        {
            "true" or "True" or "TRUE" or "t" or "T" or "1" => Ok(true),
            "false" or "False" or "FALSE" or "f" or "F" or "0" => Ok(false),
            _ => Bad<bool>("expected true or false"),
        },
        on => on ? "on" : null);

    private static Parsed<T> Ok<T>(T value) => new(value, null);

    private static Parsed<T> Bad<T>(string problem) => new(default!, problem);
}
