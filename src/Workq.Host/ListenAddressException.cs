namespace Workq.Host;

/// <summary>The configured listen address is not a usable <c>HOST:PORT</c>.</summary>
public sealed class ListenAddressException(string message) : Exception(message);
