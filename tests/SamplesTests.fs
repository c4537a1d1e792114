/// The samples under samples/: every C# block in the README and doc/ is a piece of their
/// source, so it compiles with them; and they run against a server the test starts.
module Workq.Tests.SamplesTests

open System
open System.Diagnostics
open System.IO
open System.IO.Compression
open System.Runtime.InteropServices
open System.Security.Cryptography
open System.Text
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Workq.Client
open Workq.Tests.IntegrationTests
open Workq.Tests.ServerFixture
open Workq.Tests.TestCertificates

/// The checkout: the nearest directory above the tests that holds Workq.sln.
let private repoRoot =
    let rec up (dir: DirectoryInfo | null) =
        match dir with
        | Null -> failwith $"no Workq.sln above {AppContext.BaseDirectory}"
        | NonNull d when File.Exists(Path.Combine(d.FullName, "Workq.sln")) -> d.FullName
        | NonNull d -> up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// The build output of sample `name`, in the tests' own configuration (bin/CONFIG/net10.0).
let private sampleOutput name =
    let framework = DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))
    let configuration = (nonNull framework.Parent).Name
    Path.Combine(repoRoot, "samples", name, "bin", configuration, framework.Name)

// ---------------------------------------------------------------------------
// The docs' blocks

/// The ```csharp blocks of a Markdown file, each as its lines.
let private csharpBlocks (path: string) =
    let text = File.ReadAllText path
    [ for m in Regex.Matches(text, @"^```csharp\n(.*?)^```", RegexOptions.Singleline ||| RegexOptions.Multiline) ->
          m.Groups[1].Value.TrimEnd('\n').Split('\n') ]

let private indentOf (line: string) = line.Length - line.TrimStart(' ').Length

/// Whether `block` stands in `file` line by line from some line on, shifted right by one
/// indent throughout (a snippet may sit in a method).
let private holds (file: string[]) (block: string[]) =
    let fits start =
        let shift = indentOf file[start] - indentOf block[0]
        shift >= 0
        && block
           |> Array.mapi (fun k line ->
               let actual = file[start + k].TrimEnd()
               if line.Trim() = "" then actual = "" else actual = String(' ', shift) + line.TrimEnd())
           |> Array.forall id
    seq { 0 .. file.Length - block.Length } |> Seq.exists fits

let private sources () =
    [ for path in Directory.EnumerateFiles(Path.Combine(repoRoot, "samples"), "*.cs", SearchOption.AllDirectories) do
          if not (path.Contains $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") then
              path, File.ReadAllLines path ]

let private blocks =
    testList "the docs' C# blocks" [
        test "every one is a piece of a sample's source" {
            let docs = Path.Combine(repoRoot, "README.md") :: List.ofArray (Directory.GetFiles(Path.Combine(repoRoot, "doc"), "*.md"))
            let sources = sources ()
            let mutable found = 0
            for doc in docs do
                for block in csharpBlocks doc do
                    found <- found + 1
                    if not (sources |> List.exists (fun (_, lines) -> holds lines block)) then
                        failtestf "%s: a C# block that no file under samples/ holds:\n%s" (Path.GetFileName doc) (String.Join("\n", block))
            Expect.isGreaterThanOrEqual found 10 "the README's and doc/client.md's blocks, at least"
        }
    ]

// ---------------------------------------------------------------------------
// Running them

[<DllImport("libc", SetLastError = true)>]
extern int private kill(int pid, int signal)

let private sigterm = 15

let private dotnetHost =
    match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
    | NonNull path when path <> "" -> path
    | _ -> "dotnet"

/// `dotnet SAMPLE.dll` in its output directory (where its appsettings.json is), with `environment`.
let private startSample name (environment: (string * string) list) =
    let dir = sampleOutput name
    let psi = ProcessStartInfo(dotnetHost, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir)
    psi.ArgumentList.Add(Path.Combine(dir, name + ".dll"))
    for key, value in environment do
        psi.Environment[key] <- value
    let p = new Process(StartInfo = psi)
    let output = StringBuilder()
    let onLine (e: DataReceivedEventArgs) =
        match e.Data with
        | NonNull line -> lock output (fun () -> output.AppendLine line |> ignore)
        | Null -> ()
    p.OutputDataReceived.Add onLine
    p.ErrorDataReceived.Add onLine
    if not (p.Start()) then failtest $"could not start the sample {name}"
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p, (fun () -> lock output (fun () -> output.ToString()))

/// Waits for the process to exit (within 60 s, or it is killed and the test fails); its exit code.
let private exitOf (p: Process) (output: unit -> string) =
    task {
        let! _ = Task.WhenAny(p.WaitForExitAsync(), Task.Delay 60_000)
        if not p.HasExited then
            p.Kill true
            failtestf "the sample did not exit within 60 s; its output:\n%s" (output ())
        p.WaitForExit() // the output's last lines
        return p.ExitCode
    }

let private gunzip (data: byte[]) =
    use input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress)
    use output = new MemoryStream()
    input.CopyTo output
    output.ToArray()

