/// TLS and authentication end to end: sessions over TLS with the client and the tool,
/// certificates refused and reloaded, client certificates, tokens on the job port (every
/// command refused before `auth`, wrong and good tokens, the file read again) and as
/// bearer tokens on the HTTP port, and the refusal to listen where anyone can reach an
/// unchecked port.
module Workq.Tests.SecurityTests

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Http
open System.Net.Http.Headers
open System.Net.Security
open System.Net.Sockets
open System.Security.Cryptography.X509Certificates
open System.Threading
open System.Threading.Tasks
open Expecto
open Workq.Cli
open Workq.Client
open Workq.Domain
open Workq.Host
open Workq.Host.Configuration
open Workq.Host.Network
open Workq.Host.Security
open Workq.Tests.TcpTestClient
open Workq.Tests.ServerFixture
open Workq.Tests.ServerProcess
open Workq.Tests.IntegrationTests
open Workq.Tests.ClientTests
open Workq.Tests.CliTests
open Workq.Tests.TestCertificates

let private hour = 3_600_000

/// A value that must be there.
let private present what (value: 'a | null) : 'a =
    match value with
    | null -> failtestf "no %s" what
    | v -> v
let private wrongDelayMs = AuthTokens.WrongTokenDelay.TotalMilliseconds

// ---------------------------------------------------------------------------
// Servers, clients and files

/// A server with `args` (besides a loopback port of its own) for the body; stopped after.
let private withServerArgs (args: string list) (body: RunningServer -> Task<unit>) : Task<unit> =
    task {
        let! server = startServer (Array.ofList ("--listen" :: "127.0.0.1:0" :: args))
        do! tryFinallyTask (fun () -> body server) (fun () -> task { do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 10.0) })
    }

/// The files of a server's TLS: an authority, and a certificate for localhost it issued.
type private Pki =
    { Dir: string
      Authority: X509Certificate2
      AuthorityFile: string
      Cert: string
      Key: string }

let private withPki (body: Pki -> Task<unit>) : Task<unit> =
    task {
        let dir, cleanup = tempDir ()
        use _ = cleanup
        let ca = authority "Workq Test CA"
        let cert, key = writePem dir "server" (serverCertificate ca "workq-a")
        do! body { Dir = dir; Authority = ca; AuthorityFile = writeAuthorities dir "ca" [ ca ]; Cert = cert; Key = key }
    }

let private tlsArgs (pki: Pki) = [ "-tls-cert"; pki.Cert; "-tls-key"; pki.Key ]

/// Trusts `authorities` alone, for the name `host`; shows `certificate` if one is given.
let private clientOptions (host: string) (authorities: X509Certificate2 list) (certificate: X509Certificate2 option) =
    let policy = X509ChainPolicy(TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck)
    for ca in authorities do
        policy.CustomTrustStore.Add ca |> ignore
    let options = SslClientAuthenticationOptions(TargetHost = host, CertificateChainPolicy = policy)
    certificate |> Option.iter (fun c -> options.ClientCertificates <- X509CertificateCollection [| c :> X509Certificate |])
    options

/// A raw connection over TLS: every read and write of the test client goes through it.
let private connectTls (ep: IPEndPoint) (options: SslClientAuthenticationOptions) : Task<Client * SslStream> =
    task {
        let socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp, NoDelay = true)
        do! socket.ConnectAsync ep
        let tls = new SslStream(new NetworkStream(socket, false))
        use deadline = new CancellationTokenSource(defaultTimeout)
        do! tls.AuthenticateAsClientAsync(options, deadline.Token)
        return new Client(socket, Some(tls :> Stream)), tls
    }

/// The subject of the certificate a new handshake gets.
let private servedSubject (ep: IPEndPoint) (authorities: X509Certificate2 list) =
    task {
        let! c, tls = connectTls ep (clientOptions "localhost" authorities None)
        use _ = c
        return (present "server certificate" tls.RemoteCertificate).Subject
    }

let private localhost (ep: IPEndPoint) = $"localhost:{ep.Port}"

/// A token file with these lines, readable by its owner alone (as it should be).
let private tokenFile (dir: string) (lines: string list) =
    let path = Path.Combine(dir, "tokens")
    File.WriteAllLines(path, lines)
    File.SetUnixFileMode(path, UnixFileMode.UserRead ||| UnixFileMode.UserWrite)
    path

let private withTokens (lines: string list) (extra: string list) (body: RunningServer -> string -> Task<unit>) =
    task {
        let dir, cleanup = tempDir ()
        use _ = cleanup
        let file = tokenFile dir lines
        do! withServerArgs ([ "-auth-tokens"; file ] @ extra) (fun server -> body server file)
    }

