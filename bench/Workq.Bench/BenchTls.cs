using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Workq.Bench;

/// <summary>
/// A certificate for a TLS server under measurement, made on the spot (no key is kept
/// anywhere): a self-signed one for localhost and 127.0.0.1 in a fresh directory, deleted
/// on dispose; and connections that trust it alone.
/// </summary>
public sealed class BenchTls : IDisposable
{
    private BenchTls(string directory, X509Certificate2 certificate)
    {
        Directory = directory;
        Certificate = certificate;
    }

    public string Directory { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The server's flags for it.</summary>
    public string[] ServerArgs => ["-tls-cert", Path.Combine(Directory, "cert.pem"), "-tls-key", Path.Combine(Directory, "key.pem")];

    public static BenchTls Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), "workq-bench-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=workq-bench", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        return new BenchTls(directory, certificate);
    }

    /// <summary>A TLS connection to the server, which must show this certificate.</summary>
    public async Task<SslStream> ConnectAsync(EndPoint endPoint, CancellationToken cancel)
    {
        Socket socket = await Connection.ConnectAsync(endPoint, cancel);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(Certificate);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", CertificateChainPolicy = policy }, cancel);
        return tls;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
