using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Workq.Cli;

/// <summary>
/// <c>workq --version</c>: this tool's own version, not the entry assembly's that
/// System.CommandLine would print (a test host's, when the tool runs in process).
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Version =>
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static VersionOption CreateOption() =>
        new VersionOption { Action = new VersionAction() };

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"workq {Version}");
        return ExitCodes.Ok;
    }
}
