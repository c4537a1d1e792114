namespace Workq.Host.Security;

/// <summary>The job port's TLS (the <c>-tls-*</c> flags): off unless a certificate is given.</summary>
public sealed class TlsOptions
{
    /// <summary>The server's certificate: a PEM file (its chain may follow it) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM certificate; null when the key is in the certificate's file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of an encrypted PEM key or of a PKCS#12 file.</summary>
    public string? KeyPassword { get; set; }

    /// <summary>PEM certificates of the authorities whose client certificates are accepted; null: none asked for.</summary>
    public string? ClientCaPath { get; set; }

    public bool Enabled => CertificatePath is not null;
}