let private authRequired = clientError "Authentication required"
let private authFailed = clientError "Authentication failed"

let private expectStartRefused (args: string list) (expected: string) =
    task {
        try
            let! server = startServer (Array.ofList args)
            do! server.DisposeAsync()
            failtestf "started with %A" args
        with :? InvalidSettingException as e ->
            Expect.stringContains e.Message expected $"why %A{args} cannot start"
    }

// ---------------------------------------------------------------------------
// TLS

let private tls =
    testList "TLS" [
        testTask "a full session over TLS with the client: add, lease, complete, result, inspect, delete" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            use client = new WorkqClient(WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = pki.AuthorityFile))
                            let job = BackgroundJob(Name = "mail", Ttr = TimeSpan.FromMinutes 1.0, Ttl = TimeSpan.FromHours 1.0, PayloadText = "to: ann")
                            let! id = client.AddAsync job
                            let! leased = client.LeaseAsync("mail", TimeSpan.FromSeconds 5.0)
                            let leased = present "lease" leased
                            Expect.equal leased.Id id "the job leased"
                            Expect.equal (Text.Encoding.UTF8.GetString leased.Payload.Span) "to: ann" "its payload, over TLS"
                            do! client.CompleteAsync(id, "sent")
                            let! result = client.ResultAsync id
                            Expect.isTrue result.Success "completed"
                            Expect.equal (Text.Encoding.UTF8.GetString result.Result.Span) "sent" "the result"
                            let! info = client.InspectJobAsync id
                            Expect.equal info.Name "mail" "inspect job"
                            let big = Array.init (1024 * 1024) byte
                            let! bigId = client.AddAsync(BackgroundJob(Name = "big", Ttr = TimeSpan.FromMinutes 1.0, Ttl = TimeSpan.FromHours 1.0, Payload = big))
                            let! bigLease = client.LeaseAsync("big", TimeSpan.FromSeconds 5.0)
                            let bigLease = present "lease" bigLease
                            Expect.equal (bigLease.Payload.ToArray()) big "1 MiB, in many TLS records, both ways"
                            do! client.DeleteAsync bigId
                            do! client.DeleteAsync id
                            let! serverInfo = client.InspectServerAsync()
                            Expect.equal serverInfo.Jobs (Nullable 0L) "both gone"
                        }))
        }

        testTask "the client keeps its TLS connections for reuse" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            use client = new WorkqClient(WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = pki.AuthorityFile))
                            for _ in 1..5 do
                                let! _ = client.InspectServerAsync()
                                do! Task.Delay 100
                            use handler = new SocketsHttpHandler()
                            handler.SslOptions <- clientOptions "localhost" [ pki.Authority ] None
                            use http = new HttpClient(handler)
                            let port = (present "HTTP port" server.HttpEndPoint).Port
                            let! metrics = http.GetStringAsync($"https://localhost:{port}/metrics")
                            let accepted = metrics.Split('\n') |> Array.find (fun l -> l.StartsWith "workq_connections_accepted_total")
                            Expect.stringEnds accepted " 1" "one connection for five requests"
                        }))
        }

        testTask "a certificate of an authority the client does not trust is refused, and so is one for another name" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            let other = writeAuthorities pki.Dir "other" [ authority "Another CA" ]
                            for options, what in
                                [ WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = other), "another authority"
                                  WorkqClientOptions(Server = localhost server.EndPoint, UseTls = true), "the system's authorities"
                                  WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = pki.AuthorityFile, TlsServerName = "other.example"), "another name" ] do
                                use client = new WorkqClient(options)
                                let! e = throwsAsync<WorkqConnectionException> what (fun () -> client.InspectServerAsync() :> Task)
                                Expect.stringContains e.Message "TLS handshake" what
                                Expect.isFalse e.RequestSent $"{what}: nothing was sent"
                        }))
        }

        testTask "a new certificate serves new connections once its files are replaced, while a connection stays open on the old one" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            let ca2 = authority "Second CA"
                            let both = [ pki.Authority; ca2 ]
                            let! c, old = connectTls server.EndPoint (clientOptions "localhost" both None)
                            use _ = c
                            do! call c (addReq (newId ()) "q" 60000 hour "before" []) ok
                            let next = serverCertificate ca2 "workq-b"
                            replace pki.Key (keyPem next)
                            replace pki.Cert (certificatePem next)
                            do!
                                eventually 30000 "a new handshake gets the new certificate" (fun () ->
                                    task {
                                        let! subject = servedSubject server.EndPoint both
                                        return subject = "CN=workq-b"
                                    })
                            Expect.equal (present "certificate" old.RemoteCertificate).Subject "CN=workq-a" "the open connection keeps its session"
                            do! call c (addReq (newId ()) "q" 60000 hour "after" []) ok
                            use client = new WorkqClient(WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = writeAuthorities pki.Dir "ca2" [ ca2 ]))
                            let! info = client.InspectServerAsync()
                            Expect.equal info.ActiveClients 2 "the open connection and this one"
                        }))
        }

        testTask "a certificate that cannot be used leaves the one in use in place" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            replace pki.Cert "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
                            do! Task.Delay 1500
                            let! subject = servedSubject server.EndPoint [ pki.Authority ]
                            Expect.equal subject "CN=workq-a" "still served"
                        }))
        }

        testTask "SIGHUP reads the certificate again, and the server goes on" {
            // The files are links into another directory, where the change is made: only
            // the signal can tell the server of it.
            do!
                withPki (fun pki ->
                    task {
                        let linked = Path.Combine(pki.Dir, "linked")
                        Directory.CreateDirectory linked |> ignore
                        let cert = Path.Combine(linked, "cert.pem")
                        let key = Path.Combine(linked, "key.pem")
                        File.CreateSymbolicLink(cert, pki.Cert) |> ignore
                        File.CreateSymbolicLink(key, pki.Key) |> ignore
                        let sp = launch [ "--listen"; "127.0.0.1:0"; "-tls-cert"; cert; "-tls-key"; key ]
                        do!
                            tryFinallyTask
                                (fun () ->
                                    task {
                                        let! ep = endPointOf sp
                                        let next = serverCertificate pki.Authority "workq-b"
                                        File.WriteAllText(pki.Key, keyPem next)
                                        File.WriteAllText(pki.Cert, certificatePem next)
                                        do! Task.Delay 1000
                                        let! before = servedSubject ep [ pki.Authority ]
                                        Expect.equal before "CN=workq-a" "nothing told the server yet"
                                        use hup = Process.Start("kill", [ "-HUP"; string sp.Process.Id ])
                                        do! hup.WaitForExitAsync()
                                        let mutable served = before
                                        do!
                                            eventually 30000 "the new certificate" (fun () ->
                                                task {
                                                    let! subject = servedSubject ep [ pki.Authority ]
                                                    served <- subject
                                                    return subject = "CN=workq-b"
                                                })
                                            |> fun waiting ->
                                                task {
                                                    try
                                                        do! waiting
                                                    with e ->
                                                        failtestf "%s (served %s; the server said:\n%s)" e.Message served sp.Text
                                                }
                                        do!
                                            eventually 10000 "the log says so" (fun () ->
                                                task { return sp.Output |> Seq.exists (fun l -> l.Contains "TLS certificate read again") })
                                        Expect.isFalse sp.Process.HasExited "still running"
                                    })
                                (fun () -> kill sp)
                    })
        }

        testTask "a PKCS#12 file with a password" {
            do!
                withPki (fun pki ->
                    task {
                        let p12 = writePkcs12 pki.Dir "server" "pa55word" (serverCertificate pki.Authority "workq-p12") pki.Authority
                        do!
                            withServerArgs [ "-tls-cert"; p12; "-tls-key-password"; "pa55word" ] (fun server ->
                                task {
                                    let! subject = servedSubject server.EndPoint [ pki.Authority ]
                                    Expect.equal subject "CN=workq-p12" "served"
                                })
                    })
        }

        testTask "-tls-client-ca alone: a certificate of those authorities is required" {
            do!
                withPki (fun pki ->
                    task {
                        let clientCa = authority "Clients CA"
                        let clients = writeAuthorities pki.Dir "clients" [ clientCa ]
                        let certFile, keyFile = writePem pki.Dir "worker" (clientCertificate clientCa "worker-1")
                        let strangerCert, strangerKey = writePem pki.Dir "stranger" (clientCertificate (authority "Stranger CA") "stranger")
                        do!
                            withServerArgs (tlsArgs pki @ [ "-tls-client-ca"; clients ]) (fun server ->
                                task {
                                    let options cert key =
                                        WorkqClientOptions(
                                            Server = localhost server.EndPoint, TlsCaFile = pki.AuthorityFile,
                                            TlsClientCertificateFile = cert, TlsClientKeyFile = key)
                                    use good = new WorkqClient(options certFile keyFile)
                                    let! info = good.InspectServerAsync()
                                    Expect.equal info.ActiveClients 1 "served"
                                    for options, what in
                                        [ WorkqClientOptions(Server = localhost server.EndPoint, TlsCaFile = pki.AuthorityFile), "no certificate"
                                          options strangerCert strangerKey, "a certificate of another authority" ] do
                                        use refused = new WorkqClient(options)
                                        do! throwsAsync<WorkqConnectionException> what (fun () -> refused.InspectServerAsync() :> Task) :> Task
                                })
                    })
        }

        testTask "-tls-client-ca with tokens: a certificate admits without auth, a client without one sends a token" {
            do!
                withPki (fun pki ->
                    task {
                        let clientCa = authority "Clients CA"
                        let clients = writeAuthorities pki.Dir "clients" [ clientCa ]
                        let file = tokenFile pki.Dir [ "ann:s3cr3t-token" ]
                        do!
                            withServerArgs (tlsArgs pki @ [ "-tls-client-ca"; clients; "-auth-tokens"; file ]) (fun server ->
                                task {
                                    let! certified, _ = connectTls server.EndPoint (clientOptions "localhost" [ pki.Authority ] (Some(clientCertificate clientCa "worker-1")))
                                    use _ = certified
                                    do! call certified (addReq (newId ()) "q" 60000 hour "x" []) ok
                                    let! plain, _ = connectTls server.EndPoint (clientOptions "localhost" [ pki.Authority ] None)
                                    use _ = plain
                                    do! call plain "inspect server\r\n" authRequired
                                    do! call plain "auth s3cr3t-token\r\n" ok
                                    do! call plain (addReq (newId ()) "q" 60000 hour "x" []) ok
                                })
                    })
        }

        testTask "files that cannot be used stop the start, saying which and why" {
            do!
                withPki (fun pki ->
                    task {
                        let otherKey = snd (writePem pki.Dir "other" (serverCertificate pki.Authority "other"))
                        do! expectStartRefused [ "-tls-cert"; Path.Combine(pki.Dir, "missing.pem") ] "cannot use -tls-cert"
                        do! expectStartRefused [ "-tls-cert"; pki.Cert; "-tls-key"; otherKey ] "cannot use -tls-cert"
                        do! expectStartRefused [ "-tls-key"; pki.Key ] "-tls-key needs -tls-cert"
                        do! expectStartRefused [ "-tls-client-ca"; pki.AuthorityFile ] "-tls-client-ca needs -tls-cert"
                        do! expectStartRefused (tlsArgs pki @ [ "-tls-client-ca"; pki.Key ]) "holds no PEM certificate"
                    })
        }

        testTask "a handshake never begun is closed after the request timeout" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki @ [ "-request-timeout"; "1000" ]) (fun server ->
                        task {
                            use! c = connect server.EndPoint
                            do! expectClosed c
                        }))
        }

        testTask "an idle TLS connection outlives the request timeout; a record left unfinished does not" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki @ [ "-request-timeout"; "1000" ]) (fun server ->
                        task {
                            let! idle, _ = connectTls server.EndPoint (clientOptions "localhost" [ pki.Authority ] None)
                            use _ = idle
                            // Many records each way, then nothing: no record is left begun.
                            let id = newId ()
                            do! call idle (addReq id "big" 60000 hour (String('b', 200_000)) []) ok
                            do! send idle $"inspect job {id}\r\n"
                            let! _ = readInspect idle
                            ()
                            let! stalled, _ = connectTls server.EndPoint (clientOptions "localhost" [ pki.Authority ] None)
                            use _ = stalled
                            // The head of an application-data record of 1,000 bytes, and 10 of them.
                            let record = Array.append [| 0x17uy; 0x03uy; 0x03uy; 0x03uy; 0xE8uy |] (Array.zeroCreate 10)
                            let! _ = stalled.Socket.SendAsync(ReadOnlyMemory record, SocketFlags.None)
                            do! expect stalled (clientError "Request timed out")
                            do! expectClosed stalled
                            do! Task.Delay 1500
                            do! call idle $"delete {id}\r\n" ok
                        }))
        }

        testTask "a TLS connection is counted with its session's memory" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            let! c, _ = connectTls server.EndPoint (clientOptions "localhost" [ pki.Authority ] None)
                            use _ = c
                            let! bytes = serverStat c "connection-bytes"
                            Expect.isGreaterThanOrEqual (int64 bytes) (int64 Connection.TlsSessionBytes) "at least the session"
                        }))
        }

        testTask "the HTTP port serves HTTPS with the same certificate" {
            do!
                withPki (fun pki ->
                    withServerArgs (tlsArgs pki) (fun server ->
                        task {
                            use handler = new SocketsHttpHandler()
                            handler.SslOptions <- clientOptions "localhost" [ pki.Authority ] None
                            use http = new HttpClient(handler)
                            let port = (present "HTTP port" server.HttpEndPoint).Port
                            use! response = http.GetAsync($"https://localhost:{port}/healthz")
                            Expect.equal (int response.StatusCode) 200 "/healthz over HTTPS"
                        }))
        }
    ]

