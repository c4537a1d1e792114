namespace Workq.Cli;

/// <summary>The command line, or the data it names, cannot make a request; nothing is sent. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
