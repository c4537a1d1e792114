using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Workq.Cli.Values;

namespace Workq.Cli;

/// <summary>
/// Options and arguments with values of the protocol's kinds. Each parses its own token,
/// so a bad value is a usage error that names the option and shows what would do.
/// </summary>
internal static class ValueOptions
{
    /// <summary>A duration; when it is not given (and not required) it is zero.</summary>
    public static Option<TimeSpan> Duration(string name, string description, bool positive, bool required = false) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        Required = required,
        CustomParser = result =>
        {
            string token = SingleToken(result);
            if (!Durations.TryParse(token, out TimeSpan value))
                return Error<TimeSpan>(result, $"{name}: '{token}' is not a duration (e.g. {Durations.Examples})");
            if (positive && value == TimeSpan.Zero)
                return Error<TimeSpan>(result, $"{name}: must be more than 0");
            return value;
        },
    };

    public static Option<DateTimeOffset> Time(string name, string description, Func<DateTimeOffset> now) => new(name)
    {
        Description = description,
        HelpName = "TIME",
        Required = true,
        CustomParser = result =>
        {
            string token = SingleToken(result);
            return Times.TryParse(token, now(), out DateTimeOffset value)
                ? value
                : Error<DateTimeOffset>(result, $"{name}: '{token}' is not a time (e.g. {Times.Examples})");
        },
    };

    /// <summary>A whole number within <paramref name="min"/>..<paramref name="max"/> (the protocol's range, so the server's error never needs to be met).</summary>
    public static Option<long> Number(string name, string description, long min, long max, long defaultValue = 0) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string token = SingleToken(result);
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                return Error<long>(result, $"{name}: '{token}' is not a whole number");
            if (value < min || value > max)
                return Error<long>(result, $"{name}: {value} is out of range ({min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)})");
            return value;
        },
    };

    public static Option<Guid?> JobId(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "ID",
        CustomParser = result => ParseId(result, name),
    };

    public static Argument<Guid> JobIdArgument() => new("ID")
    {
        Description = "The job's id (a UUID, e.g. as printed by add).",
        CustomParser = result => ParseId(result, "ID") ?? default,
    };

    /// <summary>A queue name; the server holds the rules (<c>[A-Za-z0-9_.-]</c>, 1 to 255 bytes) and answers <c>Invalid Name</c>.</summary>
    public static Argument<string> Name(string description) => new("NAME") { Description = description };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Guid? ParseId(ArgumentResult result, string name)
    {
        string token = SingleToken(result);
        if (JobIds.TryParse(token, out Guid id))
            return id;
        result.AddError($"{name}: '{token}' is not a job id (a UUID such as 0195f3c2-8d1e-7a4b-9c3d-2e1f0a9b8c7d)");
        return null;
    }

    private static string SingleToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
