module Workq.Properties.ProtocolProperties

open System
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Testing

/// Enough cases to cover the generators' edges, few enough to run in seconds.
let private config = { FsCheckConfig.defaultConfig with maxTest = 300; endSize = 60 }

let private property name (arb: Arbitrary<'a>) (body: 'a -> bool) =
    testPropertyWithConfig config name (Prop.forAll arb body)

let private latin1 (bytes: byte[]) = Encoding.Latin1.GetString bytes

let private indexOfCrlf (bytes: byte[]) (from: int) =
    let rec go i =
        if i + 1 >= bytes.Length then -1
        elif bytes.[i] = 13uy && bytes.[i + 1] = 10uy then i
        else go (i + 1)
    go from

let private isDataCommand =
    function
    | Add _
    | Schedule _
    | Run _
    | Complete _
    | Fail _ -> true
    | _ -> false

// ---- print, frame, parse ----------------------------------------------------------

/// Reads a printed request as the host does: the line, its frame, the data, the parse.
let private readBack (bytes: byte[]) : Result<Command, string> =
    let lineEnd = indexOfCrlf bytes 0
    if lineEnd < 0 then Error "no line end"
    else
        let line = latin1 bytes.[.. lineEnd - 1]
        let afterLine = lineEnd + 2
        match Framing.classify line with
        | Fatal e -> Error $"framing: {e}"
        | LineOnly when afterLine = bytes.Length -> Parser.parse line [||] |> Result.mapError string
        | LineOnly -> Error "bytes after a line-only command"
        | WithData size ->
            let dataEnd = afterLine + size
            if dataEnd + 2 <> bytes.Length || bytes.[dataEnd] <> 13uy || bytes.[dataEnd + 1] <> 10uy then
                Error "data not followed by exactly CR LF"
            else Parser.parse line bytes.[afterLine .. dataEnd - 1] |> Result.mapError string

let private roundTrip =
    property "print then parse gives the command back" (Arb.fromGen Generators.command) (fun command ->
        readBack (CommandWriter.toBytes command) = Ok command)

/// A command's payload or result; empty for commands that carry none.
let private dataOf =
    function
    | Add { Payload = d }
    | Schedule({ Payload = d }, _)
    | Run { Payload = d }
    | Complete(_, d)
    | Fail(_, d) -> d
    | _ -> [||]

let private framesDataCommands =
    property "framing: data commands are WithData their size, others LineOnly" (Arb.fromGen Generators.command) (fun command ->
        match Framing.classify (Generators.commandLine command) with
        | WithData n -> isDataCommand command && n = (dataOf command).Length
        | LineOnly -> not (isDataCommand command)
        | Fatal _ -> false)

// ---- totality ---------------------------------------------------------------------

let private lines =
    Gen.frequency [ 1, Generators.line; 1, Generators.mutatedLine; 2, Generators.tokenSoup ]

let private lineAndData = Gen.zip lines Generators.data |> Arb.fromGen

/// Whatever framing says, parse must not contradict it.
let private agrees (line: string) (data: byte[]) =
    match Framing.classify line, Parser.parse line data with
    | Fatal _, parsed -> Result.isError parsed
    | LineOnly, Ok command -> not (isDataCommand command)
    | WithData n, Ok command -> isDataCommand command && n = data.Length
    | _, Error _ -> true

let private totality =
    testList "totality" [
        property "parse and classify return on any line and data" lineAndData (fun (line, data) ->
            Parser.parse line data |> ignore
            Framing.classify line |> ignore
            Framing.badDataEnd line |> ignore
            true)
        property "parse agrees with framing" lineAndData (fun (line, data) -> agrees line data)
        property "parse agrees with framing, data of the framed size"
            (Arb.fromGen lines)
            (fun line ->
                match Framing.classify line with
                | WithData n -> agrees line (Array.zeroCreate n)
                | _ -> agrees line [||])
    ]

// ---- the plain-form reader ----------------------------------------------------------

/// The command with the flags left at their defaults, as a plain line carries it.
let private withoutFlags =
    function
    | Add job -> Add { job with Priority = 0; MaxAttempts = Limit.zero; MaxFails = Limit.zero }
    | Run job -> Run { job with Priority = 0 }
    | other -> other

/// Printed commands (mostly plain) and arbitrary lines, each with data of the
/// framed size so that data commands get as far as their fields.
let private anyRequest =
    let printed (form: Command -> Command) =
        Generators.command |> Gen.map (fun c -> let c = form c in Generators.commandLine c, dataOf c)
    let framed =
        lines
        |> Gen.map (fun line ->
            match Framing.classify line with
            | WithData n -> line, Array.zeroCreate n
            | _ -> line, [||])
    Gen.frequency [ 1, printed id; 2, printed withoutFlags; 1, framed; 1, Gen.zip lines Generators.data ]
    |> Arb.fromGen

let private plainForm =
    testList "plain form" [
        property "what it reads, the grammar reads the same" anyRequest (fun (line, data) ->
            match PlainForm.tryRead line data with
            | ValueSome command -> Parser.parseByGrammar line data = Ok command
            | ValueNone -> true)
        property "it reads every add, run, lease, complete, fail, result and delete printed without flags"
            (Arb.fromGen Generators.command)
            (fun command ->
                let plain = withoutFlags command
                let read = PlainForm.tryRead (Generators.commandLine plain) (dataOf plain)
                match plain with
                | Schedule _
                | Inspect _ -> read = ValueNone
                | _ -> read = ValueSome plain)
        property "parse gives what the grammar gives" anyRequest (fun (line, data) ->
            Parser.parse line data = Parser.parseByGrammar line data)
    ]

// ---- a shape no command has yet -------------------------------------------------------

