/// The `workq` tool end to end: its entry point run in process, with streams of the
/// test's own, against a real server (a fresh one per test).
module Workq.Tests.CliTests

open System
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open Expecto
open Workq.Cli
open Workq.Cli.Values
open Workq.Tests.ClientFixtures
open Workq.Tests.ClientTests
open Workq.Tests.IntegrationTests

// ---------------------------------------------------------------------------
// Helpers

/// What one run of the tool left behind.
type Outcome =
    { Code: int
      Out: byte[]
      Err: string }

    member o.Text = Encoding.UTF8.GetString o.Out

    /// Standard output's lines, without the empty one after the last line end.
    member o.Lines = o.Text.Split('\n') |> Array.filter (fun l -> l <> "")

    member o.Json = JsonDocument.Parse(ReadOnlyMemory o.Out).RootElement

/// Runs `workq args` with the given environment, standard input and cancellation.
let runTool (env: (string * string) list) (stdin: byte[]) (ct: CancellationToken) (args: string list) : Task<Outcome> =
    task {
        use input = new MemoryStream(stdin)
        use output = new MemoryStream()
        use err = new StringWriter()
        let! code = Cli.RunAsync(Array.ofList args, input, output, err, readOnlyDict env, ct)
        return { Code = code; Out = output.ToArray(); Err = err.ToString() }
    }

/// `workq --server EP args`.
let workq (ep: IPEndPoint) (args: string list) =
    runTool [] [||] CancellationToken.None ("--server" :: addressOf ep :: args)

/// `workq --server EP args`, with `stdin` as standard input.
let workqWithInput (ep: IPEndPoint) (stdin: byte[]) (args: string list) =
    runTool [] stdin CancellationToken.None ("--server" :: addressOf ep :: args)

/// A loopback port where nothing listens: connecting there is refused at once.
let closedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

/// `workq args` with no server: for what must fail before anything is sent. WORKQ_SERVER
/// names a closed port, so that a request sent by mistake fails (exit 6) instead of
/// reaching a server someone runs on the default port.
let offlineWithInput (stdin: byte[]) (args: string list) =
    runTool [ "WORKQ_SERVER", $"127.0.0.1:{closedPort ()}" ] stdin CancellationToken.None args

let offline (args: string list) = offlineWithInput [||] args

let expectCode (o: Outcome) (code: int) (what: string) =
    if o.Code <> code then
        failtestf "%s: expected exit code %d, got %d (stderr: %s)" what code o.Code o.Err

/// A failure reported in one line on standard error, naming the command, and nothing on standard output.
let expectFailure (o: Outcome) (code: int) (command: string) (text: string) (what: string) =
    expectCode o code what
    let lines = o.Err.TrimEnd('\n').Split('\n')
    Expect.equal lines.Length 1 $"{what}: one line on stderr: {o.Err}"
    Expect.stringStarts lines[0] $"{command}: " $"{what}: names the command"
    Expect.stringContains lines[0] text $"{what}: says why"
    Expect.isEmpty o.Out $"{what}: nothing on stdout"

/// The id `add`, `schedule` print: one line, a UUID.
let printedId (o: Outcome) : Guid =
    expectCode o 0 "the job was accepted"
    match o.Lines with
    | [| line |] -> Guid.ParseExact(line, "D")
    | lines -> failtestf "expected one line with an id, got %A" lines

/// Adds a job with a 5 s TTR and a minute's TTL; returns its id.
let addJob ep (name: string) (payload: string) (extra: string list) =
    task {
        let! o = workq ep ([ "add"; name; payload; "--ttr"; "5s"; "--ttl"; "1m" ] @ extra)
        return printedId o
    }

/// Leases a job of `name` (waiting up to 10 s); returns its JSON record.
let leaseJob ep (name: string) =
    task {
        let! o = workq ep [ "lease"; name; "--wait"; "10s"; "--json" ]
        expectCode o 0 $"lease {name}"
        return o.Json
    }

let str (e: JsonElement) (name: string) : string =
    match e.GetProperty(name).GetString() with
    | null -> failtestf "%s is null" name
    | s -> s
let int64Of (e: JsonElement) (name: string) = e.GetProperty(name).GetInt64()

/// A table's rows (header included) split into cells on runs of spaces.
let cells (o: Outcome) =
    o.Lines |> Array.map (fun l -> l.Split(' ', StringSplitOptions.RemoveEmptyEntries))

/// The value of a `name  value` line of a record printed a field a line.
let field (o: Outcome) (name: string) =
    match o.Lines |> Array.tryFind (fun l -> l.StartsWith(name + " ")) with
    | Some line -> line.Substring(name.Length).Trim()
    | None -> failtestf "no field %s in:\n%s" name o.Text

let idText (id: Guid) = id.ToString "D"

let binary = [| 0uy; 255uy; 13uy; 10uy; 200uy; 1uy; 65uy |]

// ---------------------------------------------------------------------------
// Help and usage errors: nothing is sent, so no server is needed

let subcommands =
    [ "add"; "schedule"; "run"; "result"; "lease"; "complete"; "fail"; "touch"; "delete"; "failed"; "requeue"
      "requeue-failed"; "recur"; "recur add"; "recur list"; "recur remove"; "inspect"
      "inspect job"; "inspect jobs"; "inspect scheduled-jobs"; "inspect queue"; "inspect queues"; "inspect server" ]

