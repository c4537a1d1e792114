/// A queue's questions answered from its indexes, against the same answers found by
/// walking its jobs.
module Workq.Properties.QueueProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Properties.Generators

/// Ready jobs as (priority, ready since): few priorities, so that runs of each are long.
let private readyJobs =
    Gen.listOf (Gen.zip (Gen.choose (-3, 3)) (Gen.choose (0, 50)))
    |> Gen.bind (fun jobs -> Gen.listOfLength jobs.Length jobId |> Gen.map (List.zip jobs))

let private queueOf (jobs: ((int * int) * JobId) list) =
    let name = JobName.tryCreate "q" |> Option.get
    let ready =
        jobs
        |> List.mapi (fun seq ((priority, since), id) -> { Priority = priority; Since = int64 since * 1L<ms>; Seq = int64 seq; Id = id })
        |> List.fold (fun keys key -> SortedKeys.add key keys) (Queue.empty name).Ready
    { Queue.empty name with Ready = ready }

let private tryMin (values: 'a list) = if values.IsEmpty then None else Some(List.min values)

[<Tests>]
let tests =
    testList "queue views" [
        testProperty "the oldest ready job, sought once per priority, is the least ready-since of all"
        <| Prop.forAll (Arb.fromGen readyJobs) (fun jobs ->
            let struct (oldest, exact) = Queue.oldestReady 64 (queueOf jobs)
            let expected = jobs |> List.map (fun ((_, since), _) -> int64 since * 1L<ms>) |> tryMin
            oldest = ValueOption.ofOption expected && exact)

        testProperty "past its limit of priorities it says it is not exact, and gives the oldest of those it saw"
        <| Prop.forAll (Arb.fromGen readyJobs) (fun jobs ->
            let struct (oldest, exact) = Queue.oldestReady 2 (queueOf jobs)
            let priorities = jobs |> List.map (fun ((p, _), _) -> p) |> List.distinct |> List.sortDescending
            let seen = priorities |> List.truncate 2
            let expected =
                jobs |> List.filter (fun ((p, _), _) -> List.contains p seen) |> List.map (fun ((_, since), _) -> int64 since * 1L<ms>) |> tryMin
            oldest = ValueOption.ofOption expected && exact = (priorities.Length <= 2))
    ]
