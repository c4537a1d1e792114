/// Running the server in production: the HTTP side port (health, metrics), the metrics'
/// counts after a workload over TCP, readiness during replay and on a full disk, the
/// console log's formatters and what it says at each level, the shutdown timeout.
module Workq.Tests.OperationsTests

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Http
open System.Net.Sockets
open System.Text
open System.Text.Json
open System.Text.RegularExpressions
open System.Threading.Tasks
open Expecto
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Hosting
open Microsoft.Extensions.Logging
open Microsoft.Extensions.Options
open Workq.Domain
open Workq.Host
open Workq.Host.Configuration
open Workq.Host.Metrics
open Workq.Host.Network
open Workq.Tests.TcpTestClient
open Workq.Tests.ServerFixture
open Workq.Tests.ServerProcess
open Workq.Tests.IntegrationTests
open Workq.Tests.CommandLogTests

let private hour = 3_600_000

// ---------------------------------------------------------------------------
// HTTP and the Prometheus text format

let private http = new HttpClient(Timeout = TimeSpan.FromSeconds 30.0)

let private get (ep: IPEndPoint) (path: string) : Task<int * string> =
    task {
        use! response = http.GetAsync($"http://{ep}{path}")
        let! body = response.Content.ReadAsStringAsync()
        return int response.StatusCode, body
    }

/// One sample of a scrape: its name, its labels and its value.
type private Sample = { Name: string; Labels: Map<string, string>; Value: float }

let private sampleLine = Regex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
let private labelPair = Regex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")

let private parseScrape (text: string) : Sample list =
    [ for line in text.Split('\n') do
          if line <> "" && not (line.StartsWith "#") then
              let m = sampleLine.Match line
              if not m.Success then failtestf "not a Prometheus sample line: %s" line
              let labels =
                  labelPair.Matches m.Groups[2].Value
                  |> Seq.map (fun l -> l.Groups[1].Value, l.Groups[2].Value)
                  |> Map.ofSeq
              yield { Name = m.Groups[1].Value; Labels = labels; Value = Double.Parse(m.Groups[3].Value, Globalization.CultureInfo.InvariantCulture) } ]

let private scrape (ep: IPEndPoint) : Task<Sample list> =
    task {
        let! status, body = get ep "/metrics"
        Expect.equal status 200 "GET /metrics"
        return parseScrape body
    }

/// The value of the sample named `name` with exactly these labels (besides none other); 0 if absent.
let private valueOf (samples: Sample list) name (labels: (string * string) list) =
    let wanted = Map.ofList labels
    match samples |> List.filter (fun s -> s.Name = name && s.Labels = wanted) with
    | [ s ] -> s.Value
    | [] -> 0.0
    | many -> failtestf "%d samples of %s %A" many.Length name labels

let private command name outcome =
    [ "messaging_operation_name", name; "workq_outcome", outcome ]

let private jobEvent name = [ "workq_job_event", name ]

let private queueJobs queue state =
    [ "messaging_destination_name", queue; "workq_job_state", state ]

/// A free port on the loopback, for a server whose HTTP side must be known before it starts.
let private freePort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

// ---------------------------------------------------------------------------
// In-process servers, their HTTP side and their log

/// What a server logged: level, category and message, in order.
type private LogLine = { Level: LogLevel; Category: string; Message: string }

type private CapturedLog() =
    let lines = ConcurrentQueue<LogLine>()
    member _.Lines = List.ofSeq lines
    member _.Contains(text: string) = lines |> Seq.exists (fun l -> l.Message.Contains text)
    interface ILoggerProvider with
        member _.CreateLogger category =
            { new ILogger with
                member _.BeginScope _ = null
                member _.IsEnabled _ = true
                member _.Log(level, _, state, ex, formatter) =
                    lines.Enqueue { Level = level; Category = category; Message = formatter.Invoke(state, ex) } }
        member _.Dispose() = ()

/// Starts an in-process server with its HTTP side on a port of its own, logging at `level` into `log`.
let private startLogged (level: LogLevel) (log: CapturedLog) (args: string list) =
    WorkqServer.StartAsync(
        Array.ofSeq (withOwnHttpPort args),
        Action<HostApplicationBuilder>(fun builder ->
            builder.Logging.SetMinimumLevel level |> ignore
            builder.Logging.AddProvider log |> ignore))