let help =
    testList "help" [
        testCaseAsync "workq --help: the commands, examples and every exit code" (async {
            do! task {
                    let! o = offline [ "--help" ]
                    expectCode o 0 "--help"
                    Expect.isEmpty o.Err "nothing on stderr"
                    Expect.stringContains o.Text "workq [command] [options]" "usage line"
                    for command in subcommands |> List.filter (fun c -> not (c.Contains ' ')) do
                        Expect.stringContains o.Text $"\n  {command} " $"lists {command}"
                    Expect.stringContains o.Text "--server <HOST:PORT>" "the server option"
                    Expect.stringContains o.Text "WORKQ_SERVER" "the environment variable"
                    Expect.stringContains o.Text "Examples:" "examples"
                    for line in [ "0  ok"; "1  server error"; "2  usage error"; "3  timeout"; "4  not found"; "5  refused"
                                  "6  connection failure"; "7  the job's result is a failure" ] do
                        Expect.stringContains o.Text line $"exit code line '{line}'"
                    // The same environment for both: the default --server shown depends on it.
                    let env = [ "WORKQ_SERVER", "workq.example:9922" ]
                    let! long = runTool env [||] CancellationToken.None [ "--help" ]
                    let! short = runTool env [||] CancellationToken.None [ "-h" ]
                    Expect.stringContains long.Text "[default: workq.example:9922]" "the default server, from WORKQ_SERVER"
                    Expect.equal short.Text long.Text "-h is --help"
                    let! version = offline [ "--version" ]
                    expectCode version 0 "--version"
                    Expect.stringStarts version.Text "workq " "the tool's version"
                } |> Async.AwaitTask
        })

        testCaseAsync "every subcommand has --help: its usage, options and the exit codes" (async {
            do! task {
                    for command in subcommands do
                        let words = command.Split ' ' |> List.ofArray
                        let! o = offline (words @ [ "--help" ])
                        expectCode o 0 $"{command} --help"
                        Expect.isEmpty o.Err $"{command} --help: nothing on stderr"
                        Expect.stringContains o.Text $"Usage:\n  workq {command}" $"{command} --help: usage line"
                        Expect.stringContains o.Text "Exit codes: 0 ok" $"{command} --help: exit codes"
                    let! add = offline [ "add"; "--help" ]
                    for option in [ "--ttr"; "--ttl"; "--id"; "--priority"; "--max-attempts"; "--max-fails"; "--backoff"; "--file"; "--stdin"; "--server" ] do
                        Expect.stringContains add.Text option $"add --help names {option}"
                    Expect.stringContains add.Text "workq add ping hello" "add's examples"
                    // --help wins over a command line that is otherwise incomplete.
                    let! o = offline [ "add"; "q"; "--help" ]
                    expectCode o 0 "add q --help"
                } |> Async.AwaitTask
        })
    ]

let usage =
    testList "usage errors" [
        testCaseAsync "exit 2 with one line naming the command, before anything is sent" (async {
            do! task {
                    let someId = idText (Guid.CreateVersion7())
                    let cases =
                        [ [], "workq", "a command is needed"
                          [ "bogus" ], "workq", "unknown command 'bogus'"
                          [ "inspect" ], "workq inspect", "a command is needed, one of: job, jobs"
                          [ "inspect"; "jobz" ], "workq inspect", "unknown command 'jobz'"
                          [ "add"; "q"; "x" ], "workq add", "'--ttr' is required"
                          [ "add"; "q"; "x"; "y"; "--ttr"; "1s"; "--ttl"; "1s" ], "workq add", "unexpected argument 'y'"
                          [ "add"; "q"; "--ttr"; "5x"; "--ttl"; "1m" ], "workq add", "--ttr: '5x' is not a duration"
                          [ "add"; "q"; "--ttr"; "0"; "--ttl"; "1m" ], "workq add", "--ttr: must be more than 0"
                          [ "add"; "q"; "--ttr"; "1s"; "--ttl"; "1m"; "--priority"; "high" ], "workq add", "--priority: 'high' is not a whole number"
                          [ "add"; "q"; "--ttr"; "1s"; "--ttl"; "1m"; "--max-attempts"; "256" ], "workq add", "--max-attempts: 256 is out of range"
                          [ "add"; "q"; "--ttr"; "1s"; "--ttl"; "1m"; "--id"; "not-a-uuid" ], "workq add", "--id: 'not-a-uuid' is not a job id"
                          [ "add"; "q"; "--ttr"; "1s"; "--ttl"; "1m"; "--id"; "00000000-0000-0000-0000-000000000000" ], "workq add", "is not a job id"
                          [ "add"; "q"; "x"; "--stdin"; "--ttr"; "1s"; "--ttl"; "1m" ], "workq add", "one way only"
                          [ "add"; "q"; "--file"; "/nonexistent/payload"; "--ttr"; "1s"; "--ttl"; "1m" ], "workq add", "cannot read the payload file"
                          [ "schedule"; "q"; "--time"; "tomorrow"; "--ttr"; "1s"; "--ttl"; "1m" ], "workq schedule", "--time: 'tomorrow' is not a time"
                          [ "run"; "q"; "--ttr"; "1s" ], "workq run", "'--wait' is required"
                          [ "result"; "123" ], "workq result", "ID: '123' is not a job id"
                          [ "result"; someId; "--json"; "--base64" ], "workq result", "--json and --base64 do not go together"
                          [ "lease" ], "workq lease", "required argument missing"
                          [ "lease"; "q"; "--wait"; "-1s" ], "workq lease", "--wait"
                          [ "complete"; someId; "x"; "--file"; "/tmp" ], "workq complete", "one way only"
                          [ "inspect"; "queues"; "--limit"; "101" ], "workq inspect queues", "--limit: 101 is out of range (1 to 100)"
                          [ "inspect"; "jobs"; "q"; "--offset"; "-1" ], "workq inspect jobs", "--offset"
                          [ "--server"; "nohost"; "inspect"; "server" ], "workq inspect server", "'nohost' is not a server address" ]
                    for args, command, text in cases do
                        let! o = offline args
                        expectFailure o 2 command text (String.Join(" ", args))
                    let! o = offline [ "add"; "q" ]
                    Expect.stringContains o.Err "(see 'workq add --help')" "points to the help"
                } |> Async.AwaitTask
        })

        testCaseAsync "a payload over Workq's 1 MiB limit is refused before it is sent" (async {
            do! task {
                    let big = Array.create (1024 * 1024 + 1) (byte 'x')
                    let! o = offlineWithInput big [ "add"; "q"; "-"; "--ttr"; "1s"; "--ttl"; "1m" ]
                    expectFailure o 2 "workq add" "larger than Workq's limit of 1048576 bytes" "stdin over 1 MiB"
                } |> Async.AwaitTask
        })
    ]

