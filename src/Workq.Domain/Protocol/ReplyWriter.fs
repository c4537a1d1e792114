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

let private jobRecord (output: IBufferWriter<byte>) (job: Job) =
    let scheduledAt =
        match job.Origin with
        | Scheduled(_, at) -> Some at
        | Background _
        | Foreground _ -> None
    Wire.jobId output job.Id
    Wire.space output
    Wire.int output (if scheduledAt.IsSome then 13 else 12)
    Wire.newline output
    Wire.bytes output "name "B
    Wire.name output job.Name
    Wire.newline output
    numberLine output "ttr "B (int64 job.Ttr.Ms)
    numberLine output "ttl "B (job |> Job.ttl |> Option.map (fun t -> int64 t.Ms) |> Option.defaultValue 0L)
    numberLine output "payload-size "B job.Payload.LongLength
    Wire.bytes output "payload "B
    Wire.bytes output job.Payload
    Wire.newline output
    numberLine output "max-attempts "B job.MaxAttempts.Value
    numberLine output "attempts "B job.Attempts
    numberLine output "max-fails "B job.MaxFails.Value
    numberLine output "fails "B job.Fails
    numberLine output "priority "B job.Priority
    numberLine output "state "B (Job.stateCode job)
    timeLine output "created "B job.Created
    scheduledAt |> Option.iter (timeLine output "time "B)

let private queueRecord (output: IBufferWriter<byte>) (queue: QueueStats) =
    Wire.name output queue.Name
    Wire.bytes output " 4\r\n"B
    numberLine output "ready-len "B queue.Ready
    numberLine output "scheduled-len "B queue.Scheduled
    numberLine output "leased-len "B queue.Leased
    numberLine output "workers "B queue.Workers

let private serverRecord (output: IBufferWriter<byte>) (server: ServerStats) =
    Wire.bytes output okOne
    Wire.bytes output "server 5\r\n"B
    numberLine output "active-clients "B server.ActiveClients
    numberLine output "evicted-jobs "B server.EvictedJobs
    timeLine output "started "B server.Started
    numberLine output "jobs "B server.Jobs
    numberLine output "queues "B server.Queues

let private records (output: IBufferWriter<byte>) (write: IBufferWriter<byte> -> 'a -> unit) (items: 'a list) =
    okN output items.Length
    items |> List.iter (write output)

let write (output: IBufferWriter<byte>) (reply: Reply) : unit =
    match reply with
    | Done -> Wire.bytes output ok
    | ResultOf(id, outcome) -> resultOf output id outcome
    | LeaseOf job -> leased output job
    | JobRecords jobs -> records output jobRecord jobs
    | QueueRecords queues -> records output queueRecord queues
    | ServerRecord server -> serverRecord output server
    | ClientError e -> Wire.bytes output (clientErrors.GetOrAdd(e, encodeClientError))
    | ServerError text ->
        // An error reply is one line, whatever the text holds.
        Wire.bytes output serverError
        Wire.bytes output (Encoding.UTF8.GetBytes(text.ReplaceLineEndings " "))
        Wire.newline output
    | Timeout -> Wire.bytes output timeout
    | NotFound -> Wire.bytes output notFound

let toBytes (reply: Reply) : byte[] = Wire.toBytes write reply
