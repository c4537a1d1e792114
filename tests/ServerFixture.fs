/// Starts a fresh Workq server on a free loopback port for one test.
module Workq.Tests.ServerFixture

open System
open System.Net
open System.Runtime.ExceptionServices
open System.Threading.Tasks
open Workq.Host

// Warnings and errors only, to keep the test output readable.
let serverArgs = [| "--listen"; "127.0.0.1:0"; "--Logging:LogLevel:Default=Warning" |]

/// Runs `body` against a fresh server, then disposes the server whether the body
/// passed or failed (the body's failure is the one reported).
let withServer (body: IPEndPoint -> Task<unit>) : Task<unit> =
    task {
        let! server = WorkqServer.StartAsync serverArgs
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