// ---------------------------------------------------------------------------
// Tokens on the job port

/// A request of every row of the command table but auth, and a line that is none.
let private everyRequest =
    let id = newId ()
    [ "add", None, addReq id "q" 60000 hour "x" []
      "schedule", None, scheduleReq (newId ()) "q" 60000 hour "2100-01-01T00:00:00Z" "x" []
      "run", None, runReq (newId ()) "r" 60000 0 "x" []
      "result", None, $"result {id} 0\r\n"
      "lease", None, "lease q 0\r\n"
      "complete", None, completeReq id "done"
      "fail", None, failReq id "no"
      "delete", None, $"delete {id}\r\n"
      "inspect", Some "job", $"inspect job {id}\r\n"
      "inspect", Some "jobs", "inspect jobs q 0 10\r\n"
      "inspect", Some "scheduled-jobs", "inspect scheduled-jobs q 0 10\r\n"
      "inspect", Some "queue", "inspect queue q\r\n"
      "inspect", Some "queues", "inspect queues 0 10\r\n"
      "inspect", Some "server", "inspect server\r\n"
      "touch", None, $"touch {id}\r\n"
      "requeue", None, $"requeue {id}\r\n"
      "requeue-failed", None, "requeue-failed q\r\n"
      "recur", None, "recur k q 60000 3600000 @hourly 1\r\nx\r\n"
      "unrecur", None, "unrecur k\r\n"
      "inspect", Some "failed-jobs", "inspect failed-jobs q 0 10\r\n"
      "inspect", Some "recurring", "inspect recurring 0 10\r\n"
      "cluster", Some "status", "cluster status\r\n"
      "cluster", Some "add", "cluster add 127.0.0.1:7003\r\n"
      "cluster", Some "remove", "cluster remove 127.0.0.1:7003\r\n"
      "unknown", None, "bogus\r\n"
      "auth, malformed", None, "auth\r\n" ]

