/// Typical inputs of the hot paths, built once: what a producer and a worker send, and
/// a server state holding about ten thousand jobs.
module Workq.Micro.Samples

open System.Text
open Workq.Domain

let t0 = 1_800_000_000_000L<ms>
let queue = "bench"
let payloadSize = 64
let payload = Array.init payloadSize (fun i -> byte 'a' + byte (i % 26))

let id text = JobId.tryParse text |> Option.get
let name = JobName.tryCreate queue |> Option.get
let ttr = Ttr.tryCreate 60_000L<ms> |> Option.get
let ttl = Ttl.tryCreate 600_000L<ms> |> Option.get

/// Version-7 ids, as the load generator sends them.
let jobId (n: int) = id (sprintf "0190a1b2-c3d4-7e5f-8a6b-%012d" n)

/// The lines as the host hands them to the core: Latin-1 text without the line end.
let addLine = sprintf "add %O %s 60000 600000 %d" (jobId 0) queue payloadSize
let leaseLine = sprintf "lease %s 5000" queue

let latin1 (s: string) = Encoding.Latin1.GetBytes s

let newJob n : NewJob =
    { Id = jobId n; Name = name; Ttr = ttr; Ttl = ttl; Priority = 0
      MaxAttempts = Limit.zero; MaxFails = Limit.zero; Backoff = RetryDelay.zero; Payload = payload }

let producer: ConnId = 1L
let worker: ConnId = 2L

/// Two connections and `count` ready jobs in one queue, added through the decider as a
/// server would, one millisecond apart.
let stateWith count =
    let connected =
        [ producer; worker ]
        |> List.fold (fun s c -> (Decide.decide Limits.none t0 (Connect c) s).State) (State.initial t0)
    seq { 1..count }
    |> Seq.fold (fun s n -> (Decide.decide Limits.none (t0 + int64 n * 1L<ms>) (Request(producer, Add(newJob n))) s).State) connected

/// A job as a lease reply carries it.
let leasedJob =
    let s = stateWith 1
    (Decide.decide Limits.none (t0 + 10L<ms>) (Request(worker, Lease([ name ], WaitTimeout.none))) s).Replies
    |> List.pick (fun o ->
        match o.Reply with
        | LeaseOf job -> Some job
        | _ -> None)
