/// What the server does before it listens, the settings sample it ships, and the server
/// as installed: the native program `dotnet publish src/Workq.Host` makes. test.sh
/// publishes it and names it in WORKQ_PUBLISHED_SERVER.
module Workq.Tests.StartupTests

open System
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Microsoft.Extensions.Configuration
open Workq.Domain
open Workq.Host.Configuration
open Workq.Host.Engine
open Workq.Tests.TcpTestClient
open Workq.Tests.IntegrationTests
open Workq.Tests.ServerProcess
open Workq.Tests.CommandLogTests
open Workq.Tests.ServerFixture

let private warmup =
    testList "warm-up" [
        test "every request of the warm-up succeeds: the job is added, leased, completed, its result and records read" {
            let replies = Warmup.Run 1_796_000_000_000L |> List.ofSeq
            Expect.equal replies.Length 7 "a reply to each request"
            for reply in replies do
                match reply with
                | Reply.ClientError _
                | Reply.ServerError _
                | Reply.Timeout
                | Reply.NotFound -> failtestf "the warm-up got %s" (reply.GetType().Name)
                | _ -> ()
            Expect.exists replies (function Reply.LeaseOf _ -> true | _ -> false) "a lease got the job"
            Expect.exists replies (function Reply.ResultOf(_, outcome) -> outcome.Success | _ -> false) "the result"
        }
    ]

/// The sample with every `// "Key": value` line made a setting.
let private uncommented (text: string) =
    Regex.Replace(text, @"^(\s*)//\s*("".*)$", "$1$2", RegexOptions.Multiline)

let private settingsSample =
    testList "appsettings.json sample" [
        test "beside the program, every flag shown with its default (the log directory with an example), in a form each takes" {
            let path = Path.Combine(AppContext.BaseDirectory, "appsettings.json")
            Expect.isTrue (File.Exists path) "shipped beside workq-server"
            let sample = File.ReadAllText path
            let settings =
                ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(uncommented sample))).Build()
            let shown = settings.GetSection("Workq").GetChildren() |> Seq.map (fun s -> "Workq:" + s.Key, s.Value) |> Map.ofSeq
            Expect.equal (shown.Keys |> Set.ofSeq) (ServerFlags.All |> Seq.map _.Key |> Set.ofSeq) "one setting per flag"
            for flag in ServerFlags.All do
                let value = nonNull shown[flag.Key]
                Expect.isNull (flag.Check value) $"{flag.Key}: {value} is a value it takes"
                match flag.Default with
                | NonNull byDefault -> Expect.equal value byDefault $"{flag.Key}: its default"
                | Null -> ()
            Expect.equal settings["Logging:LogLevel:Default"] "Information" "the logging level, with its default"
            let asShipped = ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes sample)).Build()
            Expect.isEmpty (asShipped.AsEnumerable() |> Seq.filter (fun kv -> not (isNull kv.Value))) "as shipped it sets nothing"
        }
    ]

/// A socket listening on a free loopback port (held, as a server still exiting holds it).
let private holdPort () =
    let holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
    holder.Bind(IPEndPoint(IPAddress.Loopback, 0))
    holder.Listen()
    holder, (nonNull holder.LocalEndPoint :?> IPEndPoint).Port

let private portInUse =
    testList "a port in use" [
        testTask "one freed within a second is taken: a restart just after a kill finds the old process's port" {
            let holder, port = holdPort ()
            let starting = startServer [| "--listen"; $"127.0.0.1:{port}" |]
            do! Task.Delay 300
            holder.Dispose()
            let! (server: Workq.Host.RunningServer) = starting
            do!
                tryFinallyTask
                    (fun () -> task { Expect.equal server.EndPoint.Port port "on the port it was given" })
                    (fun () -> task { do! server.DisposeAsync() })
        }

        testTask "one still in use after a second stops the start, naming the address" {
            let holder, port = holdPort ()
            try
                let! refused =
                    task {
                        try
                            let! server = startServer [| "--listen"; $"127.0.0.1:{port}" |]
                            do! server.DisposeAsync()
                            return None
                        with :? Workq.Host.Network.ListenAddressException as e ->
                            return Some e.Message
                    }
                Expect.equal refused (Some $"cannot listen on 127.0.0.1:{port}: Address already in use") "refused"
            finally
                holder.Dispose()
        }
    ]

/// The published server; the tests fail, saying how to make it, when it is not there.
let private publishedServer () =
    match Environment.GetEnvironmentVariable "WORKQ_PUBLISHED_SERVER" with
    | NonNull path when File.Exists path -> path
    | _ ->
        failtest
            "WORKQ_PUBLISHED_SERVER names no file: run ./test.sh, which publishes the server (dotnet publish src/Workq.Host -c Release -o DIR) and names DIR/workq-server in it"

let private onPublished (args: string list) (body: ServerProcess -> Task<unit>) =
    withProgram (native (publishedServer ())) [] None args body

