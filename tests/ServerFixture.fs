/// Starts a fresh Workq server on a free loopback port for one test.
module Workq.Tests.ServerFixture

open System
open System.Net
open System.Runtime.ExceptionServices
open System.Threading.Tasks
open Microsoft.Extensions.Hosting
open Microsoft.Extensions.Logging
open Workq.Host

// Warnings and errors only, to keep the test output readable; WORKQ_TEST_INFO=1 shows the
// servers' information lines too, to follow a failing test.
let private level =
    if isNull (System.Environment.GetEnvironmentVariable "WORKQ_TEST_INFO") then LogLevel.Warning else LogLevel.Information

let private quiet = Action<HostApplicationBuilder>(fun builder -> builder.Logging.SetMinimumLevel level |> ignore)

/// Every test server's HTTP side listens on a port of its own unless the test names one
/// (the flag given last wins): the default port would be shared by tests running at once.
let withOwnHttpPort (args: string seq) =
    match List.ofSeq args with
    | "cmdlog" :: _ as tool -> tool
    | flags -> "--http-listen" :: "127.0.0.1:0" :: flags

/// Starts an in-process server with the flags `args`, logging warnings and errors only.
let startServer (args: string[]) : Task<RunningServer> = WorkqServer.StartAsync(Array.ofSeq (withOwnHttpPort args), quiet)

let serverArgs = [| "--listen"; "127.0.0.1:0" |]

/// Runs `body` against a fresh server, then disposes the server whether the body
/// passed or failed (the body's failure is the one reported).
let withServer (body: IPEndPoint -> Task<unit>) : Task<unit> =
    task {
        let! server = startServer serverArgs
        let! failure =
            task {
                try
                    do! body server.EndPoint
                    return None
                with e ->
                    return Some(ExceptionDispatchInfo.Capture e)
            }
        do! server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds 10.0)
        failure |> Option.iter _.Throw()
    }

/// Runs `body`, then `cleanup` whether it passed or not; the body's failure is the one reported.
let tryFinallyTask (body: unit -> Task<'a>) (cleanup: unit -> Task<unit>) : Task<'a> =
    task {
        let! outcome =
            task {
                try
                    let! v = body ()
                    return Ok v
                with e ->
                    return Error(ExceptionDispatchInfo.Capture e)
            }
        do! cleanup ()
        match outcome with
        | Ok v -> return v
        | Error e -> return (e.Throw(); Unchecked.defaultof<'a>)
    }
