namespace Workq.Host.CommandLog.Tools;

/// <summary>A command line the tool cannot run: exit code 2, with the subcommand's usage.</summary>
internal sealed class UsageException(string message) : Exception(message);