// ---------------------------------------------------------------------------
// Connections

let connection =
    testList "connections" [
        testCaseAsync "a refused connection is exit 6; WORKQ_SERVER names the server" (async {
            do! task {
                    let port = closedPort ()
                    let! o = offline [ "--server"; $"127.0.0.1:{port}"; "inspect"; "server" ]
                    expectFailure o 6 "workq inspect server" $"127.0.0.1:{port}" "--server"
                    let! o = runTool [ "WORKQ_SERVER", $"127.0.0.1:{port}" ] [||] CancellationToken.None [ "inspect"; "queues" ]
                    expectFailure o 6 "workq inspect queues" $"127.0.0.1:{port}" "WORKQ_SERVER"
                } |> Async.AwaitTask
        })

        serverTest "WORKQ_SERVER reaches the server; --server wins over it" (fun ep ->
            task {
                let! o = runTool [ "WORKQ_SERVER", addressOf ep ] [||] CancellationToken.None [ "inspect"; "server" ]
                expectCode o 0 "WORKQ_SERVER"
                let env = [ "WORKQ_SERVER", $"127.0.0.1:{closedPort ()}" ]
                let! o = runTool env [||] CancellationToken.None [ "inspect"; "server"; "--server"; addressOf ep ]
                expectCode o 0 "--server after the subcommand, over WORKQ_SERVER"
            })

        testCaseAsync "-SERVER-ERROR, and an error code the tool does not know, are exit 1" (async {
            let reply (line: string) =
                if line.StartsWith "delete " then "-SERVER-ERROR log not writable\r\n" else "-BUSY try later\r\n"
            use server = new ScriptedServer(reply)
            do! task {
                    let id = idText (Guid.CreateVersion7())
                    let! o = offline [ "--server"; server.Address; "delete"; id ]
                    expectFailure o 1 "workq delete" "server error: log not writable" "SERVER-ERROR"
                    let! o = offline [ "--server"; server.Address; "inspect"; "job"; id ]
                    expectFailure o 1 "workq inspect job" "-BUSY try later" "an unknown code"
                } |> Async.AwaitTask
        })

        serverTest "Ctrl-C (the token) stops a waiting lease: exit 130" (fun ep ->
            task {
                use cts = new CancellationTokenSource(TimeSpan.FromMilliseconds 300.0)
                let! o = runTool [] [||] cts.Token [ "--server"; addressOf ep; "lease"; "idle"; "--wait"; "1m" ]
                expectFailure o 130 "workq lease" "cancelled" "cancelled"
            })
    ]

// ---------------------------------------------------------------------------
// The commands against the server

