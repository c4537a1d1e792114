module Workq.Domain.ReplyWriter

open System
open System.Buffers
open System.Collections.Concurrent
open System.Text

let private ok = "+OK\r\n"B
let private okOne = "+OK 1\r\n"B
let private okCount = "+OK "B
let private timeout = "-TIMEOUT\r\n"B
let private notFound = "-NOT-FOUND\r\n"B
let private serverError = "-SERVER-ERROR "B

/// Every client error line, encoded on its first use (no reflection over the cases).
let private clientErrors = ConcurrentDictionary<ClientError, byte[]>()

let private encodeClientError =
    Func<ClientError, byte[]>(fun e -> Encoding.ASCII.GetBytes("-CLIENT-ERROR " + ClientError.text e + "\r\n"))

/// `+OK <n>\r\n`
let private okN (output: IBufferWriter<byte>) (n: int) =
    Wire.bytes output okCount
    Wire.int output n
    Wire.newline output

/// `<key> <value>\r\n` for a number.
let private numberLine (output: IBufferWriter<byte>) (key: byte[]) (value: int64) =
    Wire.bytes output key
    Wire.int64 output value
    Wire.newline output

/// `<key> <value>\r\n` for a time, whole seconds.
let private timeLine (output: IBufferWriter<byte>) (key: byte[]) (value: Instant) =
    Wire.bytes output key
    Wire.text output (Time.format value)
    Wire.newline output

/// `<data-line> <size>\r\n<data>\r\n`: the tail of `result` and `lease` records.
let private sizedData (output: IBufferWriter<byte>) (data: byte[]) =
    Wire.space output
    Wire.int output data.Length
    Wire.newline output
    Wire.bytes output data
    Wire.newline output

let private resultOf (output: IBufferWriter<byte>) (id: JobId) (outcome: Outcome) =
    Wire.bytes output okOne
    Wire.jobId output id
    Wire.space output
    Wire.byte1 output (if outcome.Success then byte '1' else byte '0')
    sizedData output outcome.Data

let private leased (output: IBufferWriter<byte>) (job: Job) =
    Wire.bytes output okOne
    Wire.jobId output job.Id
    Wire.space output
    Wire.name output job.Name
    Wire.space output
    Wire.int64 output (int64 job.Ttr.Ms)
    sizedData output job.Payload

let private leasedCounted (output: IBufferWriter<byte>) (job: Job) =
    Wire.bytes output okOne
    Wire.jobId output job.Id
    Wire.space output
    Wire.name output job.Name
    Wire.space output
    Wire.int64 output (int64 job.Ttr.Ms)
    Wire.space output
    Wire.int output job.Attempts
    Wire.space output
    Wire.int output job.Fails
    sizedData output job.Payload

/// `<key> <size>\r\n`, then `<data-key> <data>\r\n` with the data raw.
let private dataLines (output: IBufferWriter<byte>) (sizeKey: byte[]) (key: byte[]) (data: byte[]) =
    numberLine output sizeKey data.LongLength
    Wire.bytes output key
    Wire.bytes output data
    Wire.newline output

/// A job's record, with `extraKeys` more keys that `writeExtra` writes at its end.
let private jobRecordWith (output: IBufferWriter<byte>) (job: Job) (extraKeys: int) (writeExtra: unit -> unit) =
    let scheduledAt =
        match job.Origin with
        | Scheduled(_, at) -> Some at
        | Background _
        | Foreground _ -> None
    let retryAt =
        match job.Status with
        | Delayed until -> Some until
        | _ -> None
    Wire.jobId output job.Id
    Wire.space output
    Wire.int output (12 + Option.count scheduledAt + Option.count retryAt + extraKeys)
    Wire.newline output
    Wire.bytes output "name "B
    Wire.name output job.Name
    Wire.newline output
    numberLine output "ttr "B (int64 job.Ttr.Ms)
    numberLine output "ttl "B (job |> Job.ttl |> Option.map (fun t -> int64 t.Ms) |> Option.defaultValue 0L)
    dataLines output "payload-size "B "payload "B job.Payload
    numberLine output "max-attempts "B job.MaxAttempts.Value
    numberLine output "attempts "B job.Attempts
    numberLine output "max-fails "B job.MaxFails.Value
    numberLine output "fails "B job.Fails
    numberLine output "priority "B job.Priority
    numberLine output "state "B (Job.stateCode job)
    timeLine output "created "B job.Created
    scheduledAt |> Option.iter (timeLine output "time "B)
    retryAt |> Option.iter (timeLine output "retry-at "B)
    writeExtra ()

let private jobRecord (output: IBufferWriter<byte>) (job: Job) = jobRecordWith output job 0 ignore

/// A job's record, then when it failed and its result.
let private failedRecord (output: IBufferWriter<byte>) (failed: FailedJob) =
    let result =
        match failed.Job.Status with
        | Finished outcome -> outcome.Data
        | _ -> [||]
    jobRecordWith output failed.Job 3 (fun () ->
        timeLine output "failed "B failed.FailedAt
        dataLines output "result-size "B "result "B result)

let private queueRecord (output: IBufferWriter<byte>) (queue: QueueStats) =
    Wire.name output queue.Name
    Wire.bytes output " 5\r\n"B
    numberLine output "ready-len "B queue.Ready
    numberLine output "scheduled-len "B queue.Scheduled
    numberLine output "leased-len "B queue.Leased
    numberLine output "workers "B queue.Workers
    numberLine output "failed-len "B queue.Failed

