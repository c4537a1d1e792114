using System.Security.Cryptography.X509Certificates;

namespace Workq.Client;

/// <summary>
/// Settings of a <see cref="WorkqClient"/>; bindable from configuration (e.g. a <c>Workq</c>
/// section with <c>Server</c>, <c>ConnectTimeout</c>, <c>MaxPooledConnections</c>,
/// <c>AuthToken</c> and the <c>Tls</c> settings; in the environment <c>Workq__AuthToken</c>).
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

    /// <summary>
    /// The token sent (<c>auth &lt;token&gt;</c>) on every new connection, before its first
    /// request, for a server started with <c>-auth-tokens</c>; null (the default): none. A
    /// token the server does not have fails the request that opened the connection with
    /// <c>Authentication failed</c>.
    /// </summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// Whether to connect with TLS, for a server started with <c>-tls-cert</c>. Default
    /// false; setting any other <c>Tls</c> setting turns it on too.
    /// </summary>
    public bool UseTls { get; set; }

    /// <summary>The name the server's certificate must be for; default: the host of each address of <see cref="Server"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// A PEM file of the authorities to trust for the server's certificate, instead of the
    /// system's: for a server with a certificate of a private authority. Null (the default): the system's.
    /// </summary>
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// The client certificate to show a server started with <c>-tls-client-ca</c>: a PEM
    /// file (its key in it or in <see cref="TlsClientKeyFile"/>) or a PKCS#12 file.
    /// </summary>
    public string? TlsClientCertificateFile { get; set; }

    /// <summary>The PEM private key of <see cref="TlsClientCertificateFile"/>, unless that file holds it.</summary>
    public string? TlsClientKeyFile { get; set; }

    /// <summary>The password of an encrypted key or of a PKCS#12 file.</summary>
    public string? TlsClientKeyPassword { get; set; }

    /// <summary>A client certificate with its private key, given in code instead of <see cref="TlsClientCertificateFile"/>.</summary>
    public X509Certificate2? TlsClientCertificate { get; set; }

    /// <summary>Whether TLS is on: <see cref="UseTls"/>, or any TLS setting given.</summary>
    internal bool TlsWanted =>
        UseTls || TlsServerName is not null || TlsCaFile is not null || TlsClientCertificateFile is not null || TlsClientCertificate is not null;
}
