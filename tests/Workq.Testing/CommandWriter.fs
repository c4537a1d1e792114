/// Requests printed from commands, for tests and properties: the canonical form, with
/// lowercase ids, precise times and flags only when not at their default. Printed by the
/// command table: a command's words, the order of its fields and its flags' keys come
/// from its row, so a printed request reads back the way the server reads it.
module Workq.Testing.CommandWriter

open System
open System.Buffers
open System.Text
open Workq.Domain

let private jobValues (job: NewJob) =
    { Args.Empty with
        Id = job.Id
        Name = job.Name
        Ttr = job.Ttr
        Ttl = job.Ttl
        Priority = job.Priority
        MaxAttempts = job.MaxAttempts
        MaxFails = job.MaxFails
        Data = job.Payload }

let private inspection =
    function
    | InspectJob id -> "job", { Args.Empty with Id = id }
    | InspectJobs(name, page) -> "jobs", { Args.Empty with Name = name; Offset = page.Offset; Limit = page.Limit }
    | InspectScheduledJobs(name, page) -> "scheduled-jobs", { Args.Empty with Name = name; Offset = page.Offset; Limit = page.Limit }
    | InspectQueue name -> "queue", { Args.Empty with Name = name }
    | InspectQueues page -> "queues", { Args.Empty with Offset = page.Offset; Limit = page.Limit }
    | InspectServer -> "server", Args.Empty

/// The words that name the command's row, and its values: the row's build, undone.
let private valuesOf (command: Command) : string * string voption * Args =
    match command with
    | Add job -> "add", ValueNone, jobValues job
    | Schedule(job, at) -> "schedule", ValueNone, { jobValues job with Time = at }
    | Run job ->
        "run", ValueNone,
        { Args.Empty with Id = job.Id; Name = job.Name; Ttr = job.Ttr; Wait = job.Wait; Priority = job.Priority; Data = job.Payload }
    | Result(id, wait) -> "result", ValueNone, { Args.Empty with Id = id; Wait = wait }
    | Lease(names, wait) -> "lease", ValueNone, { Args.Empty with Names = names; Wait = wait }
    | Complete(id, data) -> "complete", ValueNone, { Args.Empty with Id = id; Data = data }
    | Fail(id, data) -> "fail", ValueNone, { Args.Empty with Id = id; Data = data }
    | Delete id -> "delete", ValueNone, { Args.Empty with Id = id }
    | Inspect i ->
        let object, values = inspection i
        "inspect", ValueSome object, values

/// The tokens of a role's value.
let private tokens (role: Role) (a: Args) : string list =
    match role with
    | Role.Id -> [ string a.Id ]
    | Role.Name -> [ a.Name.Value ]
    | Role.Names -> a.Names |> List.map _.Value
    | Role.Ttr -> [ string a.Ttr.Ms ]
    | Role.Ttl -> [ string a.Ttl.Ms ]
    | Role.Wait -> [ string a.Wait.Ms ]
    | Role.Time -> [ Time.formatPrecise a.Time ]
    | Role.Offset -> [ string a.Offset ]
    | Role.Limit -> [ string a.Limit ]
    | Role.Size -> [ string a.Data.Length ]
    | Role.Priority -> [ string a.Priority ]
    | Role.MaxAttempts -> [ string a.MaxAttempts.Value ]
    | Role.MaxFails -> [ string a.MaxFails.Value ]

/// The request's line (without its line end) and its data, if any.
let private request (command: Command) : string * byte[] voption =
    let word, object, values = valuesOf command
    let spec =
        CommandTable.all |> List.find (fun spec -> spec.Name = word && spec.Object = object)
    let fields = spec.Fields |> List.collect (fun field -> tokens field.Role values)
    let flags =
        spec.Flags
        |> List.filter (fun flag -> tokens flag.Role values <> tokens flag.Role Args.Empty)
        |> List.map (fun flag -> $"-{flag.Key}={List.exactlyOne (tokens flag.Role values)}")
    let line = String.concat " " ([ word ] @ ValueOption.toList object @ fields @ flags)
    line, (if spec.SizeError.IsSome then ValueSome values.Data else ValueNone)

let write (output: IBufferWriter<byte>) (command: Command) : unit =
    let line, data = request command
    output.Write(ReadOnlySpan(Encoding.Latin1.GetBytes(line + "\r\n")))
    match data with
    | ValueSome data ->
        output.Write(ReadOnlySpan data)
        output.Write(ReadOnlySpan "\r\n"B)
    | ValueNone -> ()

let toBytes (command: Command) : byte[] =
    let buffer = ArrayBufferWriter<byte>()
    write buffer command
    buffer.WrittenSpan.ToArray()
