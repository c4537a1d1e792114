namespace Workq.Host.Network;

/// <summary>
/// What the clients may hold of the server (the connection flags in
/// <see cref="Configuration.ServerFlags"/>, which check every value). The defaults are
/// generous: they stop a careless or hostile client, not a busy one.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Connections served at once; one more is answered <c>-SERVER-ERROR Too many connections</c> and closed.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// A connection's reply bytes not yet sent (written or waiting to be) above which the
    /// server reads no more of its requests until it has read its replies.
    /// </summary>
    public long MaxUnsentBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>How long a request may stay unfinished with nothing more arriving before it is refused and the connection closed.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
