namespace Workq.Client;

/// <summary>
/// Settings of a <see cref="WorkqClient"/>; bindable from configuration (e.g. a <c>Workq</c>
/// section with <c>Server</c>, <c>ConnectTimeout</c> and <c>MaxPooledConnections</c>).
/// </summary>
public sealed class WorkqClientOptions
{
    /// <summary>The address used when none is given.</summary>
    public const string DefaultServer = "127.0.0.1:9922";

    /// <summary>
    /// The server's <c>HOST:PORT</c>: a host name or IP address (IPv6 in brackets); or, for
    /// the members of a cluster, several separated by commas, any of which serves. Default
    /// <c>127.0.0.1:9922</c>.
    /// </summary>
    public string Server { get; set; } = DefaultServer;

    /// <summary>How long opening a connection may take before it fails. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many idle connections are kept open for reuse. Default 16; 0 opens a connection
    /// per request. It does not limit how many requests run at once: each request in
    /// flight has a connection of its own.
    /// </summary>
    public int MaxPooledConnections { get; set; } = 16;
}