/// Runs `body` with a server (its job and HTTP endpoints), then stops it.
let private withHttpServer (args: string list) (body: RunningServer -> Task<unit>) =
    task {
        let! server = startServer (Array.ofList args)
        return! tryFinallyTask (fun () -> body server) (fun () -> stop server)
    }

let private httpOf (server: RunningServer) =
    match server.HttpEndPoint with
    | NonNull ep -> ep
    | Null -> failtest "the server has no HTTP side"

// ---------------------------------------------------------------------------
// Tests

let private metricsTests =
    testList "metrics" [
        testTask "a workload over TCP, counted exactly: commands by command and outcome, job events, gauges, histograms" {
            do!
                withHttpServer [ "--listen"; "127.0.0.1:0" ] (fun server ->
                    task {
                        let a, b, c, d = newId (), newId (), newId (), newId ()
                        use! producer = connect server.EndPoint
                        use! worker = connect server.EndPoint
                        do! call producer (addReq a "mq" 60000 hour "a" []) ok
                        do! call producer (addReq b "mq" 60000 hour "b" []) ok
                        do! call producer (addReq c "mq" 60000 hour "c" []) ok
                        do! call producer (addReq c "mq" 60000 hour "c" []) (clientError "Duplicate job")
                        do! call worker "lease mq 1000\r\n" (leased a "mq" 60000 "a")
                        do! call worker (completeReq a "done") ok
                        do! call worker "lease mq 1000\r\n" (leased b "mq" 60000 "b")
                        do! call worker (failReq b "broken") ok
                        do! call producer $"delete {c}\r\n" ok
                        do! call producer $"result {d} 0\r\n" notFound
                        do! call worker "lease empty 0\r\n" timeout
                        do! call producer "bogus\r\n" (clientError "Unknown command")
                        do! call producer "lease\r\n" (clientError "Invalid command args")
                        // A lease that waits, answered by another connection's add.
                        do! send worker "lease later 10000\r\n"
                        do! waitForWorkers producer "later" 1
                        do! call producer (addReq d "later" 60000 hour "d" []) ok
                        do! expect worker (leased d "later" 60000 "d")
                        let! m = scrape (httpOf server)
                        let expected =
                            [ command "add" "ok", 4.0
                              command "add" "client-error", 1.0
                              command "lease" "ok", 3.0
                              command "lease" "timeout", 1.0
                              command "lease" "client-error", 1.0
                              command "complete" "ok", 1.0
                              command "fail" "ok", 1.0
                              command "delete" "ok", 1.0
                              command "result" "not-found", 1.0
                              command "unknown" "client-error", 1.0
                              // inspect queue, from waitForWorkers: at least one
                            ]
                        for labels, count in expected do
                            Expect.equal (valueOf m "workq_commands_total" labels) count $"commands %A{labels}"
                        Expect.isGreaterThanOrEqual (valueOf m "workq_commands_total" (command "inspect" "ok")) 1.0 "inspect"
                        for name, count in
                            [ "added", 4.0; "leased", 3.0; "completed", 1.0; "failed", 1.0; "deleted", 1.0
                              "retried", 0.0; "timed-out", 0.0; "expired", 0.0; "awoken", 0.0 ] do
                            Expect.equal (valueOf m "workq_job_events_total" (jobEvent name)) count $"job events: {name}"
                        Expect.equal (valueOf m "workq_connections_accepted_total" []) 2.0 "connections accepted"
                        Expect.equal (valueOf m "workq_connections_active" []) 2.0 "connections open"
                        // Gauges: mq holds a completed and a failed job, later a leased one.
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "mq" "failed")) 1.0 "failed in mq"
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "later" "leased")) 1.0 "leased in later"
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "later" "ready")) 0.0 "ready in later"
                        Expect.equal (valueOf m "workq_jobs" []) 3.0 "jobs held: a, b (finished) and d"
                        // Histograms: every answer timed; each lease's wait; each lease's end.
                        Expect.equal (valueOf m "workq_command_duration_seconds_count" (command "add" "ok")) 4.0 "add latencies"
                        Expect.equal (valueOf m "workq_command_duration_seconds_count" (command "lease" "ok")) 3.0 "lease latencies"
                        Expect.equal (valueOf m "workq_job_wait_duration_seconds_count" []) 3.0 "waits"
                        Expect.equal (valueOf m "workq_job_run_duration_seconds_count" (jobEvent "completed")) 1.0 "runs completed"
                        Expect.equal (valueOf m "workq_job_run_duration_seconds_count" (jobEvent "failed")) 1.0 "runs failed"
                        // The failed job, deleted: the gauge follows.
                        do! call producer $"delete {b}\r\n" ok
                        let! m = scrape (httpOf server)
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "mq" "failed")) 0.0 "failed in mq after its delete"
                        Expect.equal (valueOf m "workq_commands_total" (command "delete" "ok")) 2.0 "deletes"
                    })
        }

        testTask "retries and lease timeouts: counted, their runs timed by how they ended" {
            do!
                withHttpServer [ "--listen"; "127.0.0.1:0" ] (fun server ->
                    task {
                        let r, u = newId (), newId ()
                        use! c = connect server.EndPoint
                        // Failed once and retried, then completed.
                        do! call c (addReq r "rq" 60000 hour "r" [ "-max-fails=2" ]) ok
                        do! call c "lease rq 1000\r\n" (leased r "rq" 60000 "r")
                        do! call c (failReq r "again") ok
                        do! call c "lease rq 1000\r\n" (leased r "rq" 60000 "r")
                        do! call c (completeReq r "done") ok
                        // Leases of 100 ms that run out: back in the queue, then out of attempts.
                        do! call c (addReq u "uq" 100 hour "u" [ "-max-attempts=2" ]) ok
                        do! call c "lease uq 1000\r\n" (leased u "uq" 100 "u")
                        do! call c "lease uq 10000\r\n" (leased u "uq" 100 "u")
                        do! call c $"result {u} 10000\r\n" (resultOf u false "")
                        let! m = scrape (httpOf server)
                        for name, count in
                            [ "added", 2.0; "leased", 4.0; "retried", 1.0; "completed", 1.0; "timed-out", 2.0; "failed", 1.0 ] do
                            Expect.equal (valueOf m "workq_job_events_total" (jobEvent name)) count $"job events: {name}"
                        for name, count in [ "retried", 1.0; "completed", 1.0; "timed-out", 2.0 ] do
                            Expect.equal (valueOf m "workq_job_run_duration_seconds_count" (jobEvent name)) count $"runs: {name}"
                        // Each lease's wait, the requeued ones' from when they were back.
                        Expect.equal (valueOf m "workq_job_wait_duration_seconds_count" []) 4.0 "waits"
                        // The leases that ran out lasted their TTR at least.
                        let runSum = valueOf m "workq_job_run_duration_seconds_sum" (jobEvent "timed-out")
                        Expect.isGreaterThanOrEqual runSum 0.2 "the timed-out runs' length"
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "uq" "failed")) 1.0 "failed in uq"
                    })
        }

        testTask "queue labels are capped: the busiest queues are named, the rest summed as (other)" {
            do!
                withHttpServer [ "--listen"; "127.0.0.1:0" ] (fun server ->
                    task {
                        use! c = connect server.EndPoint
                        let extra = 5
                        let queues = [ for i in 1 .. StateGauges.MaxQueueLabels + extra -> $"q{i:D3}" ]
                        // The first queues hold two jobs, so they are the busiest.
                        let requests =
                            [ for i, q in List.indexed queues do
                                  yield addReq (newId ()) q 60000 hour "x" []
                                  if i < StateGauges.MaxQueueLabels then yield addReq (newId ()) q 60000 hour "x" [] ]
                        do! send c (String.concat "" requests)
                        for _ in requests do
                            do! expect c ok
                        let! m = scrape (httpOf server)
                        let ready = m |> List.filter (fun s -> s.Name = "workq_queue_jobs" && s.Labels["workq_job_state"] = "ready")
                        let named = ready |> List.map (fun s -> s.Labels["messaging_destination_name"]) |> Set.ofList
                        Expect.equal named.Count (StateGauges.MaxQueueLabels + 1) "distinct queue labels"
                        Expect.isTrue (named.Contains StateGauges.Other) "the rest, folded"
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs StateGauges.Other "ready")) (float extra) "jobs of the folded queues"
                        Expect.equal (valueOf m "workq_queue_jobs" (queueJobs "q001" "ready")) 2.0 "a busy queue by its name"
                        Expect.equal (ready |> List.sumBy _.Value) (float requests.Length) "every ready job, once"
                        Expect.equal (valueOf m "workq_queues" []) (float queues.Length) "queues"
                    })
        }

        logTest "the command log: appends and their bytes, fsyncs and their times, compactions" (fun dir ->
            task {
                do!
                    withHttpServer (List.ofArray (logArgs dir [ "--cmdlog-sync"; "always" ])) (fun server ->
                        task {
                            use! c = connect server.EndPoint
                            let n = 5
                            for _ in 1..n do
                                do! call c (addReq (newId ()) "lq" 60000 hour "payload" []) ok
                            let! m = scrape (httpOf server)
                            // One client, one request at a time: one append each.
                            Expect.equal (valueOf m "workq_cmdlog_appends_total" []) (float n) "appends"
                            let segment = Directory.GetFiles(dir, "*.wql") |> Array.exactlyOne
                            Expect.equal (valueOf m "workq_cmdlog_written_bytes_total" []) (float (FileInfo(segment).Length - 16L)) "bytes: the segment past its header"
                            let fsyncs = valueOf m "workq_cmdlog_fsyncs_total" []
                            Expect.isGreaterThanOrEqual fsyncs (float n) "an fsync per append (sync always)"
                            Expect.isGreaterThanOrEqual (valueOf m "workq_cmdlog_fsync_duration_seconds_count" []) (float n) "fsyncs timed"
                            Expect.equal (valueOf m "workq_cmdlog_write_failures_total" []) 0.0 "no failures"
                        })
                do!
                    withHttpServer (List.ofArray (logArgs dir [ "--cmdlog-clean-int"; "100" ])) (fun server ->
                        task {
                            use! c = connect server.EndPoint
                            do! call c (addReq (newId ()) "lq" 60000 hour "payload" []) ok
                            do!
                                eventually 15000 "a compaction" (fun () ->
                                    task {
                                        // The engine compacts after a batch, when due.
                                        let! _ = serverStat c "jobs"
                                        let! m = scrape (httpOf server)
                                        return valueOf m "workq_cmdlog_compactions_total" [ "workq_outcome", "ok" ] >= 1.0
                                    })
                        })
            })

        testTask "OTEL_EXPORTER_OTLP_ENDPOINT set: the metrics go to OTLP, with no HTTP side" {
            // A collector of one kind of request: OTLP over HTTP, protobuf.
            let port = freePort ()
            let collector = new HttpListener()
            collector.Prefixes.Add $"http://127.0.0.1:{port}/"
            collector.Start()
            let received = TaskCompletionSource<string * byte[]>(TaskCreationOptions.RunContinuationsAsynchronously)
            let serve =
                task {
                    while not received.Task.IsCompleted do
                        let! context = collector.GetContextAsync()
                        use body = new MemoryStream()
                        do! context.Request.InputStream.CopyToAsync body
                        let bytes = body.ToArray()
                        context.Response.StatusCode <- 200
                        context.Response.Close()
                        // The first export may come before any command was counted.
                        if (textOf bytes).Contains "workq.commands" then
                            received.TrySetResult((string context.Request.Url, bytes)) |> ignore
                }
            let environment =
                [ "OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{port}"
                  "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
                  "OTEL_METRIC_EXPORT_INTERVAL", "200" ]
            let exported () =
                withProcessIn environment None [ "--listen"; "127.0.0.1:0"; "--http-listen"; "none" ] (fun sp ->
                    task {
                        let! ep = endPointOf sp
                        use! c = connect ep
                        do! call c (addReq (newId ()) "oq" 60000 hour "x" []) ok
                        let! first = Task.WhenAny(received.Task, Task.Delay 30_000)
                        Expect.isTrue (first = (received.Task :> Task)) $"an OTLP export within 30 s; output:\n{sp.Text}"
                        let url, bytes = received.Task.Result
                        Expect.stringEnds url "/v1/metrics" "the metrics path"
                        let text = textOf bytes
                        for name in [ "workq.commands"; "workq.job.events"; "workq.connections.accepted"; "workq-server" ] do
                            Expect.stringContains text name $"{name} in the export"
                    })
            do! tryFinallyTask exported (fun () -> task { (collector :> IDisposable).Dispose() })
            ignore serve
        }

        test "every command's tag names it" {
            let cases = FSharp.Reflection.FSharpType.GetUnionCases typeof<Command>
            Expect.equal CommandNames.All.Length (cases.Length + 1) "the commands and unknown"
            for case in cases do
                let name = case.Name.ToLowerInvariant()
                Expect.equal CommandNames.All[case.Tag] name $"tag {case.Tag}"
                Expect.equal (CommandNames.OfLine $"{name} x y") case.Tag $"the line of {name}"
            Expect.equal CommandNames.All[CommandNames.Unknown] "unknown" "unknown"
            Expect.equal (CommandNames.OfLine "ADD x") CommandNames.Unknown "no other spelling"
        }
    ]

