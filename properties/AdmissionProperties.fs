/// The connection's gate (`Admission`) over generated runs of requests and token checks,
/// against what a server with tokens promises: nothing reaches the engine before a good
/// token, every `auth` is checked, and a connection is closed at its third refusal since
/// its last good token, never sooner.
module Workq.Properties.AdmissionProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain

let private config = { FsCheckConfig.defaultConfig with maxTest = 500; endSize = 40 }

/// A request as the gate sees it, and whether its token (if it is checked) is one the
/// server has.
type private Step = { Parsed: Result<Command, ClientError>; TokenIsGood: bool }

let private step =
    gen {
        let! parsed =
            Gen.frequency
                [ 3, Generators.command |> Gen.map Ok
                  2, Generators.token |> Gen.map (Auth >> Ok)
                  1, Gen.elements [ UnknownCommand; InvalidArgs; InvalidToken; LineTooLong ] |> Gen.map Error ]
        let! good = Gen.elements [ true; false ]
        return { Parsed = parsed; TokenIsGood = good }
    }

/// What happened to a request: passed to the engine, checked, answered (and closed).
type private Outcome =
    | Passed
    | Checked of good: bool * Gate
    | Answered of Reply * close: bool

/// Runs the steps through the gate as a connection does, up to the step that closes it.
let private run (start: Admission) (steps: Step list) =
    let rec go admission steps acc =
        match steps with
        | [] -> List.rev acc
        | s :: rest ->
            let admission, gate = Admission.request admission s.Parsed
            let admission, outcome =
                match gate with
                | Pass -> admission, Passed
                | Check _ ->
                    let after, answer = Admission.afterCheck admission (if s.TokenIsGood then Some "name" else None)
                    after, Checked(s.TokenIsGood, answer)
                | Answer(reply, close) -> admission, Answered(reply, close)
            let acc = (s, outcome) :: acc
            match outcome with
            | Answered(_, true)
            | Checked(_, Answer(_, true)) -> List.rev acc
            | _ -> go admission rest acc
    go start steps []

let private runs = Gen.zip (Gen.elements [ None; Some "client-cert" ]) (Gen.listOf step) |> Arb.fromGen

let private property name body = testPropertyWithConfig config name (Prop.forAll runs body)

[<Tests>]
let tests =
    testList "admission" [
        property "without tokens, every request passes to the engine" (fun (certified, steps) ->
            run (Admission.start false certified) steps |> List.forall (fun (_, outcome) -> outcome = Passed))

        property "with tokens, a request passes only after a good token or a verified certificate" (fun (certified, steps) ->
            let mutable admitted = certified.IsSome
            run (Admission.start true certified) steps
            |> List.forall (fun (_, outcome) ->
                match outcome with
                | Passed -> admitted
                | Checked(good, _) ->
                    admitted <- good
                    true
                | Answered _ -> not admitted))

        property "with tokens, every auth is checked and nothing else is" (fun (certified, steps) ->
            run (Admission.start true certified) steps
            |> List.forall (fun (s, outcome) ->
                match s.Parsed, outcome with
                | Ok(Auth _), Checked _ -> true
                | Ok(Auth _), _ -> false
                | _, Checked _ -> false
                | _ -> true))

        property "a good token is answered +OK, a wrong one Authentication failed, the rest Authentication required"
            (fun (certified, steps) ->
                run (Admission.start true certified) steps
                |> List.forall (fun (_, outcome) ->
                    match outcome with
                    | Checked(true, Answer(reply, close)) -> reply = Done && not close
                    | Checked(false, Answer(reply, _)) -> reply = ClientError AuthenticationFailed
                    | Checked _ -> false
                    | Answered(reply, _) -> reply = ClientError AuthenticationRequired
                    | Passed -> true))

        property "a connection is closed at the third refusal since its last good token, never sooner" (fun (certified, steps) ->
            let mutable refusals = 0
            run (Admission.start true certified) steps
            |> List.forall (fun (_, outcome) ->
                let refused, close =
                    match outcome with
                    | Checked(true, _) ->
                        refusals <- 0
                        false, false
                    | Checked(false, Answer(_, close))
                    | Answered(_, close) -> true, close
                    | _ -> false, false
                if refused then refusals <- refusals + 1
                close = (refused && refusals = Admission.maxFailures)))
    ]
