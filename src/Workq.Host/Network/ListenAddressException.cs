namespace Workq.Host.Network;

/// <summary>The listen address cannot be bound (in use, not an address of this machine, no permission).</summary>
public sealed class ListenAddressException(string message, Exception? inner = null) : Exception(message, inner);