let private running =
    testList "run against a server" [
        serverTest "GettingStarted: the README's client snippets, in order, print what their comments say" (fun ep ->
            task {
                let p, output = startSample "GettingStarted" [ "WORKQ_SERVER", string ep ]
                use _ = p
                let! code = exitOf p output
                Expect.equal code 0 $"exit code; output:\n{output ()}"
                Expect.equal
                    (output().TrimEnd().Split('\n'))
                    [| "leased ping: ping"
                       "success: True, result: pong"
                       "success: True, result: HELLO"
                       "Completed after 1 lease; ready in ping: 0; scheduled in report: 1; queues: 1" |]
                    "its output"
                use client = new WorkqClient(string ep)
                let! queues = client.InspectQueuesAsync()
                Expect.isEmpty queues "it deleted its jobs"
            })

        serverTest "FailedAndRecurring: the snippets of failed and recurring work run, in order, and leave what they say" (fun ep ->
            task {
                let p, output = startSample "FailedAndRecurring" [ "WORKQ_SERVER", string ep ]
                use _ = p
                let! code = exitOf p output
                Expect.equal code 0 $"exit code; output:\n{output ()}"
                let lines = output().TrimEnd().Split('\n')
                Expect.equal lines.Length 2 $"one failed job listed, then the summary:\n{output ()}"
                Expect.stringContains lines[0] "failed at" "the failed job, with when it failed"
                Expect.stringContains lines[0] "500 Internal Server Error" "and its result"
                Expect.equal lines[1] "requeued 0; order 42 of espresso" "the summary: nothing left to requeue, the order read back"
                use client = new WorkqClient(string ep)
                let! failed = client.InspectFailedJobsAsync("webhook")
                Expect.isEmpty failed "the failed job was requeued"
                let! definitions = client.InspectRecurringAsync()
                Expect.isEmpty definitions "the definition was removed"
            })

        testTask "SecureClient: a session over TLS with a token, directly and through a host's client" {
            let dir, cleanup = tempDir ()
            do!
                tryFinallyTask
                    (fun () ->
                        task {
                            let ca = authority "Samples CA"
                            let cert, key = writePem dir "server" (serverCertificate ca "workq")
                            let caFile = writeAuthorities dir "ca" [ ca ]
                            let tokens = Path.Combine(dir, "tokens")
                            File.WriteAllText(tokens, "samples:s3cr3t-sample-token\n")
                            File.SetUnixFileMode(tokens, UnixFileMode.UserRead ||| UnixFileMode.UserWrite)
                            let! server =
                                startServer [| "--listen"; "127.0.0.1:0"; "-tls-cert"; cert; "-tls-key"; key; "-auth-tokens"; tokens |]
                            do!
                                tryFinallyTask
                                    (fun () ->
                                        task {
                                            let at = $"localhost:{server.EndPoint.Port}"
                                            let p, output =
                                                startSample "SecureClient"
                                                    [ "WORKQ_SERVER", at; "WORKQ_TLS_CA", caFile; "WORKQ_AUTH_TOKEN", "s3cr3t-sample-token"
                                                      "Workq__Server", at; "Workq__TlsCaFile", caFile; "Workq__AuthToken", "s3cr3t-sample-token" ]
                                            use _ = p
                                            let! code = exitOf p output
                                            Expect.equal code 0 $"exit code; output:\n{output ()}"
                                            Expect.equal
                                                (output().TrimEnd().Split('\n'))
                                                [| "a client: 1 connected"; "added through the host's client: True" |]
                                                "what its comments say"
                                        })
                                    (fun () -> task { do! server.DisposeAsync() })
                        })
                    (fun () -> task { cleanup.Dispose() })
        }

        serverTest "HostedWorker: its workers complete compress and checksum jobs; SIGTERM stops it" (fun ep ->
            task {
                let p, output = startSample "HostedWorker" [ "Workq__Server", string ep ]
                use _ = p
                use client = new WorkqClient(string ep)
                let payload = Encoding.UTF8.GetBytes "hello, worker"
                let job name = BackgroundJob(Name = name, Ttr = TimeSpan.FromSeconds 30.0, Ttl = TimeSpan.FromMinutes 5.0, Payload = payload)
                let! compress = client.AddAsync(job "compress")
                let! checksum = client.AddAsync(job "checksum")
                let! compressed = client.ResultAsync(compress, TimeSpan.FromSeconds 60.0)
                Expect.isTrue compressed.Success $"compress completed; output:\n{output ()}"
                Expect.equal (gunzip (compressed.Result.ToArray())) payload "gzip of the payload"
                let! summed = client.ResultAsync(checksum, TimeSpan.FromSeconds 60.0)
                Expect.equal summed.ResultText (Convert.ToHexStringLower(SHA256.HashData payload)) "SHA-256 of the payload"
                Expect.equal (kill (p.Id, sigterm)) 0 "SIGTERM sent"
                let! code = exitOf p output
                Expect.equal code 0 $"stopped by SIGTERM; output:\n{output ()}"
                Expect.stringContains (output ()) "Workq worker for compress stopped" "the worker stopped"
            })
    ]

[<Tests>]
let tests = testList "samples" [ blocks; running ]
