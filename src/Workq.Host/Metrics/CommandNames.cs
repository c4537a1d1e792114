using Workq.Domain;

namespace Workq.Host.Metrics;

/// <summary>
/// The commands as the metrics name them: <c>unknown</c> for a line that names none, then
/// the protocol's words in the order of the command table (<see cref="CommandModule.words"/>),
/// so that a command's index is one more than its word's.
/// </summary>
internal static class CommandNames
{
    public static readonly string[] All = ["unknown", .. CommandModule.words];

    public const int Unknown = 0;

    /// <summary>The index of a command that parsed: the word it was sent with (<c>lease -counts=1</c> is a <c>lease</c>).</summary>
    public static int Of(Command command) => 1 + CommandModule.wordIndex(command);

    /// <summary>The index of the word a request line starts with (for a request that did not parse).</summary>
    public static int OfLine(string line)
    {
        ReadOnlySpan<char> text = line.AsSpan();
        int space = text.IndexOf(' ');
        ReadOnlySpan<char> verb = space < 0 ? text : text[..space];
        for (int i = 1; i < All.Length; i++)
        {
            if (verb.SequenceEqual(All[i]))
                return i;
        }
        return Unknown;
    }
}
