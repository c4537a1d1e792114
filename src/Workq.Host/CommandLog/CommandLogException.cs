namespace Workq.Host.CommandLog;

/// <summary>The command log cannot be used: locked by another server, or damaged.</summary>
public sealed class CommandLogException(string message) : Exception(message);