let private tokens =
    testList "tokens" [
        test "the requests below cover every row of the command table" {
            let covered = everyRequest |> List.map (fun (word, object, _) -> word, object) |> Set.ofList
            for spec in CommandTable.all |> List.filter (fun s -> s.Name <> "auth") do
                Expect.isTrue (covered.Contains(spec.Name, ValueOption.toOption spec.Object)) $"{spec.Name} {spec.Object}"
        }

        testTask "before auth every command is refused, and changes nothing" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        for _, _, request in everyRequest do
                            use! c = connect server.EndPoint
                            do! call c request authRequired
                            do! call c "auth s3cr3t-token\r\n" ok
                        use! c = connect server.EndPoint
                        do! call c "auth s3cr3t-token\r\n" ok
                        let! r = inspectOne c "server"
                        Expect.equal (value r "jobs") "0" "no job added, scheduled or run"
                        do! call c "inspect recurring 0 10\r\n" "+OK 0\r\n"
                        let _, _, add = everyRequest.Head
                        do! call c add ok
                    })
        }

        testTask "the third refusal before auth closes the connection" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        use! c = connect server.EndPoint
                        do! send c "inspect server\r\nlease q 0\r\nbogus\r\ninspect server\r\n"
                        do! expect c (authRequired + authRequired + authRequired)
                        do! expectClosed c
                    })
        }

        testTask "a wrong token is refused after a delay that holds up no other connection; the third closes" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        use! other = connect server.EndPoint
                        do! call other "auth s3cr3t-token\r\n" ok
                        use! c = connect server.EndPoint
                        let sw = Stopwatch.StartNew()
                        do! send c "auth wrong-1\r\nauth wrong-2\r\nauth wrong-3\r\n"
                        // Meanwhile the other connection is served (its answer comes before the second refusal).
                        do! call other "inspect server\r\n" "+OK 1\r\n"
                        let answered = sw.Elapsed.TotalMilliseconds
                        do! expect c authFailed
                        Expect.isGreaterThanOrEqual sw.Elapsed.TotalMilliseconds (wrongDelayMs * 0.95) "the first refusal waited"
                        do! expect c authFailed
                        let second = sw.Elapsed.TotalMilliseconds
                        Expect.isGreaterThanOrEqual second (wrongDelayMs * 1.9) "the second waited too"
                        Expect.isLessThan answered second "the other connection was answered meanwhile"
                        do! expect c authFailed
                        do! expectClosed c
                    })
        }

        testTask "a good token: +OK, then everything as usual, pipelined behind it too; a wrong one later ends the admission" {
            do!
                withTokens [ "# the team's tokens"; ""; "ann:s3cr3t-token"; "  bob : other:token  " ] [] (fun server _ ->
                    task {
                        use! c = connect server.EndPoint
                        let id = newId ()
                        do! send c ("auth s3cr3t-token\r\n" + addReq id "q" 60000 hour "x" [] + "lease q 0\r\n")
                        do! expect c (ok + ok)
                        do! expect c (leased id "q" 60000 "x")
                        do! call c "auth other:token\r\n" ok
                        do! call c (completeReq id "done") ok
                        do! call c "auth nope\r\n" authFailed
                        do! call c $"result {id} 0\r\n" authRequired
                        do! call c "auth s3cr3t-token\r\n" ok
                        do! call c $"result {id} 0\r\n" (resultOf id true "done")
                    })
        }

        testTask "the token file is read again when it changes; connections open stay open" {
            do!
                withTokens [ "ann:first-token" ] [] (fun server file ->
                    task {
                        use! c = connect server.EndPoint
                        do! call c "auth first-token\r\n" ok
                        replace file "bob:second-token\n"
                        do!
                            eventually 30000 "the second token admits" (fun () ->
                                task {
                                    use! probe = connect server.EndPoint
                                    do! send probe "auth second-token\r\n"
                                    let! line = readLine probe
                                    return line = "+OK"
                                })
                        use! late = connect server.EndPoint
                        do! call late "auth first-token\r\n" authFailed
                        do! call c "inspect server\r\n" "+OK 1\r\n"
                    })
        }

        testTask "a token file that turns bad leaves the tokens in use" {
            do!
                withTokens [ "ann:first-token" ] [] (fun server file ->
                    task {
                        replace file "ann first-token\n"
                        do! Task.Delay 1500
                        use! c = connect server.EndPoint
                        do! call c "auth first-token\r\n" ok
                    })
        }

        testTask "without tokens, auth is answered +OK whatever the token" {
            do!
                withServerArgs [] (fun server ->
                    task {
                        use! c = connect server.EndPoint
                        do! call c "auth anything\r\n" ok
                        do! call c "auth\r\n" (clientError "Invalid command args")
                        do! call c "auth -x\r\n" (clientError "Invalid token")
                    })
        }

        testTask "the client sends its token on every new connection; a wrong one and none are refused" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        let addr = addressOf server.EndPoint
                        use good = new WorkqClient(WorkqClientOptions(Server = addr, AuthToken = "s3cr3t-token", MaxPooledConnections = 0))
                        for _ in 1..3 do
                            let! _ = good.AddAsync(BackgroundJob(Name = "q", Ttr = TimeSpan.FromMinutes 1.0, Ttl = TimeSpan.FromHours 1.0))
                            ()
                        use wrong = new WorkqClient(WorkqClientOptions(Server = addr, AuthToken = "wrong"))
                        let! e = throwsAsync<WorkqClientErrorException> "a wrong token" (fun () -> wrong.InspectServerAsync() :> Task)
                        Expect.equal e.Text "Authentication failed" "wrong"
                        use none = new WorkqClient(WorkqClientOptions(Server = addr))
                        let! e = throwsAsync<WorkqClientErrorException> "no token" (fun () -> none.InspectServerAsync() :> Task)
                        Expect.equal e.Text "Authentication required" "none"
                        Expect.throws (fun () -> new WorkqClient(WorkqClientOptions(Server = addr, AuthToken = "two words")) |> ignore) "no spaces"
                    })
        }

        testTask "the auth commands are counted by the metrics" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        use! c = connect server.EndPoint
                        do! call c "inspect server\r\n" authRequired
                        do! call c "auth s3cr3t-token\r\n" ok
                        use http = new HttpClient()
                        http.DefaultRequestHeaders.Authorization <- AuthenticationHeaderValue("Bearer", "s3cr3t-token")
                        let! text = http.GetStringAsync($"http://{server.HttpEndPoint}/metrics")
                        let has (line: string) = text.Split('\n') |> Array.exists (fun l -> l.StartsWith line)
                        Expect.isTrue (has """workq_commands_total{messaging_operation_name="auth",workq_outcome="ok"} 1""") "auth ok"
                        Expect.isTrue (has """workq_commands_total{messaging_operation_name="inspect",workq_outcome="client-error"} 1""") "refused inspect"
                    })
        }
    ]