/// `touch <id> [<wait>]`, as a row of the command table would state it: a command with an
/// optional field, which builds differently with and without it.
let private touch =
    let field role arity error = { Field.Role = role; Field.Arity = arity; Field.Error = error }
    CommandSpec.create
        "touch"
        ValueNone
        [ field Role.Id One InvalidId; field Role.Wait Optional InvalidWaitTimeout ]
        []
        false
        (fun a -> if a.Has Role.Wait then Result(a.Id, a.Wait) else Delete a.Id)

let private optionalField =
    testList "a row with an optional field" [
        property "both readers read it with and without the field"
            (Gen.zip Generators.jobId (Gen.optionOf Generators.waitTimeout) |> Arb.fromGen)
            (fun (id, wait) ->
                let line, expected =
                    match wait with
                    | Some w -> $"touch {id} {w.Ms}", Result(id, w)
                    | None -> $"touch {id}", Delete id
                PlainForm.tryReadAs touch line [||] = ValueSome expected
                && Parser.parseByGrammarAs touch line [||] = Ok expected)
        testCase "its errors, in the validation order" <| fun () ->
            let id = "6ba7b810-9dad-11d1-80b4-00c04fd430c4"
            for line, error in
                [ "touch", InvalidArgs
                  $"touch {id} 1 2", InvalidArgs
                  $"touch {id} -x=1", InvalidFlags
                  $"touch {id} 86400001", InvalidWaitTimeout
                  "touch bad 86400001", InvalidId ] do
                Expect.equal (Parser.parseByGrammarAs touch line [||]) (Error error) line
                Expect.equal (PlainForm.tryReadAs touch line [||]) ValueNone line
    ]

// ---- replies ----------------------------------------------------------------------

/// A record as read back: label, declared key count, and the keys in order.
type private Record = { Label: string; Declared: int; Keys: string list }

/// Reads `+OK <n>` and n records by their key counts; `payload` by `payload-size`.
let private readRecords (bytes: byte[]) : Result<Record list, string> =
    let line pos =
        match indexOfCrlf bytes pos with
        | -1 -> None
        | i -> Some(latin1 bytes.[pos .. i - 1], i + 2)
    let startsWith (prefix: string) pos =
        pos + prefix.Length <= bytes.Length && latin1 bytes.[pos .. pos + prefix.Length - 1] = prefix
    let rec keys k payloadSize pos acc =
        if k = 0 then Some(List.rev acc, pos)
        elif startsWith "payload " pos then
            let next = pos + 8 + payloadSize
            if startsWith "\r\n" next then keys (k - 1) payloadSize (next + 2) ("payload" :: acc) else None
        else
            line pos
            |> Option.bind (fun (text, next) ->
                match text.Split ' ' with
                | [| "payload-size"; v |] -> keys (k - 1) (int v) next ("payload-size" :: acc)
                | [| key; _ |] -> keys (k - 1) payloadSize next (key :: acc)
                | _ -> None)
    let record pos =
        line pos
        |> Option.bind (fun (header, next) ->
            match header.Split ' ' with
            | [| label; k |] ->
                keys (int k) 0 next [] |> Option.map (fun (ks, next) -> { Label = label; Declared = int k; Keys = ks }, next)
            | _ -> None)
    let rec records n pos acc =
        if n = 0 then (if pos = bytes.Length then Ok(List.rev acc) else Error "trailing bytes")
        else
            match record pos with
            | Some(r, next) -> records (n - 1) next (r :: acc)
            | None -> Error $"bad record at {pos}"
    match line 0 with
    | Some(header, next) when header.StartsWith "+OK " -> records (int header.[4..]) next []
    | _ -> Error "no +OK <n>"

let private jobKeys (job: Job) =
    [ "name"; "ttr"; "ttl"; "payload-size"; "payload"; "max-attempts"; "attempts"; "max-fails"; "fails"; "priority"
      "state"; "created" ]
    @ (match job.Origin with
       | Scheduled _ -> [ "time" ]
       | _ -> [])

let private queueKeys = [ "ready-len"; "scheduled-len"; "leased-len"; "workers" ]

let private serverKeys = [ "active-clients"; "evicted-jobs"; "started"; "jobs"; "queues" ]

/// The label and keys each record should have.
let private expected =
    function
    | JobRecords jobs -> jobs |> List.map (fun j -> string j.Id, jobKeys j)
    | QueueRecords queues -> queues |> List.map (fun q -> q.Name.Value, queueKeys)
    | ServerRecord _ -> [ "server", serverKeys ]
    | _ -> []

let private replies =
    testList "replies" [
        property "records have their declared key counts and keys" (Arb.fromGen Generators.records) (fun reply ->
            match readRecords (ReplyWriter.toBytes reply) with
            | Ok records ->
                records |> List.forall (fun r -> r.Declared = r.Keys.Length)
                && (records |> List.map (fun r -> r.Label, r.Keys)) = expected reply
            | Error _ -> false)
        property "result and lease replies carry their data by size"
            (Gen.zip Generators.job Generators.data |> Arb.fromGen)
            (fun (job, data) ->
                let sized (reply: Reply) (header: string) (body: byte[]) =
                    ReplyWriter.toBytes reply = Array.concat [ Encoding.ASCII.GetBytes header; body; "\r\n"B ]
                sized (ResultOf(job.Id, { Success = true; Data = data })) $"+OK 1\r\n{job.Id} 1 {data.Length}\r\n" data
                && sized (LeaseOf job) $"+OK 1\r\n{job.Id} {job.Name} {job.Ttr.Ms} {job.Payload.Length}\r\n" job.Payload)
    ]

[<Tests>]
let tests =
    testList "protocol properties" [ roundTrip; framesDataCommands; totality; plainForm; optionalField; replies ]
