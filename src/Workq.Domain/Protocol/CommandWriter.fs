module Workq.Domain.CommandWriter

open System.Buffers

/// ` <value>` for each positional token after the command name.
let private arg (output: IBufferWriter<byte>) (write: IBufferWriter<byte> -> 'a -> unit) (value: 'a) =
    Wire.space output
    write output value

let private millis (output: IBufferWriter<byte>) (value: int64<ms>) = Wire.int64 output (int64 value)

/// ` -key=value`, only when the value differs from the default.
let private flag (output: IBufferWriter<byte>) (key: byte[]) (value: int) =
    if value <> 0 then
        Wire.bytes output key
        Wire.int output value

/// The size token ends the line; the data and CR LF follow.
let private sizedData (output: IBufferWriter<byte>) (data: byte[]) (writeFlags: unit -> unit) =
    arg output Wire.int data.Length
    writeFlags ()
    Wire.newline output
    Wire.bytes output data
    Wire.newline output

let private jobHead (output: IBufferWriter<byte>) (job: NewJob) =
    arg output Wire.jobId job.Id
    arg output Wire.name job.Name
    arg output millis job.Ttr.Ms
    arg output millis job.Ttl.Ms

let private jobFlags (output: IBufferWriter<byte>) (job: NewJob) () =
    flag output " -priority="B job.Priority
    flag output " -max-attempts="B job.MaxAttempts.Value
    flag output " -max-fails="B job.MaxFails.Value

let private page (output: IBufferWriter<byte>) (page: Page) =
    arg output (fun o (v: uint32) -> Wire.int64 o (int64 v)) page.Offset
    arg output Wire.int page.Limit

let private inspect (output: IBufferWriter<byte>) (inspection: Inspection) =
    Wire.bytes output "inspect "B
    match inspection with
    | InspectJob id ->
        Wire.bytes output "job"B
        arg output Wire.jobId id
    | InspectJobs(name, p) ->
        Wire.bytes output "jobs"B
        arg output Wire.name name
        page output p
    | InspectScheduledJobs(name, p) ->
        Wire.bytes output "scheduled-jobs"B
        arg output Wire.name name
        page output p
    | InspectQueue name ->
        Wire.bytes output "queue"B
        arg output Wire.name name
    | InspectQueues p ->
        Wire.bytes output "queues"B
        page output p
    | InspectServer -> Wire.bytes output "server"B
    Wire.newline output

let private finish (output: IBufferWriter<byte>) (verb: byte[]) (id: JobId) (data: byte[]) =
    Wire.bytes output verb
    arg output Wire.jobId id
    sizedData output data ignore

/// The canonical request: lowercase ids, precise times, flags only when not default.
let write (output: IBufferWriter<byte>) (command: Command) : unit =
    match command with
    | Add job ->
        Wire.bytes output "add"B
        jobHead output job
        sizedData output job.Payload (jobFlags output job)
    | Schedule(job, at) ->
        Wire.bytes output "schedule"B
        jobHead output job
        arg output Wire.text (Time.formatPrecise at)
        sizedData output job.Payload (jobFlags output job)
    | Run job ->
        Wire.bytes output "run"B
        arg output Wire.jobId job.Id
        arg output Wire.name job.Name
        arg output millis job.Ttr.Ms
        arg output millis job.Wait.Ms
        sizedData output job.Payload (fun () -> flag output " -priority="B job.Priority)
    | Result(id, wait) ->
        Wire.bytes output "result"B
        arg output Wire.jobId id
        arg output millis wait.Ms
        Wire.newline output
    | Lease(names, wait) ->
        Wire.bytes output "lease"B
        names |> List.iter (arg output Wire.name)
        arg output millis wait.Ms
        Wire.newline output
    | Complete(id, data) -> finish output "complete"B id data
    | Fail(id, data) -> finish output "fail"B id data
    | Delete id ->
        Wire.bytes output "delete"B
        arg output Wire.jobId id
        Wire.newline output
    | Inspect inspection -> inspect output inspection

let toBytes (command: Command) : byte[] = Wire.toBytes write command