let submit =
    testList "add, schedule" [
        serverTest "add prints a new UUIDv7; the job has the given options" (fun ep ->
            task {
                let! o =
                    workq ep [ "add"; "ping"; "hello"; "--ttr"; "5s"; "--ttl"; "1h30m"; "--priority"; "-3"
                               "--max-attempts"; "3"; "--max-fails"; "2" ]
                let id = printedId o
                Expect.equal id.Version 7 "a version 7 UUID"
                Expect.isEmpty o.Err "nothing on stderr"
                let! info = workq ep [ "inspect"; "job"; idText id; "--json" ]
                expectCode info 0 "inspect job --json"
                let j = info.Json
                Expect.equal (str j "id", str j "name", str j "state", str j "payload") (idText id, "ping", "NEW", "hello") "the job"
                Expect.equal (int64Of j "priority", int64Of j "ttr", int64Of j "ttl") (-3L, 5000L, 5_400_000L) "priority, ttr, ttl in ms"
                Expect.equal (int64Of j "maxAttempts", int64Of j "maxFails", int64Of j "attempts") (3L, 2L, 0L) "limits"
                Expect.equal (j.GetProperty("time").ValueKind) JsonValueKind.Null "no time for an added job"
            })

        serverTest "-- ends the options: doc/cli.md's `workq add q --ttr 5s --ttl 1m -- --x` adds the payload --x" (fun ep ->
            task {
                let! o = workq ep [ "add"; "q"; "--ttr"; "5s"; "--ttl"; "1m"; "--"; "--x" ]
                printedId o |> ignore
                let! job = leaseJob ep "q"
                Expect.equal (str job "payload") "--x" "the payload"
                let! o = workq ep [ "add"; "q"; "--"; "--x"; "--ttr"; "5s" ]
                expectFailure o 2 "workq add" "unexpected argument '--ttr'" "an option after --"
            })

        serverTest "add --id uses that id; the same id again is refused: exit 5" (fun ep ->
            task {
                let id = Guid.CreateVersion7()
                let! o = workq ep [ "add"; "q"; "--id"; idText id; "--ttr"; "1s"; "--ttl"; "1m" ]
                Expect.equal (printedId o) id "the id given"
                let! again = workq ep [ "add"; "q"; "--id"; idText id; "--ttr"; "1s"; "--ttl"; "1m" ]
                expectFailure again 5 "workq add" "refused by the server: Duplicate job" "a duplicate"
            })

        serverTest "the server's client errors are exit 5, with its text" (fun ep ->
            task {
                let! o = workq ep [ "add"; "q"; "--ttr"; "2d"; "--ttl"; "1m" ]
                expectFailure o 5 "workq add" "Invalid TTR" "a TTR over a day"
                let! o = workq ep [ "add"; "no$such"; "--ttr"; "1s"; "--ttl"; "1m" ]
                expectFailure o 5 "workq add" "Invalid Name" "a bad name"
                let! o = workq ep [ "lease"; "q"; "--wait"; "2d" ]
                expectFailure o 5 "workq lease" "Invalid wait timeout" "a wait over a day"
            })

        serverTest "payloads from a file, from stdin (- and --stdin), byte for byte; an empty one by default" (fun ep ->
            task {
                let path = Path.GetTempFileName()
                try
                    File.WriteAllBytes(path, binary)
                    let! fromFile = workq ep [ "add"; "bin"; "--file"; path; "--ttr"; "5s"; "--ttl"; "1m" ]
                    let! dash = workqWithInput ep (Array.append binary [| 1uy |]) [ "add"; "bin"; "-"; "--ttr"; "5s"; "--ttl"; "1m" ]
                    let! flag = workqWithInput ep (Array.append binary [| 2uy |]) [ "add"; "bin"; "--stdin"; "--ttr"; "5s"; "--ttl"; "1m" ]
                    let! none = workq ep [ "add"; "bin"; "--ttr"; "5s"; "--ttl"; "1m" ]
                    let expected =
                        [ printedId fromFile, binary
                          printedId dash, Array.append binary [| 1uy |]
                          printedId flag, Array.append binary [| 2uy |]
                          printedId none, [||] ]
                    for id, payload in expected do
                        let! o = workq ep [ "lease"; "bin" ]
                        expectCode o 0 "lease"
                        Expect.equal o.Out payload "the payload, raw on stdout"
                        Expect.stringContains o.Err (idText id) "stderr names the job, in order of adding"
                        Expect.stringContains o.Err $"payload {payload.Length} bytes" "and the payload's size"
                finally
                    File.Delete path
            })

        serverTest "schedule: the job waits in scheduled-jobs until its time" (fun ep ->
            task {
                let! o = workq ep [ "schedule"; "later"; "hi there"; "--time"; "+1h"; "--ttr"; "5s"; "--ttl"; "1m" ]
                let later = printedId o
                let! table = workq ep [ "inspect"; "scheduled-jobs"; "later" ]
                expectCode table 0 "inspect scheduled-jobs"
                let rows = cells table
                Expect.equal rows[0] [| "ID"; "TIME"; "STATE"; "PRIORITY"; "ATTEMPTS"; "FAILS"; "TTR"; "TTL"; "SIZE"; "PAYLOAD" |] "the header"
                Expect.equal rows.Length 2 "one job"
                Expect.equal (rows[1][0]) (idText later) "its id"
                Expect.equal (rows[1][9..]) [| "hi"; "there" |] "its payload"
                let! json = workq ep [ "inspect"; "scheduled-jobs"; "later"; "--json" ]
                let job = json.Json[0]
                let time = DateTimeOffset.Parse(str job "time")
                Expect.isTrue ((time - DateTimeOffset.UtcNow.AddHours 1.0).Duration() < TimeSpan.FromMinutes 5.0) $"about an hour ahead: {time}"
                let! ready = workq ep [ "inspect"; "jobs"; "later"; "--json" ]
                Expect.equal (ready.Json.GetArrayLength()) 0 "not ready"
                let! lease = workq ep [ "lease"; "later" ]
                expectCode lease 3 "nothing to lease yet"
                // A time in the past is taken while time + TTL is ahead: the job is ready at once.
                let past = DateTimeOffset.UtcNow.AddSeconds(-5.0).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
                let! o = workq ep [ "schedule"; "now"; "--time"; past; "--ttr"; "5s"; "--ttl"; "1m" ]
                let now = printedId o
                let! leased = leaseJob ep "now"
                Expect.equal (str leased "id") (idText now) "ready at once"
                let! o = workq ep [ "schedule"; "gone"; "--time"; "2020-01-01T00:00:00Z"; "--ttr"; "5s"; "--ttl"; "1m" ]
                expectFailure o 5 "workq schedule" "Invalid Time" "time + ttl already past"
            })
    ]

