using System.CommandLine;

namespace Workq.Cli.Commands;

/// <summary>A subcommand with examples, which <c>--help</c> shows after the options.</summary>
internal sealed class ToolCommand(string name, string description) : Command(name, description)
{
    /// <summary>Lines of examples, without indentation; null for none.</summary>
    public string? Examples { get; init; }
}
