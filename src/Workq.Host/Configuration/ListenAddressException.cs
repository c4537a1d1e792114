namespace Workq.Host.Configuration;

/// <summary>The configured listen address is not a usable <c>HOST:PORT</c>, or cannot be bound.</summary>
public sealed class ListenAddressException(string message, Exception? inner = null) : Exception(message, inner);