let work =
    testList "lease, complete, fail, result, run" [
        serverTest "lease: raw payload with a line on stderr, --json, --base64; none in time is exit 3" (fun ep ->
            task {
                let! a = addJob ep "a" "first" []
                let! b = addJob ep "b" "second" [ "--priority"; "5" ]
                let! c = addJob ep "a" "third" []
                let! o = workq ep [ "lease"; "a"; "b"; "--json" ]
                expectCode o 0 "lease a b --json"
                let j = o.Json
                Expect.equal (str j "id", str j "name", int64Of j "ttr") (idText b, "b", 5000L) "the best job of either queue"
                Expect.equal (int64Of j "attempts", int64Of j "fails") (1L, 0L) "its counts"
                Expect.equal (str j "payload", str j "payloadBase64", int64Of j "payloadSize") ("second", "c2Vjb25k", 6L) "payload"
                let! o = workq ep [ "lease"; "a"; "--base64" ]
                expectCode o 0 "lease --base64"
                Expect.equal o.Text "Zmlyc3Q=\n" "base64 and a line end"
                Expect.stringContains o.Err (idText a) "stderr names the job"
                let! o = workq ep [ "lease"; "a" ]
                Expect.equal o.Text "third" "raw: the bytes and nothing else"
                Expect.equal o.Err $"job {idText c} from a, ttr 5s, attempt 1, fails 0, payload 5 bytes\n" "stderr: the job"
                let! o = workq ep [ "lease"; "a"; "--wait"; "0" ]
                expectFailure o 3 "workq lease" "no job came within 0s" "an empty queue, no wait"
                let! o = workq ep [ "lease"; "a"; "--wait"; "200ms"; "--json" ]
                expectFailure o 3 "workq lease" "no job came within 200ms" "an empty queue, a short wait"
            })

        serverTest "complete with an argument, then result: raw, --json, --base64; a second answer is exit 5" (fun ep ->
            task {
                let! id = addJob ep "ping" "ping" []
                let! _ = leaseJob ep "ping"
                let! o = workq ep [ "complete"; idText id; "pong" ]
                expectCode o 0 "complete"
                Expect.isEmpty o.Out "complete prints nothing"
                let! o = workq ep [ "result"; idText id ]
                expectCode o 0 "result"
                Expect.equal o.Text "pong" "the result, raw"
                Expect.equal o.Err $"job {idText id} completed, result 4 bytes\n" "stderr: the outcome"
                let! o = workq ep [ "result"; idText id; "--json" ]
                let j = o.Json
                Expect.equal (str j "id", j.GetProperty("success").GetBoolean(), str j "result") (idText id, true, "pong") "JSON"
                Expect.equal (str j "resultBase64", int64Of j "resultSize") ("cG9uZw==", 4L) "JSON: the bytes"
                let! o = workq ep [ "result"; idText id; "--base64" ]
                Expect.equal o.Text "cG9uZw==\n" "base64"
                let! o = workq ep [ "complete"; idText id; "again" ]
                expectFailure o 5 "workq complete" "Duplicate result" "a second complete"
                let! o = workq ep [ "fail"; idText id; "late" ]
                expectFailure o 5 "workq fail" "Duplicate result" "a fail after complete"
            })

        serverTest "complete and fail take their result from a file and from stdin" (fun ep ->
            task {
                let path = Path.GetTempFileName()
                try
                    File.WriteAllBytes(path, binary)
                    let! x = addJob ep "q" "x" []
                    let! y = addJob ep "q" "y" []
                    let! o = workq ep [ "complete"; idText x; "--file"; path ]
                    expectCode o 0 "complete --file"
                    let! o = workqWithInput ep (Encoding.UTF8.GetBytes "it broke\n") [ "fail"; idText y; "-" ]
                    expectCode o 0 "fail -"
                    let! o = workq ep [ "result"; idText x ]
                    expectCode o 0 "a completed job"
                    Expect.equal o.Out binary "the file's bytes"
                    let! o = workq ep [ "result"; idText y; "--json" ]
                    expectCode o 7 "a failed job's result is exit 7"
                    Expect.equal (o.Json.GetProperty("success").GetBoolean(), str o.Json "result") (false, "it broke\n") "stdin's bytes"
                    let! o = workq ep [ "result"; idText y ]
                    expectCode o 7 "raw too"
                    Expect.equal o.Text "it broke\n" "the failure's result"
                    Expect.stringContains o.Err "failed" "stderr says it failed"
                finally
                    File.Delete path
            })

        serverTest "fail within --max-fails puts the job back (PENDING); the last one is final" (fun ep ->
            task {
                let! id = addJob ep "retry" "x" [ "--max-fails"; "2" ]
                let! _ = leaseJob ep "retry"
                let! o = workqWithInput ep (Encoding.UTF8.GetBytes "one") [ "fail"; idText id; "--stdin" ]
                expectCode o 0 "first fail"
                let! o = workq ep [ "inspect"; "job"; idText id ]
                Expect.equal (field o "state", field o "fails") ("PENDING", "1/2") "back in its queue"
                let! _ = leaseJob ep "retry"
                let! o = workq ep [ "fail"; idText id; "two" ]
                expectCode o 0 "second fail"
                let! o = workq ep [ "result"; idText id ]
                expectCode o 7 "failed for good"
                Expect.equal o.Text "two" "the last fail's result"
            })

        serverTest "result waits with --wait; an unfinished job is exit 3" (fun ep ->
            task {
                let! id = addJob ep "slow" "x" []
                let! o = workq ep [ "result"; idText id ]
                expectFailure o 3 "workq result" "has not finished" "no wait"
                let! o = workq ep [ "result"; idText id; "--wait"; "150ms" ]
                expectFailure o 3 "workq result" "(waited 150ms)" "a short wait"
                let waiting = workq ep [ "result"; idText id; "--wait"; "30s" ]
                let! _ = leaseJob ep "slow"
                let! o = workq ep [ "complete"; idText id; "done" ]
                expectCode o 0 "complete"
                let! o = within 20.0 "the waiting result" waiting
                expectCode o 0 "the result came"
                Expect.equal o.Text "done" "the result"
            })

        serverTest "run waits for a worker and prints its result; a failed run is exit 7, none in time exit 3" (fun ep ->
            task {
                let running = workq ep [ "run"; "fg"; "ping"; "--ttr"; "5s"; "--wait"; "30s"; "--priority"; "2" ]
                let! job = leaseJob ep "fg"
                Expect.equal (str job "payload") "ping" "the run's payload"
                let! o = workq ep [ "complete"; str job "id"; "pong" ]
                expectCode o 0 "complete"
                let! o = within 20.0 "run" running
                expectCode o 0 "run"
                Expect.equal o.Text "pong" "the result, raw"
                Expect.stringContains o.Err "completed" "stderr: completed"

                let running = workq ep [ "run"; "fg"; "--ttr"; "5s"; "--wait"; "30s"; "--json" ]
                let! job = leaseJob ep "fg"
                let! o = workq ep [ "fail"; str job "id"; "nope" ]
                expectCode o 0 "fail"
                let! o = within 20.0 "run" running
                expectCode o 7 "a failed run"
                Expect.equal (o.Json.GetProperty("success").GetBoolean(), str o.Json "result") (false, "nope") "JSON"

                let! o = workq ep [ "run"; "nobody"; "--ttr"; "5s"; "--wait"; "0" ]
                expectFailure o 3 "workq run" "no worker finished job" "no worker"
            })

        serverTest "a job that is not there is exit 4, for every command on an id" (fun ep ->
            task {
                let id = idText (Guid.CreateVersion7())
                let cases =
                    [ [ "result"; id ], "workq result", $"no job {id}"
                      [ "result"; id; "--wait"; "1s" ], "workq result", $"no job {id}"
                      [ "complete"; id; "x" ], "workq complete", $"no job {id}"
                      [ "fail"; id ], "workq fail", $"no job {id}"
                      [ "delete"; id ], "workq delete", $"no job {id}"
                      [ "inspect"; "job"; id ], "workq inspect job", $"no job {id}" ]
                for args, command, text in cases do
                    let! o = workq ep args
                    expectFailure o 4 command text (String.Join(" ", args))
            })

        serverTest "a queue the server does not have: no jobs, counts of zero, exit 0" (fun ep ->
            task {
                let header = [| "NAME"; "READY"; "SCHEDULED"; "LEASED"; "WORKERS"; "FAILED" |]
                let! o = workq ep [ "inspect"; "queue"; "nosuch" ]
                expectCode o 0 "inspect queue"
                Expect.equal (cells o) [| header; [| "nosuch"; "0"; "0"; "0"; "0"; "0" |] |] "zeros"
                for what in [ "jobs"; "scheduled-jobs" ] do
                    let! o = workq ep [ "inspect"; what; "nosuch"; "--json" ]
                    expectCode o 0 $"inspect {what}"
                    Expect.equal (o.Json.GetArrayLength()) 0 $"inspect {what}: none"
            })

        serverTest "delete removes a job; a second delete is exit 4" (fun ep ->
            task {
                let! id = addJob ep "q" "x" []
                let! o = workq ep [ "delete"; idText id ]
                expectCode o 0 "delete"
                Expect.isEmpty o.Out "delete prints nothing"
                let! o = workq ep [ "inspect"; "job"; idText id ]
                expectCode o 4 "gone"
                let! o = workq ep [ "delete"; idText id ]
                expectFailure o 4 "workq delete" "no job" "again"
            })
    ]