/// `<key> <value>\r\n` for a text that holds no space or line end (an empty one too).
let private textLine (output: IBufferWriter<byte>) (key: byte[]) (value: string) =
    Wire.bytes output key
    Wire.text output value
    Wire.newline output

let private serverRecord (output: IBufferWriter<byte>) (server: ServerStats) =
    Wire.bytes output okOne
    Wire.bytes output "server "B
    Wire.int output (12 + server.HostKeys.Length)
    Wire.newline output
    numberLine output "active-clients "B server.ActiveClients
    numberLine output "evicted-jobs "B server.EvictedJobs
    timeLine output "started "B server.Started
    numberLine output "jobs "B server.Jobs
    numberLine output "queues "B server.Queues
    numberLine output "stored-bytes "B server.StoredBytes
    numberLine output "max-stored-bytes "B server.MaxStoredBytes
    numberLine output "failed-jobs "B server.FailedJobs
    for key, value in server.HostKeys do
        Wire.text output key
        Wire.space output
        Wire.int64 output value
        Wire.newline output
    textLine output "role "B server.Node.Role
    textLine output "leader "B server.Node.Leader
    numberLine output "term "B server.Node.Term
    numberLine output "commit-index "B server.Node.CommitIndex

let private memberRecord (output: IBufferWriter<byte>) (m: MemberStats) =
    Wire.text output m.Address.Value
    Wire.bytes output " 3\r\n"B
    textLine output "client "B m.Client
    textLine output "role "B m.Role
    textLine output "status "B m.Status

let private recurrenceRecord (output: IBufferWriter<byte>) (r: Recurrence) =
    let spec = r.Spec
    Wire.name output spec.Key
    Wire.space output
    Wire.int output (12 + Option.count r.Next + Option.count r.Last)
    Wire.newline output
    Wire.bytes output "name "B
    Wire.name output spec.Name
    Wire.newline output
    numberLine output "ttr "B (int64 spec.Ttr.Ms)
    numberLine output "ttl "B (int64 spec.Ttl.Ms)
    textLine output "cron "B spec.Cron.Token
    dataLines output "payload-size "B "payload "B spec.Payload
    numberLine output "max-attempts "B spec.MaxAttempts.Value
    numberLine output "max-fails "B spec.MaxFails.Value
    numberLine output "priority "B spec.Priority
    numberLine output "backoff "B (int64 spec.Backoff.Ms)
    textLine output "overlap "B (match spec.Overlap with Allow -> "allow" | Skip -> "skip")
    timeLine output "created "B r.Created
    r.Next |> Option.iter (timeLine output "next "B)
    r.Last |> Option.iter (fun id ->
        Wire.bytes output "last-job "B
        Wire.jobId output id
        Wire.newline output)

let private requeued (output: IBufferWriter<byte>) (name: JobName) (count: int) =
    Wire.bytes output okOne
    Wire.name output name
    Wire.bytes output " 1\r\n"B
    numberLine output "requeued "B count

let private records (output: IBufferWriter<byte>) (write: IBufferWriter<byte> -> 'a -> unit) (items: 'a list) =
    okN output items.Length
    items |> List.iter (write output)

/// A page of records written a record at a time, the same bytes as `write`: the head,
/// `+OK <n>`, with `writeRecordCount`, then each record with its writer from `paged`. A
/// long page of large jobs then never sits whole in a buffer.
let writeRecordCount (output: IBufferWriter<byte>) (count: int) = okN output count

/// A reply of records as their count and a writer of each; ValueNone for any other reply.
let paged (reply: Reply) : struct (int * (IBufferWriter<byte> -> unit) list) voption =
    let each write items = items |> List.map (fun item (output: IBufferWriter<byte>) -> write output item)
    match reply with
    | JobRecords jobs -> ValueSome(struct (jobs.Length, each jobRecord jobs))
    | FailedRecords jobs -> ValueSome(struct (jobs.Length, each failedRecord jobs))
    | RecurrenceRecords recurrences -> ValueSome(struct (recurrences.Length, each recurrenceRecord recurrences))
    | _ -> ValueNone

let write (output: IBufferWriter<byte>) (reply: Reply) : unit =
    match reply with
    | Done -> Wire.bytes output ok
    | ResultOf(id, outcome) -> resultOf output id outcome
    | LeaseOf job -> leased output job
    | JobRecords jobs -> records output jobRecord jobs
    | QueueRecords queues -> records output queueRecord queues
    | ServerRecord server -> serverRecord output server
    | MemberRecords members -> records output memberRecord members
    | LeaseCountedOf job -> leasedCounted output job
    | FailedRecords jobs -> records output failedRecord jobs
    | RecurrenceRecords recurrences -> records output recurrenceRecord recurrences
    | Requeued(name, count) -> requeued output name count
    | ClientError e -> Wire.bytes output (clientErrors.GetOrAdd(e, encodeClientError))
    | ServerError text ->
        // An error reply is one line, whatever the text holds.
        Wire.bytes output serverError
        Wire.bytes output (Encoding.UTF8.GetBytes(text.ReplaceLineEndings " "))
        Wire.newline output
    | Timeout -> Wire.bytes output timeout
    | NotFound -> Wire.bytes output notFound

let toBytes (reply: Reply) : byte[] = Wire.toBytes write reply
