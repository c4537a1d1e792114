using Workq.Domain;

namespace Workq.Host.Metrics;

/// <summary>
/// The commands as the metrics name them: the protocol's verbs in the order of
/// <see cref="Command"/>'s cases (so a command's tag is its index), then <c>unknown</c>
/// for a line that names none.
/// </summary>
internal static class CommandNames
{
    public static readonly string[] All = ["add", "schedule", "run", "result", "lease", "complete", "fail", "delete", "inspect", "unknown"];

    public const int Unknown = 9;

    /// <summary>The index of a command that parsed.</summary>
    public static int Of(Command command) => command.Tag;

    /// <summary>The index of the verb a request line starts with (for a request that did not parse).</summary>
    public static int OfLine(string line)
    {
        ReadOnlySpan<char> text = line.AsSpan();
        int space = text.IndexOf(' ');
        ReadOnlySpan<char> verb = space < 0 ? text : text[..space];
        for (int i = 0; i < Unknown; i++)
        {
            if (verb.SequenceEqual(All[i]))
                return i;
        }
        return Unknown;
    }
}
