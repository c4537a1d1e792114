/// Certificates made by the tests themselves (System.Security.Cryptography's
/// CertificateRequest), so that no key is ever checked in: authorities, server
/// certificates for localhost and 127.0.0.1, client certificates, and their files.
module Workq.Tests.TestCertificates

open System
open System.IO
open System.Net
open System.Security.Cryptography
open System.Security.Cryptography.X509Certificates

let private serverAuth = Oid "1.3.6.1.5.5.7.3.1"
let private clientAuth = Oid "1.3.6.1.5.5.7.3.2"

/// ECDSA P-256: as good as RSA for the tests, and far quicker to make on a busy machine.
let private newKey () = ECDsa.Create(ECCurve.NamedCurves.nistP256)

/// A self-signed authority, valid from yesterday for a year.
let authority (name: string) : X509Certificate2 =
    use key = newKey ()
    let request = CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256)
    request.CertificateExtensions.Add(X509BasicConstraintsExtension(true, false, 0, true))
    request.CertificateExtensions.Add(X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign ||| X509KeyUsageFlags.CrlSign, true))
    request.CertificateExtensions.Add(X509SubjectKeyIdentifierExtension(request.PublicKey, false))
    request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays -1.0, DateTimeOffset.UtcNow.AddYears 1)

let private issue (issuer: X509Certificate2) (subject: string) (usage: Oid) (configure: CertificateRequest -> unit) =
    use key = newKey ()
    let request = CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256)
    request.CertificateExtensions.Add(X509BasicConstraintsExtension(false, false, 0, false))
    request.CertificateExtensions.Add(X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true))
    let usages = OidCollection()
    usages.Add usage |> ignore
    request.CertificateExtensions.Add(X509EnhancedKeyUsageExtension(usages, false))
    configure request
    let serial = RandomNumberGenerator.GetBytes 12
    use issued = request.Create(issuer, DateTimeOffset.UtcNow.AddHours -1.0, DateTimeOffset.UtcNow.AddDays 30.0, serial)
    issued.CopyWithPrivateKey key

/// A server certificate for localhost and 127.0.0.1, issued by `issuer`.
let serverCertificate (issuer: X509Certificate2) (subject: string) : X509Certificate2 =
    issue issuer subject serverAuth (fun request ->
        let names = SubjectAlternativeNameBuilder()
        names.AddDnsName "localhost"
        names.AddIpAddress IPAddress.Loopback
        request.CertificateExtensions.Add(names.Build()))

/// A client certificate named `subject`, issued by `issuer`.
let clientCertificate (issuer: X509Certificate2) (subject: string) : X509Certificate2 = issue issuer subject clientAuth ignore

/// A fresh directory for a test's files, deleted with the returned disposable.
let tempDir () =
    let dir = Path.Combine(Path.GetTempPath(), "workq-tls-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory dir |> ignore
    dir,
    { new IDisposable with
        member _.Dispose() =
            try Directory.Delete(dir, true) with _ -> () }

/// Writes `text` to `path` as a replacement does: into a file beside it (with the same
/// permissions), then renamed over it.
let replace (path: string) (text: string) =
    let temporary = path + ".new"
    File.WriteAllText(temporary, text)
    File.SetUnixFileMode(temporary, File.GetUnixFileMode path)
    File.Move(temporary, path, true)

let certificatePem (certificate: X509Certificate2) = certificate.ExportCertificatePem() + "\n"

let keyPem (certificate: X509Certificate2) =
    match certificate.GetECDsaPrivateKey() with
    | null -> failwith "a certificate without its key"
    | key -> key.ExportPkcs8PrivateKeyPem() + "\n"

/// The certificate's PEM file and its key's, in `dir`, named after `name`.
let writePem (dir: string) (name: string) (certificate: X509Certificate2) =
    let cert = Path.Combine(dir, name + ".pem")
    let key = Path.Combine(dir, name + ".key")
    File.WriteAllText(cert, certificatePem certificate)
    File.WriteAllText(key, keyPem certificate)
    cert, key

/// The authorities' certificates in one PEM file.
let writeAuthorities (dir: string) (name: string) (authorities: X509Certificate2 list) =
    let path = Path.Combine(dir, name + ".pem")
    File.WriteAllText(path, authorities |> List.map certificatePem |> String.concat "")
    path

/// The certificate with its key (and the issuer after it) in a PKCS#12 file.
let writePkcs12 (dir: string) (name: string) (password: string) (certificate: X509Certificate2) (issuer: X509Certificate2) =
    let path = Path.Combine(dir, name + ".p12")
    let collection = X509Certificate2Collection [| certificate; X509CertificateLoader.LoadCertificate(issuer.RawData) |]
    match collection.Export(X509ContentType.Pkcs12, password) with
    | null -> failwith "nothing exported"
    | bytes -> File.WriteAllBytes(path, bytes)
    path