/// A copy of the published server in a directory of its own, with `settings` beside it.
let private copyWithSettings (settings: string) =
    let dir = newDir ()
    let program = Path.Combine(dir, "workq-server")
    File.Copy(publishedServer (), program)
    File.WriteAllText(Path.Combine(dir, "appsettings.json"), settings)
    dir, program

let private published =
    testList "published server" [
        testTask "--version, --help, an unknown flag" {
            let program = native (publishedServer ())
            let! code, out, err = runProgramToExit program [] None [ "--version" ]
            Expect.equal (code, err) (0, "") "--version"
            Expect.stringStarts out "workq-server " "--version"
            let! code, out, _ = runProgramToExit program [] None [ "--help" ]
            Expect.equal code 0 "--help"
            Expect.equal out ServerUsage.Text "--help prints the usage"
            let! code, out, err = runProgramToExit program [] None [ "-bogus"; "7" ]
            Expect.equal (code, out) (2, "") "an unknown flag"
            Expect.stringStarts err "workq-server: flag provided but not defined: -bogus\nusage: workq-server" "its message"
        }

        logTest "serves the protocol, keeps a command log across a kill, and its cmdlog tools read the log" (fun dir ->
            task {
                let id = newId ()
                let args = [ "-listen"; "127.0.0.1:0"; "-cmdlog-path"; dir; "-cmdlog-seg-size"; "15" ]
                do!
                    onPublished args (fun sp ->
                        task {
                            let! ep = endPointOf sp
                            use! c = connect ep
                            do! call c (addReq id "ping" 60000 3_600_000 "ping" [ "-priority=3"; "-max-attempts=2" ]) ok
                            do! call c "lease ping 1000\r\n" (leased id "ping" 60000 "ping")
                            do! call c (completeReq id "pong") ok
                            do! call c "bogus\r\n" (clientError "Unknown command")
                            do! call c $"result {id} 0\r\n" (resultOf id true "pong")
                            do! kill sp
                        })
                do!
                    onPublished args (fun sp ->
                        task {
                            let! ep = endPointOf sp
                            use! c = connect ep
                            do! call c $"result {id} 0\r\n" (resultOf id true "pong")
                        })
                let program = native (publishedServer ())
                let! code, out, _ = runProgramToExit program [] None [ "cmdlog"; "verify"; dir ]
                Expect.equal code 0 $"verify: {out}"
                let! code, out, _ = runProgramToExit program [] None [ "cmdlog"; "dump"; dir; "--job"; id ]
                Expect.equal code 0 "dump"
                Expect.stringContains out "JobCompleted" "the dump shows the completion"
                Expect.stringContains out "priority=3 max-attempts=2" "and the job's fields"
                let! code, out, _ = runProgramToExit program [] None [ "cmdlog"; "replay"; dir ]
                Expect.equal code 0 "replay"
                Expect.stringContains out "server jobs=1 queues=0 evicted-jobs=0" "the replayed state"
            })

        logTest "imports the original Workq's log directory" (fun dir ->
            task {
                let now = DateTime.UtcNow
                let done', waiting = Guid.NewGuid(), Guid.NewGuid()
                OriginalLog.segment
                    [ now.AddSeconds -3.0, OriginalLog.Add(OriginalLog.job done' "ping" (now.AddSeconds -3.0))
                      now.AddSeconds -2.0, OriginalLog.StartAttempt done'
                      now.AddSeconds -1.0, OriginalLog.Complete(done', "pong")
                      now.AddSeconds -1.0, OriginalLog.Add(OriginalLog.job waiting "ping" (now.AddSeconds -1.0)) ]
                |> OriginalLog.writeSegment dir 1
                do!
                    onPublished [ "-listen"; "127.0.0.1:0"; "-cmdlog-path"; dir ] (fun sp ->
                        task {
                            let! ep = endPointOf sp
                            Expect.stringContains sp.Text "Imported the original Workq's command log" "it says so"
                            use! c = connect ep
                            do! call c $"result {done'} 0\r\n" (resultOf (string done') true "pong")
                            do! call c "lease ping 1000\r\n" (leased (string waiting) "ping" 60000 (string waiting))
                        })
                Expect.isTrue (File.Exists(Path.Combine(dir, "original-log", OriginalLog.segmentName 1))) "the original's file moved aside"
            })

        testTask "reads appsettings.json beside itself, beneath the one in the working directory" {
            let dir, program = copyWithSettings """{ "Workq": { "Listen": "nowhere" } }"""
            let workDir = newDir ()
            try
                let! code, _, err = runProgramToExit (native program) [] None []
                Expect.equal code 2 "the setting beside the program is read"
                Expect.stringStarts err "workq-server: invalid value \"nowhere\" for Workq:Listen: " "its message"
                File.WriteAllText(Path.Combine(workDir, "appsettings.json"), """{ "Workq": { "Listen": "127.0.0.1:0" } }""")
                do! withProgram (native program) [] (Some workDir) [] (fun sp -> task { let! _ = endPointOf sp in () })
            finally
                Directory.Delete(dir, true)
                Directory.Delete(workDir, true)
        }
    ]

[<Tests>]
let tests = testList "start-up" [ warmup; settingsSample; portInUse; published ]