let inspect =
    testList "inspect" [
        serverTest "inspect job: a field a line, and JSON" (fun ep ->
            task {
                let! id = addJob ep "ping" "two\nlines" [ "--max-attempts"; "4" ]
                let! _ = leaseJob ep "ping"
                let! o = workq ep [ "inspect"; "job"; idText id ]
                expectCode o 0 "inspect job"
                Expect.equal (field o "id", field o "name", field o "state") (idText id, "ping", "LEASED") "id, name, state"
                Expect.equal (field o "ttr", field o "ttl", field o "attempts", field o "fails") ("5s", "1m", "1/4", "0") "times and counts"
                Expect.equal (field o "payload-size", field o "payload") ("9", "two\\nlines") "the payload, escaped in one line"
                Expect.isTrue (DateTimeOffset.TryParse(field o "created") |> fst) "created is a time"
                let! o = workq ep [ "inspect"; "job"; idText id; "--json" ]
                Expect.equal (str o.Json "state", int64Of o.Json "attempts", str o.Json "payload") ("LEASED", 1L, "two\nlines") "JSON"
            })

        serverTest "inspect jobs: ready jobs in lease order, paged; a binary payload by its size" (fun ep ->
            task {
                let! low = addJob ep "q" "low" [ "--priority"; "-1" ]
                let! high = addJob ep "q" "high" [ "--priority"; "9" ]
                let! mid = addJob ep "q" "mid" []
                let! o = workqWithInput ep binary [ "add"; "q"; "-"; "--ttr"; "5s"; "--ttl"; "1m"; "--priority"; "-5" ]
                let bin = printedId o
                let! table = workq ep [ "inspect"; "jobs"; "q" ]
                expectCode table 0 "inspect jobs"
                let rows = cells table
                Expect.equal rows[0] [| "ID"; "STATE"; "PRIORITY"; "ATTEMPTS"; "FAILS"; "TTR"; "TTL"; "SIZE"; "PAYLOAD" |] "the header"
                Expect.equal (rows[1..] |> Array.map (fun r -> r[0])) (Array.map idText [| high; mid; low; bin |]) "lease order"
                Expect.equal (rows[1][1..]) [| "NEW"; "9"; "0"; "0"; "5s"; "1m"; "4"; "high" |] "a row"
                Expect.stringContains (table.Lines[4]) "(7 bytes, not text)" "binary data by its size"
                let! page = workq ep [ "inspect"; "jobs"; "q"; "--offset"; "1"; "--limit"; "2"; "--json" ]
                let ids = [ for j in page.Json.EnumerateArray() -> str j "id" ]
                Expect.equal ids [ idText mid; idText low ] "offset 1, limit 2"
                let! last = workq ep [ "inspect"; "jobs"; "q"; "--offset"; "3"; "--json" ]
                let j = last.Json[0]
                Expect.equal (j.GetProperty("payload").ValueKind, j.GetProperty("payloadBase64").GetBytesFromBase64()) (JsonValueKind.Null, binary) "binary in JSON"
                let! past = workq ep [ "inspect"; "jobs"; "q"; "--offset"; "10" ]
                Expect.equal past.Lines.Length 1 "past the end: the header alone"
            })

        serverTest "inspect queue and queues: tables and JSON" (fun ep ->
            task {
                let! _ = addJob ep "alpha" "1" []
                let! _ = addJob ep "alpha" "2" []
                let! _ = addJob ep "beta" "3" []
                let! _ = workq ep [ "schedule"; "beta"; "--time"; "+1h"; "--ttr"; "5s"; "--ttl"; "1m" ]
                let! _ = leaseJob ep "alpha"
                let! o = workq ep [ "inspect"; "queues" ]
                expectCode o 0 "inspect queues"
                let expected =
                    [| [| "NAME"; "READY"; "SCHEDULED"; "LEASED"; "WORKERS"; "FAILED" |]
                       [| "alpha"; "1"; "0"; "1"; "0"; "0" |]
                       [| "beta"; "1"; "1"; "0"; "0"; "0" |] |]
                Expect.equal (cells o) expected "the table"
                let! o = workq ep [ "inspect"; "queues"; "--offset"; "1"; "--json" ]
                let queues = [ for q in o.Json.EnumerateArray() -> str q "name", int64Of q "ready", int64Of q "scheduled" ]
                Expect.equal queues [ "beta", 1L, 1L ] "the second page's queue"
                let! o = workq ep [ "inspect"; "queue"; "alpha" ]
                Expect.equal (cells o) [| [| "NAME"; "READY"; "SCHEDULED"; "LEASED"; "WORKERS"; "FAILED" |]; [| "alpha"; "1"; "0"; "1"; "0"; "0" |] |] "one queue"
                let! o = workq ep [ "inspect"; "queue"; "alpha"; "--json" ]
                Expect.equal (str o.Json "name", int64Of o.Json "leased", int64Of o.Json "workers") ("alpha", 1L, 0L) "JSON"
            })

        serverTest "inspect server: every key it reports, and JSON" (fun ep ->
            task {
                let! _ = addJob ep "q" "x" []
                let! o = workq ep [ "inspect"; "server" ]
                expectCode o 0 "inspect server"
                Expect.equal
                    (o.Lines |> Array.map (fun l -> l.Split(' ').[0]))
                    [| "active-clients"; "evicted-jobs"; "started"; "jobs"; "queues"; "stored-bytes"; "max-stored-bytes"
                       "failed-jobs"; "max-connections"; "rejected-connections"; "timed-out-requests"; "connection-bytes"
                       "connection-bytes-max"; "connection-bytes-peak"; "role"; "leader"; "term"; "commit-index" |]
                    "the keys, in order"
                Expect.equal (field o "jobs", field o "evicted-jobs") ("1", "0") "values"
                let! o = workq ep [ "inspect"; "server"; "--json" ]
                let j = o.Json
                Expect.isGreaterThanOrEqual (int64Of j "activeClients") 1L "this client"
                Expect.equal (int64Of j "jobs", int64Of j "queues", int64Of j "evictedJobs") (1L, 1L, 0L) "counts"
                Expect.equal (str (j.GetProperty "keys") "jobs") "1" "the keys as sent"
                Expect.isTrue (DateTimeOffset.TryParse(str j "started") |> fst) "started is a time"
            })
    ]

