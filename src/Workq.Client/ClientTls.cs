using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Workq.Client;

/// <summary>
/// How a client's connections do TLS: the name the server's certificate must be for (the
/// one given, or the host each connection goes to), the authorities trusted for it (the
/// system's, or those of a CA file), and the client's own certificate, if any. The files
/// are read once, when the client is made.
/// </summary>
internal sealed class ClientTls
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly string? serverName;
    private readonly X509Certificate2Collection? authorities;
    private readonly X509Certificate2? certificate;

    private ClientTls(string? serverName, X509Certificate2Collection? authorities, X509Certificate2? certificate)
    {
        this.serverName = serverName;
        this.authorities = authorities;
        this.certificate = certificate;
    }

    /// <summary>The TLS of <paramref name="options"/>, or null for plain TCP.</summary>
    /// <exception cref="ArgumentException">A file cannot be read or holds no usable certificate.</exception>
    public static ClientTls? From(WorkqClientOptions options)
    {
        if (!options.TlsWanted)
            return null;
        try
        {
            X509Certificate2Collection? authorities = null;
            if (options.TlsCaFile is { } caFile)
            {
                authorities = [];
                authorities.ImportFromPemFile(caFile);
                if (authorities.Count == 0)
                    throw new CryptographicException($"{caFile} holds no PEM certificate");
            }
            X509Certificate2? certificate = options.TlsClientCertificate
                ?? (options.TlsClientCertificateFile is { } file ? LoadCertificate(file, options.TlsClientKeyFile, options.TlsClientKeyPassword) : null);
            if (certificate is { HasPrivateKey: false })
                throw new CryptographicException("the client certificate has no private key");
            return new ClientTls(options.TlsServerName, authorities, certificate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"The client's TLS settings cannot be used: {e.Message}", nameof(options), e);
        }
    }

    /// <summary>The settings of one handshake with the server at <paramref name="address"/>.</summary>
    public SslClientAuthenticationOptions Options(ServerAddress address)
    {
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = serverName ?? address.Host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (certificate is not null)
            tls.ClientCertificates = [certificate];
        if (authorities is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(authorities);
            policy.ApplicationPolicy.Add(ServerAuthentication);
            tls.CertificateChainPolicy = policy;
        }
        return tls;
    }

    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password)
    {
        if (File.ReadAllText(path).Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            return password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