// ---------------------------------------------------------------------------
// The tool

let private tool =
    testList "the tool" [
        testTask "workq with --tls-ca and --auth-token, or the same in the environment" {
            do!
                withPki (fun pki ->
                    task {
                        let file = tokenFile pki.Dir [ "ann:s3cr3t-token" ]
                        do!
                            withServerArgs (tlsArgs pki @ [ "-auth-tokens"; file ]) (fun server ->
                                task {
                                    let at = localhost server.EndPoint
                                    let! o =
                                        runTool [] [||] CancellationToken.None
                                            [ "--server"; at; "--tls-ca"; pki.AuthorityFile; "--auth-token"; "s3cr3t-token"; "add"; "mail"; "hello"; "--ttr"; "5s"; "--ttl"; "1m" ]
                                    expectCode o ExitCodes.Ok "add over TLS with a token"
                                    let env = [ "WORKQ_SERVER", at; "WORKQ_TLS_CA", pki.AuthorityFile; "WORKQ_AUTH_TOKEN", "s3cr3t-token" ]
                                    let! o = runTool env [||] CancellationToken.None [ "inspect"; "queue"; "mail"; "--json" ]
                                    expectCode o ExitCodes.Ok "inspect from the environment"
                                    Expect.equal (o.Json.GetProperty("ready").GetInt32()) 1 "the job added"
                                    let! o = runTool [ "WORKQ_SERVER", at; "WORKQ_TLS_CA", pki.AuthorityFile ] [||] CancellationToken.None [ "inspect"; "server" ]
                                    expectFailure o ExitCodes.Refused "workq inspect server" "Authentication required" "no token"
                                    let! o = runTool [] [||] CancellationToken.None [ "--server"; at; "--auth-token"; "s3cr3t-token"; "inspect"; "server" ]
                                    expectCode o ExitCodes.Connection "plain TCP to a TLS port"
                                    let! o = runTool env [||] CancellationToken.None [ "--tls-ca"; Path.Combine(pki.Dir, "missing.pem"); "inspect"; "server" ]
                                    expectFailure o ExitCodes.Usage "workq inspect server" "the client's TLS settings cannot be used" "a missing CA file"
                                })
                    })
        }
    ]