// ---------------------------------------------------------------------------
// Failed and recurring work

let failedAndRecurring =
    testList "failed and recurring work" [
        serverTest "add --backoff and fail --retry-in: the retry waits, shown as retry-at; touch extends a lease" (fun ep ->
            task {
                let! o = workq ep [ "add"; "q"; "x"; "--ttr"; "5s"; "--ttl"; "1d"; "--max-fails"; "5"; "--backoff"; "1h" ]
                let id = printedId o
                let! leased = leaseJob ep "q"
                Expect.equal (int64Of leased "attempts", int64Of leased "fails") (1L, 0L) "a first attempt"
                let! o = workq ep [ "touch"; idText id ]
                expectCode o 0 "touch"
                let! o = workq ep [ "touch"; idText id; "--ttr"; "1m" ]
                expectCode o 0 "touch --ttr"
                let! o = workq ep [ "fail"; idText id; "busy" ]
                expectCode o 0 "fail"
                let! o = workq ep [ "inspect"; "job"; idText id ]
                let retryAt = DateTimeOffset.Parse(field o "retry-at")
                let wait = retryAt - DateTimeOffset.UtcNow
                Expect.isTrue (wait > TimeSpan.FromMinutes 45.0 && wait <= TimeSpan.FromMinutes 61.0) $"its back-off, an hour within a fifth: {wait}"
                let! o = workq ep [ "inspect"; "scheduled-jobs"; "q" ]
                Expect.equal (cells o |> Array.map (fun r -> r[0])) [| "ID"; idText id |] "waiting among the scheduled jobs"
                let! o = workq ep [ "touch"; idText id ]
                expectFailure o 4 "workq touch" $"no leased job {idText id}" "touch of a job not leased"
                // fail --retry-in names this retry's wait: 0, ready at once.
                let! o = workq ep [ "fail"; idText id; "again"; "--retry-in"; "0" ]
                expectCode o 0 "fail --retry-in 0"
                let! leased = leaseJob ep "q"
                Expect.equal (str leased "id", int64Of leased "fails") (idText id, 2L) "ready at once, its second fail counted"
                let! o = workq ep [ "fail"; idText id; "x"; "--retry-in"; "2h" ]
                expectFailure o 5 "workq fail" "Invalid Retry In" "a retry-in over an hour"
                let! o = workq ep [ "add"; "q"; "--ttr"; "1s"; "--ttl"; "1m"; "--backoff"; "soon" ]
                expectFailure o 2 "workq add" "--backoff: 'soon' is not a duration" "a bad back-off"
            })

        serverTest "failed lists a name's failed jobs; requeue and requeue-failed put them back" (fun ep ->
            task {
                let! a = addJob ep "mail" "first" []
                let! b = addJob ep "mail" "second" []
                let! o = workq ep [ "fail"; idText a; "bounced" ]
                expectCode o 0 "fail a"
                do! Task.Delay 20
                let! o = workq ep [ "fail"; idText b; "line\nbreak" ]
                expectCode o 0 "fail b"
                let! o = workq ep [ "failed"; "mail" ]
                expectCode o 0 "failed"
                let rows = cells o
                Expect.equal rows[0] [| "ID"; "FAILED"; "ATTEMPTS"; "FAILS"; "SIZE"; "PAYLOAD"; "RESULT" |] "the header"
                Expect.equal (rows[1..] |> Array.map (fun r -> r[0])) [| idText b; idText a |] "newest first"
                Expect.equal (Array.last rows[1]) "line\\nbreak" "the result, its line break escaped"
                let! o = workq ep [ "failed"; "mail"; "--json"; "--limit"; "1"; "--offset"; "1" ]
                let j = o.Json[0]
                Expect.equal (str j "id", str j "state", str j "result", str j "payload") (idText a, "FAILED", "bounced", "first") "JSON"
                Expect.isTrue (DateTimeOffset.TryParse(str j "failedAt") |> fst) "failedAt is a time"
                let! o = workq ep [ "inspect"; "queue"; "mail" ]
                expectCode o 0 "inspect queue of a name with only failed jobs"
                Expect.equal (cells o).[1].[0..4] [| "mail"; "0"; "0"; "0"; "0" |] "nothing ready, scheduled or leased: its failed jobs are listed by failed"
                let! o = workq ep [ "requeue"; idText a; "--ttl"; "1h" ]
                expectCode o 0 "requeue"
                let! o = workq ep [ "inspect"; "job"; idText a ]
                Expect.equal (field o "state", field o "ttl", field o "fails") ("NEW", "1h", "0") "a new series of attempts, its new TTL"
                let! o = workq ep [ "requeue"; idText a ]
                expectFailure o 5 "workq requeue" "Job not failed" "a job not failed"
                let! o = workq ep [ "requeue"; idText (Guid.CreateVersion7()) ]
                expectFailure o 4 "workq requeue" "no job" "an unknown job"
                let! o = workq ep [ "requeue-failed"; "mail" ]
                expectCode o 0 "requeue-failed"
                Expect.equal o.Text "1\n" "how many went back"
                let! o = workq ep [ "failed"; "mail"; "--json" ]
                Expect.equal (o.Json.GetArrayLength()) 0 "none failed any more"
                let! o = workq ep [ "inspect"; "queue"; "mail"; "--json" ]
                Expect.equal (int64Of o.Json "ready", int64Of o.Json "failed") (2L, 0L) "both ready again"
                let! o = workq ep [ "inspect"; "server"; "--json" ]
                Expect.equal (int64Of o.Json "failedJobs") 0L "the server's count"
            })

        serverTest "recur add, list and remove; a job at each occurrence; errors" (fun ep ->
            task {
                let! o = workq ep [ "recur"; "add"; "tick"; "q"; "* * * * * *"; "hello"; "--ttr"; "5s"; "--ttl"; "1m"; "--overlap"; "skip"; "--priority"; "2" ]
                expectCode o 0 "recur add"
                Expect.isEmpty o.Out "recur add prints nothing"
                let! o = workq ep [ "recur"; "add"; "daily"; "r"; "@daily"; "--ttr"; "1m"; "--ttl"; "1d"; "--backoff"; "30s" ]
                expectCode o 0 "recur add @daily"
                let! o = workq ep [ "recur"; "list" ]
                let rows = cells o
                Expect.equal rows[0] [| "KEY"; "NAME"; "CRON"; "NEXT"; "OVERLAP"; "TTR"; "TTL"; "PRIORITY"; "LAST"; "JOB"; "PAYLOAD" |] "the header"
                Expect.equal (rows[1..] |> Array.map (fun r -> r[0], r[1], r[2])) [| "daily", "r", "@daily"; "tick", "q", "*_*_*_*_*_*" |] "by key"
                let! leased = leaseJob ep "q"
                Expect.equal (str leased "payload") "hello" "an occurrence's job"
                let! o = workq ep [ "recur"; "list"; "--json"; "--offset"; "1" ]
                let t = o.Json[0]
                Expect.equal (str t "key", str t "overlap", int64Of t "priority", str t "lastJob") ("tick", "skip", 2L, str leased "id") "JSON"
                let! o = workq ep [ "recur"; "list"; "--json"; "--limit"; "1" ]
                Expect.equal (int64Of (o.Json[0]) "backoff") 30_000L "the back-off"
                let! o = workq ep [ "recur"; "remove"; "tick" ]
                expectCode o 0 "recur remove"
                let! o = workq ep [ "recur"; "remove"; "tick" ]
                expectFailure o 4 "workq recur remove" "no recurring definition tick" "removed already"
                let! o = workq ep [ "recur"; "add"; "bad"; "q"; "0 0 30 2 *"; "--ttr"; "5s"; "--ttl"; "1m" ]
                expectFailure o 5 "workq recur add" "Invalid Cron" "the 30th of February never comes"
                let! o = workq ep [ "recur"; "add"; "bad"; "q"; "@daily"; "--ttr"; "5s"; "--ttl"; "1m"; "--overlap"; "never" ]
                expectCode o 2 "--overlap never"
            })
    ]

