using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Workq.Host.Configuration;

namespace Workq.Host.Security;

/// <summary>
/// The job port's TLS (<c>-tls-cert</c>, <c>-tls-key</c>, <c>-tls-client-ca</c>): the
/// certificate and the authorities of client certificates, read at start (a file that
/// cannot be used stops the start) and again on every change. A handshake takes the
/// settings in use when it begins: a new certificate serves new connections, and those
/// open keep theirs.
/// </summary>
/// <remarks>
/// Client certificates are required when the server has no tokens: they are then its only
/// check of who connects. With tokens they are optional: a client with a certificate the
/// handshake verified is admitted without <c>auth</c>, one without sends a token.
/// </remarks>
internal sealed class ServerTls
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly TlsOptions options;
    private readonly bool certificateOptional;
    private readonly ILogger<ServerTls> logger;
    private readonly Lock reloading = new();
    private Settings? current;
    private byte[] filesHash = [];

    public ServerTls(ServerOptions serverOptions, ILogger<ServerTls> logger)
    {
        options = serverOptions.Tls;
        certificateOptional = serverOptions.AuthTokens is not null;
        this.logger = logger;
        if (!options.Enabled)
        {
            if (options.KeyPath is not null || options.ClientCaPath is not null)
                throw new InvalidSettingException($"{(options.KeyPath is not null ? "-tls-key" : "-tls-client-ca")} needs -tls-cert");
            return;
        }
        try
        {
            current = Load(out filesHash);
        }
        catch (Exception e) when (IsUnusable(e))
        {
            throw new InvalidSettingException($"cannot use -tls-cert {options.CertificatePath}: {Reason(e)}");
        }
        WarnIfNotValidNow(current.Certificate);
    }

    public bool Enabled => current is not null;

    /// <summary>Whether a client must show a certificate (<c>-tls-client-ca</c> without tokens).</summary>
    public bool RequiresClientCertificate => options.ClientCaPath is not null && !certificateOptional;

    /// <summary>Whether clients are asked for certificates at all.</summary>
    public bool AsksForClientCertificate => options.ClientCaPath is not null;

    /// <summary>The files read, to be watched for changes.</summary>
    public IEnumerable<string> Files =>
        new[] { options.CertificatePath, options.KeyPath, options.ClientCaPath }.OfType<string>();

    /// <summary>The settings for the job port's next handshake.</summary>
    public SslServerAuthenticationOptions JobPort => Current.JobPort;

    /// <summary>The settings for the HTTP port's next handshake: the same certificate, no client certificates.</summary>
    public SslServerAuthenticationOptions HttpPort => Current.HttpPort;

    /// <summary>The certificate in use, as the start line and the log show it.</summary>
    public string Describe() => Describe(Current.Certificate);

    private Settings Current => Volatile.Read(ref current) ?? throw new InvalidOperationException("TLS is off");

    /// <summary>
    /// The name a verified client certificate gives its connection: its subject's common
    /// name (or the subject whole, without one).
    /// </summary>
    public static string NameOf(X509Certificate certificate)
    {
        if (certificate is not X509Certificate2 full)
            return certificate.Subject;
        string name = full.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return name.Length > 0 ? name : full.Subject;
    }

    /// <summary>Reads the files again; keeps the settings in use if they cannot be used.</summary>
    public void Reload()
    {
        if (!Enabled)
            return;
        lock (reloading)
        {
            try
            {
                if (HashFiles().AsSpan().SequenceEqual(filesHash))
                    return;
                Settings loaded = Load(out filesHash);
                Volatile.Write(ref current, loaded);
                SecurityLog.CertificateReloaded(logger, options.CertificatePath!, Describe(loaded.Certificate));
                WarnIfNotValidNow(loaded.Certificate);
            }
            catch (Exception e) when (IsUnusable(e))
            {
                SecurityLog.CertificateNotReloaded(logger, options.CertificatePath!, Reason(e));
            }
        }
    }

    private Settings Load(out byte[] hash)
    {
        hash = HashFiles();
        (X509Certificate2 certificate, X509Certificate2Collection chain) = LoadCertificate();
        X509Certificate2Collection? authorities = options.ClientCaPath is { } caPath ? LoadAuthorities(caPath) : null;
        var jobPort = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(
                certificate, chain, offline: true,
                trust: authorities is null ? null : SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true)),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (authorities is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(authorities);
            policy.ApplicationPolicy.Add(ClientAuthentication);
            jobPort.ClientCertificateRequired = true;
            jobPort.CertificateChainPolicy = policy;
            bool optional = certificateOptional;
            jobPort.RemoteCertificateValidationCallback = (_, _, _, errors) =>
                errors == SslPolicyErrors.None || (optional && errors == SslPolicyErrors.RemoteCertificateNotAvailable);
        }
        var httpPort = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, chain, offline: true),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
        return new Settings(certificate, jobPort, httpPort);
    }

    /// <summary>The certificate with its key, and the rest of its chain (PEM: the certificates after it in its file).</summary>
    private (X509Certificate2 Certificate, X509Certificate2Collection Chain) LoadCertificate()
    {
        string path = options.CertificatePath!;
        var chain = new X509Certificate2Collection();
        X509Certificate2 certificate;
        if (IsPem(path))
        {
            string keyPath = options.KeyPath ?? path;
            certificate = options.KeyPassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                : X509Certificate2.CreateFromPemFile(path, keyPath);
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(path);
            foreach (X509Certificate2 other in all)
            {
                if (other.Thumbprint != certificate.Thumbprint)
                    chain.Add(other);
            }
        }
        else
        {
            if (options.KeyPath is not null)
                throw new CryptographicException("a PKCS#12 file holds its key: -tls-key is for a PEM certificate");
            X509Certificate2Collection all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, options.KeyPassword);
            certificate = all.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new CryptographicException("no certificate in it has a private key");
            foreach (X509Certificate2 other in all)
            {
                if (!ReferenceEquals(other, certificate))
                    chain.Add(other);
            }
        }
        if (!certificate.HasPrivateKey)
            throw new CryptographicException("the certificate has no private key");
        return (certificate, chain);
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"-tls-client-ca {path}: {e.Message}", e);
        }
        if (authorities.Count == 0)
            throw new CryptographicException($"-tls-client-ca {path} holds no PEM certificate");
        return authorities;
    }

    private static bool IsPem(string path)
    {
        // PEM is text with a BEGIN line; PKCS#12 is binary DER.
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4096];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return head[..read].IndexOf("-----BEGIN "u8) >= 0;
    }

    private byte[] HashFiles()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in Files)
            hash.AppendData(File.ReadAllBytes(file));
        return hash.GetHashAndReset();
    }

    private void WarnIfNotValidNow(X509Certificate2 certificate)
    {
        DateTime now = DateTime.Now;
        if (now < certificate.NotBefore || now > certificate.NotAfter)
            SecurityLog.CertificateNotValidNow(logger, Describe(certificate));
    }

    private static string Describe(X509Certificate2 certificate) =>
        $"{certificate.Subject}, valid {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd} to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}";

    private static bool IsUnusable(Exception e) =>
        e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException;

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException notFound => $"no such file: {notFound.FileName}",
        _ => new StringBuilder(e.Message).Replace(Environment.NewLine, " ").ToString(),
    };

    private sealed record Settings(X509Certificate2 Certificate, SslServerAuthenticationOptions JobPort, SslServerAuthenticationOptions HttpPort);
}