// ---------------------------------------------------------------------------
// Tokens on the HTTP port

let private bearer =
    testList "bearer tokens" [
        testTask "with tokens every path but /healthz asks for a bearer token" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [] (fun server _ ->
                    task {
                        use http = new HttpClient()
                        let get (path: string) (token: string option) =
                            task {
                                use request = new HttpRequestMessage(HttpMethod.Get, $"http://{server.HttpEndPoint}{path}")
                                token |> Option.iter (fun t -> request.Headers.Authorization <- AuthenticationHeaderValue("Bearer", t))
                                let sw = Stopwatch.StartNew()
                                use! response = http.SendAsync request
                                return int response.StatusCode, response.Headers.WwwAuthenticate.ToString(), sw.Elapsed.TotalMilliseconds
                            }
                        let! status, _, _ = get "/healthz" None
                        Expect.equal status 200 "/healthz needs no token"
                        for path in [ "/readyz"; "/metrics"; "/no-such-page" ] do
                            let! status, challenge, _ = get path None
                            Expect.equal status 401 $"{path} without a token"
                            Expect.stringStarts challenge "Bearer" $"{path}: the challenge"
                        let! status, challenge, took = get "/metrics" (Some "wrong")
                        Expect.equal status 401 "a wrong token"
                        Expect.stringContains challenge "invalid_token" "says so"
                        Expect.isGreaterThanOrEqual took (wrongDelayMs * 0.95) "after the delay"
                        for path in [ "/readyz"; "/metrics" ] do
                            let! status, _, _ = get path (Some "s3cr3t-token")
                            Expect.equal status 200 $"{path} with the token"
                        let! status, _, _ = get "/no-such-page" (Some "s3cr3t-token")
                        Expect.equal status 404 "an unknown path, once authenticated"
                    })
        }

        testTask "without tokens nothing is asked" {
            do!
                withServerArgs [] (fun server ->
                    task {
                        use http = new HttpClient()
                        use! response = http.GetAsync($"http://{server.HttpEndPoint}/metrics")
                        Expect.equal (int response.StatusCode) 200 "/metrics"
                    })
        }
    ]