/// Starting with -http-listen on `port`, which is in use: refused in process and by the program.
let private portInUse (port: int) : Task<unit> =
    task {
        let! refused =
            task {
                try
                    let! server = startServer [| "--listen"; "127.0.0.1:0"; "--http-listen"; $"127.0.0.1:{port}" |]
                    do! stop server
                    return None
                with :? ListenAddressException as e ->
                    return Some e.Message
        }
        Expect.equal refused (Some $"cannot listen on 127.0.0.1:{port} (-http-listen): Address already in use") "in process"
        let! code, _, err = runToExit [ "--listen"; "127.0.0.1:0"; "--http-listen"; $"127.0.0.1:{port}" ]
        Expect.equal code 2 "exit code"
        Expect.stringContains err $"cannot listen on 127.0.0.1:{port} (-http-listen)" "the message"
    }

let private healthTests =
    testList "health" [
        testTask "/healthz and /readyz answer with a JSON body; -http-listen none has no HTTP side" {
            do!
                withHttpServer [ "--listen"; "127.0.0.1:0" ] (fun server ->
                    task {
                        let! status, body = get (httpOf server) "/healthz"
                        Expect.equal status 200 "/healthz"
                        use health = JsonDocument.Parse body
                        Expect.equal (health.RootElement.GetProperty("status").GetString()) "Healthy" "/healthz status"
                        let! status, body = get (httpOf server) "/readyz"
                        Expect.equal status 200 "/readyz"
                        use ready = JsonDocument.Parse body
                        let checks = [ for (c: JsonElement) in ready.RootElement.GetProperty("checks").EnumerateArray() -> c.GetProperty("name").GetString(), c.GetProperty("status").GetString() ]
                        Expect.equal checks [ "replay", "Healthy"; "cmdlog", "Healthy" ] "readiness checks"
                    })
            let! (server: RunningServer) = startServer [| "--listen"; "127.0.0.1:0"; "--http-listen"; "none" |]
            do! tryFinallyTask (fun () -> task { Expect.isNull server.HttpEndPoint "no HTTP side" }) (fun () -> stop server)
        }

        testTask "an HTTP port in use stops the start with a clear error" {
            let holder = new TcpListener(IPAddress.Loopback, 0)
            holder.Start()
            let port = (holder.LocalEndpoint :?> IPEndPoint).Port
            do! tryFinallyTask (fun () -> portInUse port) (fun () -> task { holder.Dispose() })
        }

        logTest "/readyz: not ready while the command log is replayed, ready after; /healthz answers all along" (fun dir ->
            task {
                // A snapshot, then a segment after it.
                do!
                    withClient dir [ "--cmdlog-clean-int"; "100" ] (fun c ->
                        task {
                            do! call c (addReq (newId ()) "rq" 60000 hour "before" []) ok
                            do!
                                eventually 15000 "a snapshot" (fun () ->
                                    task {
                                        // The engine compacts after a batch, when due.
                                        let! _ = serverStat c "jobs"
                                        return Directory.GetFiles(dir, "snapshot-*.wqs").Length > 0
                                    })
                        })
                let snapshot = Directory.GetFiles(dir, "snapshot-*.wqs") |> Array.exactlyOne
                let bytes = File.ReadAllBytes snapshot
                // The snapshot as a FIFO: the replay waits on it until the test writes it.
                File.Delete snapshot
                let mkfifo = Process.Start("mkfifo", [ snapshot ])
                do! mkfifo.WaitForExitAsync()
                Expect.equal mkfifo.ExitCode 0 "mkfifo"
                let port = freePort ()
                let httpEp = IPEndPoint(IPAddress.Loopback, port)
                let starting = Task.Run<RunningServer>(fun () -> startServer (logArgs dir [ "--http-listen"; $"127.0.0.1:{port}" ]))
                let mutable writer: Task = Task.CompletedTask
                do!
                    tryFinallyTask
                        (fun () ->
                            task {
                                do!
                                    eventually 30000 "the HTTP side answers during the replay" (fun () ->
                                        task {
                                            try
                                                let! status, _ = get httpEp "/healthz"
                                                return status = 200
                                            with :? HttpRequestException -> return false
                                        })
                                let! status, body = get httpEp "/readyz"
                                Expect.equal status 503 "/readyz during the replay"
                                Expect.stringContains body "replaying the command log" "why"
                                Expect.isFalse starting.IsCompleted "the server is still starting"
                                writer <-
                                    Task.Run(fun () ->
                                        use fifo = new FileStream(snapshot, FileMode.Open, FileAccess.Write)
                                        fifo.Write(bytes, 0, bytes.Length))
                                let! server = starting
                                do!
                                    tryFinallyTask
                                        (fun () ->
                                            task {
                                                let! status, _ = get httpEp "/readyz"
                                                Expect.equal status 200 "/readyz after the replay"
                                                use! c = connect server.EndPoint
                                                do! send c "inspect queue rq\r\n"
                                                let! queue = readInspect c
                                                Expect.isOk queue "the replayed queue"
                                            })
                                        (fun () -> stop server)
                            })
                        (fun () ->
                            task {
                                // Whatever failed above: a replay still waiting gets an empty
                                // snapshot (and fails), and a server that started is stopped.
                                if writer.IsCompleted && not starting.IsCompleted then
                                    writer <- Task.Run(fun () -> (new FileStream(snapshot, FileMode.Open, FileAccess.Write)).Dispose())
                                do! writer
                                try
                                    let! server = starting
                                    do! stop server
                                with _ ->
                                    ()
                            })
            })

        logTest "/readyz: not ready while the command log cannot be written (a full disk), ready again once it can" (fun mount ->
            onTmpfs mount (fun dir ->
                task {
                    let log = new CapturedLog()
                    let! server = startLogged LogLevel.Information log [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir ]
                    do!
                        tryFinallyTask
                            (fun () ->
                                task {
                                    use! c = connect server.EndPoint
                                    do! call c (addReq (newId ()) "q" 60000 hour "a" []) ok
                                    let! status, _ = get (httpOf server) "/readyz"
                                    Expect.equal status 200 "ready before"
                                    let filler = fillDisk mount
                                    do! send c (addReq (newId ()) "q" 60000 hour (String('x', 100_000)) [])
                                    let! reply = readLine c
                                    Expect.stringStarts reply "-SERVER-ERROR Command log write failed" "an add on a full disk"
                                    let! status, body = get (httpOf server) "/readyz"
                                    Expect.equal status 503 "not ready on a full disk"
                                    Expect.stringContains body "the command log cannot be written" "why"
                                    let! m = scrape (httpOf server)
                                    Expect.equal (valueOf m "workq_cmdlog_write_failures_total" []) 1.0 "the failure counted"
                                    Expect.equal (valueOf m "workq_commands_total" (command "add" "server-error")) 1.0 "the refused add"
                                    File.Delete filler
                                    do! call c (addReq (newId ()) "q" 60000 hour "b" []) ok
                                    let! status, _ = get (httpOf server) "/readyz"
                                    Expect.equal status 200 "ready again"
                                    let errors = log.Lines |> List.filter (fun l -> l.Level = LogLevel.Error && l.Message.Contains "cannot be written")
                                    Expect.equal errors.Length 1 $"the disk error, logged once: %A{log.Lines}"
                                    Expect.isTrue (log.Contains "The command log can be written again") "the recovery, logged"
                                })
                            (fun () -> stop server)
                }))
    ]