// ---------------------------------------------------------------------------
// Values on the command line

let values =
    testList "durations and times" [
        testCase "durations: bare milliseconds, units and sums of them" (fun () ->
            for text, ms in [ "0", 0L; "5000", 5000L; "250ms", 250L; "30s", 30_000L; "5m", 300_000L; "2h", 7_200_000L
                              "1d", 86_400_000L; "1h30m", 5_400_000L; "1m0s500ms", 60_500L ] do
                match Durations.TryParse(text) with
                | true, d -> Expect.equal (int64 d.TotalMilliseconds) ms text
                | false, _ -> failtestf "%s should parse" text
            for bad in [ ""; "5x"; "ms"; "1.5s"; "-1s"; "1 s"; "s5"; "99999999999999999999" ] do
                Expect.isFalse (fst (Durations.TryParse(bad))) $"'{bad}' is not a duration"
            for ms, text in [ 0.0, "0s"; 250.0, "250ms"; 90_000.0, "1m30s"; 86_400_000.0, "1d"; 3_600_001.0, "1h1ms" ] do
                Expect.equal (Durations.Format(TimeSpan.FromMilliseconds ms)) text $"{ms} ms")

        testCase "times: ISO 8601 in UTC unless an offset is given, or +DURATION from now" (fun () ->
            let now = DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)
            for text, expected in [ "2026-12-01T09:00:00Z", DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)
                                    "2026-12-01T10:00:00+01:00", DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)
                                    "2026-12-01T09:00:00", DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero)
                                    "+90s", now.AddSeconds 90.0 ] do
                match Times.TryParse(text, now) with
                | true, t -> Expect.equal t expected text
                | false, _ -> failtestf "%s should parse" text
            Expect.isFalse (fst (Times.TryParse("soon", now))) "not a time"
            Expect.equal (Times.Format(DateTimeOffset(2026, 12, 1, 9, 0, 0, 5, TimeSpan.Zero))) "2026-12-01T09:00:00.005Z" "with ms"
            Expect.equal (Times.Format(DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours 1.0))) "2026-12-01T09:00:00Z" "in UTC")
    ]

[<Tests>]
let tests =
    testList "workq tool" [
        help
        usage
        failedAndRecurring
        connection
        submit
        work
        inspect
        values
    ]
