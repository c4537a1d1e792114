namespace Workq.Host.Configuration;

/// <summary>A setting the server cannot start with; the message says which and why.</summary>
public sealed class InvalidSettingException(string message) : Exception(message);