// ---------------------------------------------------------------------------
// Where the server may listen

let private exposure =
    testList "exposure" [
        testTask "a port other machines reach, with neither tokens nor client certificates, is refused unless -insecure" {
            do! expectStartRefused [ "--listen"; "0.0.0.0:0" ] "refusing to listen on 0.0.0.0:0: other machines can reach it"
            do! expectStartRefused [ "--listen"; "0.0.0.0:0" ] "-insecure"
            do! expectStartRefused [ "--listen"; "127.0.0.1:0"; "--http-listen"; "0.0.0.0:0" ] "refusing to serve HTTP on 0.0.0.0:0"
            do! expectStartRefused [ "--listen"; "[::]:0" ] "refusing to listen on [::]:0"
            do! withServerArgs [ "--listen"; "0.0.0.0:0"; "-insecure" ] (fun _ -> Task.FromResult())
        }

        testTask "with tokens it may listen on every interface" {
            do!
                withTokens [ "ann:s3cr3t-token" ] [ "--listen"; "0.0.0.0:0"; "--http-listen"; "0.0.0.0:0" ] (fun server _ ->
                    task {
                        use! c = connect (IPEndPoint(IPAddress.Loopback, server.EndPoint.Port))
                        do! call c "auth s3cr3t-token\r\n" ok
                    })
        }

        testTask "the process exits with 2 and says why" {
            let sp = launch [ "--listen"; "0.0.0.0:0" ]
            do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 60.0)
            Expect.equal sp.Process.ExitCode 2 "exit code"
            Expect.stringContains sp.Text "workq-server: refusing to listen on 0.0.0.0:0" sp.Text
        }

        testTask "a token file every user may read is warned of" {
            let dir, cleanup = tempDir ()
            do!
                tryFinallyTask
                    (fun () ->
                        task {
                            let file = tokenFile dir [ "ann:s3cr3t-token" ]
                            File.SetUnixFileMode(file, UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.OtherRead)
                            let sp = launch [ "--listen"; "127.0.0.1:0"; "-auth-tokens"; file ]
                            do!
                                tryFinallyTask
                                    (fun () ->
                                        task {
                                            let! _ = endPointOf sp
                                            do!
                                                eventually 30000 "the warning" (fun () ->
                                                    task { return sp.Output |> Seq.exists (fun l -> l.Contains "every user of this machine can read it") })
                                        })
                                    (fun () -> kill sp)
                        })
                    (fun () -> task { cleanup.Dispose() })
        }

        testTask "a token file that cannot be used stops the start" {
            let dir, cleanup = tempDir ()
            do!
                tryFinallyTask
                    (fun () ->
                        task {
                            do! expectStartRefused [ "-auth-tokens"; tokenFile dir [ "ann:ok-token"; "no colon" ] ] "line 2: expected name:token"
                            do! expectStartRefused [ "-auth-tokens"; tokenFile dir [ "# none" ] ] "holds no token"
                            do! expectStartRefused [ "-auth-tokens"; Path.Combine(dir, "missing") ] "cannot use -auth-tokens"
                        })
                    (fun () -> task { cleanup.Dispose() })
        }
    ]

// ---------------------------------------------------------------------------
// The token file's reader

let private tokenFileTests =
    testList "token file" [
        test "names and tokens, comments and blank lines, spaces around" {
            let read = TokenFile.Parse "# ops\n\nann:abc\r\n  bob : d:e:f  \nann:second\n"
            Expect.equal (List.ofSeq read) [ NamedToken("ann", "abc"); NamedToken("bob", "d:e:f"); NamedToken("ann", "second") ] "read"
        }
        test "each bad line is named" {
            for text, expected in
                [ "ann", "line 1: expected name:token"
                  "ok:tok\n:tok2", "line 2: a name is 1 to 128"
                  "ann:", "line 1: the token of ann is not one auth can send"
                  "ann:-x", "not beginning with -"
                  "ann:two words", "line 1: the token of ann"
                  "ann:tok\nbob:tok", "line 2: the token of bob is ann's too (line 1)"
                  "", "holds no token" ] do
                match (try Ok(TokenFile.Parse text) with :? FormatException as e -> Error e.Message) with
                | Ok read -> failtestf "read %A from %s" read text
                | Error message -> Expect.stringContains message expected text
        }
    ]

[<Tests>]
let tests = testList "security" [ tls; tokens; tool; bearer; exposure; tokenFileTests ]
