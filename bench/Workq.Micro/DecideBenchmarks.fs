namespace Workq.Micro

open BenchmarkDotNet.Attributes
open Workq.Domain
open Workq.Micro.Samples

/// Decisions on a server holding about ten thousand ready jobs: the cost of the
/// immutable maps and sets grows with it.
[<MemoryDiagnoser; OperationsPerSecond>]
type DecideBenchmarks() =
    let mutable state = State.initial t0
    let mutable leasedId = jobId 1
    let mutable now = t0
    let fresh = Request(producer, Add(newJob 999_999))
    let lease = Request(worker, Lease([ name ], WaitTimeout.none))
    let result = [| 1uy; 2uy |]

    [<Params(10_000)>]
    member val Jobs = 0 with get, set

    [<GlobalSetup>]
    member this.Setup() =
        state <- stateWith this.Jobs
        now <- t0 + int64 this.Jobs * 1L<ms> + 1000L<ms>
        leasedId <-
            (Decide.decide Limits.none now lease state).Replies
            |> List.pick (fun o ->
                match o.Reply with
                | LeaseOf job -> Some job.Id
                | _ -> None)

    /// One more job into the queue.
    [<Benchmark>]
    member _.Add() = Decide.decide Limits.none now fresh state

    /// A worker's round: lease the best job, then complete it.
    [<Benchmark>]
    member _.LeaseThenComplete() =
        let leased = Decide.decide Limits.none now lease state
        Decide.decide Limits.none now (Request(worker, Complete(leasedId, result))) leased.State