/// The first line of a process's output matching `pattern`, waited for.
let private lineOf (sp: ServerProcess) (pattern: string) =
    task {
        let matches (l: string) = l.Contains pattern
        do! eventually 30000 $"a line with \"{pattern}\"" (fun () -> task { return sp.Output |> Seq.exists matches })
        return sp.Output |> Seq.find matches
    }

let private stopGracefully (sp: ServerProcess) =
    task {
        use term = Process.Start("kill", [ "-TERM"; string sp.Process.Id ])
        do! term.WaitForExitAsync()
        do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 30.0)
    }

let private loggingTests =
    testList "logging" [
        testTask "by default: one line to start, with a UTC timestamp, where it listens and what it runs with; none per command" {
            do!
                withProcess [ "--listen"; "127.0.0.1:0" ] (fun sp ->
                    task {
                        let! ep = endPointOf sp
                        use! c = connect ep
                        for _ in 1..20 do
                            do! call c (addReq (newId ()) "q" 60000 hour "x" []) ok
                        close c
                        do! stopGracefully sp
                        let lines = List.ofSeq sp.Output
                        Expect.equal lines.Length 3 $"start, stopping, stopped; output:\n{sp.Text}"
                        Expect.isMatch lines[0] @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Workq\[1\] workq listening on 127\.0\.0\.1:\d+, HTTP on 127\.0\.0\.1:\d+; workq-server \S+; in memory" "the start line"
                        Expect.stringContains lines[1] "info: Workq[2] Stopping" "the stop"
                        Expect.stringContains lines[2] "info: Workq[3] workq-server stopped" "stopped"
                    })
        }

        logTest "the start line gives the command log, its sync policy and what the replay found" (fun dir ->
            task {
                do! withClient dir [] (fun c -> task { do! call c (addReq (newId ()) "q" 60000 hour "x" []) ok })
                do!
                    withProcess [ "--listen"; "127.0.0.1:0"; "--cmdlog-path"; dir; "--cmdlog-sync"; "always" ] (fun sp ->
                        task {
                            let! line = lineOf sp "workq listening on"
                            Expect.stringContains line $"command log {dir} (sync always): replayed 1 events, 1 jobs, in " "the log's figures"
                        })
            })

        testTask "Logging__Console__FormatterName=json: one JSON object per line" {
            do!
                withProcessIn [ "Logging__Console__FormatterName", "json" ] None [ "--listen"; "127.0.0.1:0" ] (fun sp ->
                    task {
                        let! line = lineOf sp "workq listening on"
                        use json = JsonDocument.Parse(line: string)
                        let root: JsonElement = json.RootElement
                        Expect.equal (root.GetProperty("LogLevel").GetString()) "Information" "level"
                        Expect.equal (root.GetProperty("Category").GetString()) "Workq" "category"
                        Expect.stringStarts (root.GetProperty("Message").GetString()) "workq listening on 127.0.0.1:" "message"
                        Expect.isTrue (root.TryGetProperty("Timestamp") |> fst) "a timestamp"
                    })
        }

        testTask "Logging__Console__FormatterName=systemd: a priority prefix, for journald" {
            do!
                withProcessIn [ "Logging__Console__FormatterName", "systemd" ] None [ "--listen"; "127.0.0.1:0" ] (fun sp ->
                    task {
                        let! line = lineOf sp "workq listening on"
                        // <6> is syslog's informational.
                        Expect.isMatch line @"^<6>.*Workq\[1\] workq listening on " "the line"
                    })
        }

        testTask "at Debug: connections open and close with the peer's address, bad requests, leases that run out, expiries" {
            do!
                withProcessIn [ "Logging__LogLevel__Default", "Debug" ] None [ "--listen"; "127.0.0.1:0" ] (fun sp ->
                    task {
                        let! ep = endPointOf sp
                        let id = newId ()
                        use! c = connect ep
                        let local = string c.Socket.LocalEndPoint
                        do! call c "bogus\r\n" (clientError "Unknown command")
                        // A lease of 100 ms that runs out; the job's TTL of 1 s too.
                        do! call c (addReq id "dq" 100 1000 "x" []) ok
                        do! call c "lease dq 1000\r\n" (leased id "dq" 100 "x")
                        close c
                        let! opened = lineOf sp $"opened from {local}"
                        Expect.stringContains opened "dbug: Workq.Host.Network.Listener" "connection opened"
                        let! _ = lineOf sp $"from {local} closed"
                        let! bad = lineOf sp "bad request: Unknown command"
                        Expect.stringContains bad "dbug:" "a bad request at Debug"
                        let! timedOut = lineOf sp $"Job {id} (dq): its lease ran out (TTR 100 ms)"
                        Expect.stringContains timedOut "dbug:" "a lease timeout at Debug"
                        let! _ = lineOf sp $"Job {id} (dq) expired"
                        ()
                    })
        }
    ]

