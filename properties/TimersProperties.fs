/// Timers keeps two trees but one order: checked against a plain list of the timers
/// added and not removed.
module Workq.Properties.TimersProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain

let private config = { FsCheckConfig.defaultConfig with maxTest = 200 }

let private ids = Generators.jobId |> Gen.sample 8

/// A timer from a small range of instants and numbers, so that runs collide on instants
/// (where the kind and arrival decide) and remove timers that are there.
let private timer =
    gen {
        let! at = Gen.choose (0, 20)
        let! seq = Gen.choose (0, 20)
        let! kind = Gen.choose (0, 3)
        let! id = Gen.elements ids
        let alarm =
            match kind with
            | 0 -> Wake id
            | 1 -> Expire id
            | 2 -> LeaseEnd id
            | _ -> WaitEnd(int64 seq)
        return Timer.Of(int64 at * 1L<ms>, int64 seq, alarm)
    }

type private Step =
    | Add of Timer
    | Remove of Timer

let private steps = Gen.listOf (Gen.oneof [ timer |> Gen.map Add; timer |> Gen.map Remove ])

let private same (a: Timer) (b: Timer) = Timer.Compare(a, b) = 0

let private apply (timers, model: Timer list) step =
    match step with
    | Add t -> Timers.add t timers, (if List.exists (same t) model then model else t :: model)
    | Remove t -> Timers.remove t timers, List.filter (same t >> not) model

[<Tests>]
let tests =
    testList "timers" [
        testPropertyWithConfig config "first is the least timer added and not removed, after every step" <|
            Prop.forAll (Arb.fromGen steps) (fun steps ->
                steps
                |> List.scan apply (Timers.empty, [])
                |> List.forall (fun (timers, model) ->
                    let least = model |> List.sortWith (fun a b -> Timer.Compare(a, b)) |> List.tryHead
                    let first = Timers.first timers
                    Timers.count timers = model.Length
                    && Timers.isEmpty timers = model.IsEmpty
                    && (match least, first with
                        | Some l, ValueSome f -> same l f && f.Alarm = l.Alarm
                        | None, ValueNone -> true
                        | _ -> false)))
    ]