let private shutdownTests =
    testList "start and stop" [
        testTask "NOTIFY_SOCKET set (systemd's Type=notify): READY=1 once the server serves, STOPPING=1 on SIGTERM" {
            let path = Path.Combine(Path.GetTempPath(), $"workq-notify-{Guid.NewGuid():N}.sock")
            let notifications = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified)
            notifications.Bind(UnixDomainSocketEndPoint path)
            let received () =
                task {
                    let buffer = Array.zeroCreate<byte> 4096
                    use timeout = new Threading.CancellationTokenSource(TimeSpan.FromSeconds 30.0)
                    let! n = notifications.ReceiveAsync(Memory buffer, SocketFlags.None, timeout.Token)
                    return Encoding.UTF8.GetString(buffer, 0, n)
                }
            do!
                tryFinallyTask
                    (fun () ->
                        withProcessIn [ "NOTIFY_SOCKET", path ] None [ "--listen"; "127.0.0.1:0" ] (fun sp ->
                            task {
                                let! ready = received ()
                                Expect.stringContains ready "READY=1" "the first notification"
                                // Ready means serving: both ports answer.
                                let! ep = endPointOf sp
                                use! c = connect ep
                                do! call c (addReq (newId ()) "q" 60000 hour "x" []) ok
                                close c
                                let! line = lineOf sp "workq listening on"
                                let http = Regex.Match(line, @"HTTP on (\S+);").Groups[1].Value
                                let! status, _ = get (IPEndPoint.Parse http) "/healthz"
                                Expect.equal status 200 "/healthz"
                                use term = Process.Start("kill", [ "-TERM"; string sp.Process.Id ])
                                let! stopping = received ()
                                Expect.stringContains stopping "STOPPING=1" "on SIGTERM"
                                do! sp.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 30.0)
                                Expect.equal sp.Process.ExitCode 0 "a clean stop"
                            }))
                    (fun () ->
                        task {
                            notifications.Dispose()
                            File.Delete path
                        })
        }

        testTask "-shutdown-timeout sets the host's" {
            let! (server: RunningServer) = startServer [| "--listen"; "127.0.0.1:0"; "--shutdown-timeout"; "2500" |]
            do!
                tryFinallyTask
                    (fun () ->
                        task {
                            let options = server.Host.Services.GetRequiredService<IOptions<HostOptions>>().Value
                            Expect.equal options.ShutdownTimeout (TimeSpan.FromMilliseconds 2500.0) "shutdown timeout"
                        })
                    (fun () -> stop server)
        }
    ]

[<Tests>]
let tests =
    testList "operations" [ metricsTests; healthTests; loggingTests; shutdownTests ]
