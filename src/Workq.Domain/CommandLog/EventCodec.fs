/// Job events to bytes and back: a tag byte, then the fields in a fixed order. Format 2
/// added tags 11 to 17 and a job's status 4; format 1 files hold none of them, so one
/// reader reads both.
module Workq.Domain.CommandLog.EventCodec

open System
open System.Buffers
open Workq.Domain
open Workq.Domain.CommandLog.Binary

module private Tag =
    let [<Literal>] JobAdded = 1uy
    let [<Literal>] JobAwoke = 2uy
    let [<Literal>] JobLeased = 3uy
    let [<Literal>] LeaseTimedOut = 4uy
    let [<Literal>] AttemptsExhausted = 5uy
    let [<Literal>] JobCompleted = 6uy
    let [<Literal>] JobRetried = 7uy
    let [<Literal>] JobFailed = 8uy
    let [<Literal>] JobDeleted = 9uy
    let [<Literal>] JobExpired = 10uy
    let [<Literal>] JobAddedWithBackoff = 11uy
    let [<Literal>] JobRetryScheduled = 12uy
    let [<Literal>] LeaseExtended = 13uy
    let [<Literal>] JobRequeued = 14uy
    let [<Literal>] RecurrenceSet = 15uy
    let [<Literal>] RecurrenceRemoved = 16uy
    let [<Literal>] RecurrenceFired = 17uy

let private writeInstant out (t: Instant) = writeI64 out (int64 t)

let writeJob (out: IBufferWriter<byte>) (job: Job) =
    writeGuid out job.Id.Guid
    writeShortString out job.Name.Value
    writeI64 out (int64 job.Ttr.Ms)
    writeI32 out job.Priority
    writeU8 out (byte job.MaxAttempts.Value)
    writeU8 out (byte job.MaxFails.Value)
    writeBytes out (ReadOnlySpan job.Payload)
    writeInstant out job.Created
    match job.Origin with
    | Background ttl ->
        writeU8 out 0uy
        writeI64 out (int64 ttl.Ms)
    | Scheduled(ttl, at) ->
        writeU8 out 1uy
        writeI64 out (int64 ttl.Ms)
        writeInstant out at
    | Foreground owner ->
        writeU8 out 2uy
        writeI64 out owner
    writeI64 out job.Seq
    writeI32 out job.Attempts
    writeI32 out job.Fails
    match job.Status with
    | Waiting -> writeU8 out 0uy
    | Ready -> writeU8 out 1uy
    | Leased until ->
        writeU8 out 2uy
        writeInstant out until
    | Finished outcome ->
        writeU8 out 3uy
        writeU8 out (if outcome.Success then 1uy else 0uy)
        writeBytes out (ReadOnlySpan outcome.Data)
    | Delayed until ->
        writeU8 out 4uy
        writeInstant out until

/// An optional instant: a presence byte, then the instant if present.
let private writeInstantOption out (t: Instant option) =
    match t with
    | Some at ->
        writeU8 out 1uy
        writeInstant out at
    | None -> writeU8 out 0uy

let private writeIdOption out (id: JobId option) =
    match id with
    | Some id ->
        writeU8 out 1uy
        writeGuid out id.Guid
    | None -> writeU8 out 0uy

/// A recurring definition: key, name, TTR, TTL, cron (its token: i32 length and ASCII),
/// priority, max-attempts, max-fails, back-off, overlap (u8: 0 allow, 1 skip), payload,
/// arrival number, created, next occurrence (optional), last occurrence's job (optional).
let writeRecurrence (out: IBufferWriter<byte>) (r: Recurrence) =
    let spec = r.Spec
    writeShortString out spec.Key.Value
    writeShortString out spec.Name.Value
    writeI64 out (int64 spec.Ttr.Ms)
    writeI64 out (int64 spec.Ttl.Ms)
    writeBytes out (ReadOnlySpan(Text.Encoding.ASCII.GetBytes spec.Cron.Token))
    writeI32 out spec.Priority
    writeU8 out (byte spec.MaxAttempts.Value)
    writeU8 out (byte spec.MaxFails.Value)
    writeI64 out (int64 spec.Backoff.Ms)
    writeU8 out (match spec.Overlap with Allow -> 0uy | Skip -> 1uy)
    writeBytes out (ReadOnlySpan spec.Payload)
    writeI64 out r.Seq
    writeInstant out r.Created
    writeInstantOption out r.Next
    writeIdOption out r.Last

let encode (out: IBufferWriter<byte>) (event: JobEvent) =
    let idAt tag (id: JobId) (at: Instant) =
        writeU8 out tag
        writeGuid out id.Guid
        writeInstant out at
    match event with
    | JobAdded job ->
        writeU8 out Tag.JobAdded
        writeJob out job
    | JobAwoke(id, at) -> idAt Tag.JobAwoke id at
    | JobLeased(id, at) -> idAt Tag.JobLeased id at
    | LeaseTimedOut(id, at) -> idAt Tag.LeaseTimedOut id at
    | AttemptsExhausted(id, at) -> idAt Tag.AttemptsExhausted id at
    | JobCompleted(id, at, data) ->
        idAt Tag.JobCompleted id at
        writeBytes out (ReadOnlySpan data)
    | JobRetried(id, at) -> idAt Tag.JobRetried id at
    | JobFailed(id, at, data) ->
        idAt Tag.JobFailed id at
        writeBytes out (ReadOnlySpan data)
    | JobDeleted(id, at) -> idAt Tag.JobDeleted id at
    | JobExpired(id, at) -> idAt Tag.JobExpired id at
    | JobAddedWithBackoff(job, backoff) ->
        writeU8 out Tag.JobAddedWithBackoff
        writeJob out job
        writeI64 out (int64 backoff.Ms)
    | JobRetryScheduled(id, at, retryAt) ->
        idAt Tag.JobRetryScheduled id at
        writeInstant out retryAt
    | LeaseExtended(id, at, until) ->
        idAt Tag.LeaseExtended id at
        writeInstant out until
    | JobRequeued(id, at, ttl, seq) ->
        idAt Tag.JobRequeued id at
        writeI64 out (int64 ttl.Ms)
        writeI64 out seq
    | RecurrenceSet r ->
        writeU8 out Tag.RecurrenceSet
        writeRecurrence out r
    | RecurrenceRemoved(key, at) ->
        writeU8 out Tag.RecurrenceRemoved
        writeShortString out key.Value
        writeInstant out at
    | RecurrenceFired(key, at, next, job) ->
        writeU8 out Tag.RecurrenceFired
        writeShortString out key.Value
        writeInstant out at
        writeInstantOption out next
        writeIdOption out job

let private instant c =
    let struct (v, c) = Cursor.i64 c
    struct (v * 1L<ms>, c)

let private jobId c =
    let struct (g, c) = Cursor.guid c
    struct (Cursor.valid (JobId.ofGuid g), c)

let private limit c =
    let struct (v, c) = Cursor.u8 c
    struct (Cursor.valid (Limit.tryCreate (int v)), c)

let private ttl c =
    let struct (v, c) = instant c
    struct (Cursor.valid (Ttl.tryCreate v), c)

let private origin c =
    match Cursor.u8 c with
    | struct (0uy, c) ->
        let struct (ttl, c) = ttl c
        struct (Background ttl, c)
    | struct (1uy, c) ->
        let struct (ttl, c) = ttl c
        let struct (at, c) = instant c
        struct (Scheduled(ttl, at), c)
    | struct (2uy, c) ->
        let struct (owner, c) = Cursor.i64 c
        struct (Foreground owner, c)
    | _ -> raise Malformed

let private status c =
    match Cursor.u8 c with
    | struct (0uy, c) -> struct (Waiting, c)
    | struct (1uy, c) -> struct (Ready, c)
    | struct (2uy, c) ->
        let struct (until, c) = instant c
        struct (Leased until, c)
    | struct (3uy, c) ->
        let struct (success, c) = Cursor.u8 c
        let struct (data, c) = Cursor.bytes c
        struct (Finished { Success = (success = 1uy); Data = data }, c)
    | struct (4uy, c) ->
        let struct (until, c) = instant c
        struct (Delayed until, c)
    | _ -> raise Malformed

let readJob c =
    let struct (id, c) = jobId c
    let struct (name, c) = Cursor.shortString c
    let struct (ttr, c) = instant c
    let struct (priority, c) = Cursor.i32 c
    let struct (maxAttempts, c) = limit c
    let struct (maxFails, c) = limit c
    let struct (payload, c) = Cursor.bytes c
    let struct (created, c) = instant c
    let struct (origin, c) = origin c
    let struct (seq, c) = Cursor.i64 c
    let struct (attempts, c) = Cursor.i32 c
    let struct (fails, c) = Cursor.i32 c
    let struct (status, c) = status c
    let job =
        { Id = id; Name = Cursor.valid (JobName.tryCreate name); Ttr = Cursor.valid (Ttr.tryCreate ttr)
          Priority = priority; MaxAttempts = maxAttempts; MaxFails = maxFails; Payload = payload; Created = created
          Origin = origin; Seq = seq; Attempts = attempts; Fails = fails; Status = status }
    struct (job, c)

let private name c =
    let struct (text, c) = Cursor.shortString c
    struct (Cursor.valid (JobName.tryCreate text), c)

let private retryDelay c =
    let struct (v, c) = instant c
    struct (Cursor.valid (RetryDelay.tryCreate v), c)

let private optional (read: Cursor -> struct ('a * Cursor)) c =
    match Cursor.u8 c with
    | struct (0uy, c) -> struct (None, c)
    | struct (1uy, c) ->
        let struct (v, c) = read c
        struct (Some v, c)
    | _ -> raise Malformed

let readRecurrence c =
    let struct (key, c) = name c
    let struct (jobName, c) = name c
    let struct (ttr, c) = instant c
    let struct (ttl, c) = ttl c
    let struct (cron, c) = Cursor.bytes c
    let struct (priority, c) = Cursor.i32 c
    let struct (maxAttempts, c) = limit c
    let struct (maxFails, c) = limit c
    let struct (backoff, c) = retryDelay c
    let struct (overlap, c) = Cursor.u8 c
    let struct (payload, c) = Cursor.bytes c
    let struct (seq, c) = Cursor.i64 c
    let struct (created, c) = instant c
    let struct (next, c) = optional instant c
    let struct (last, c) = optional jobId c
    let spec =
        { Key = key
          Name = jobName
          Ttr = Cursor.valid (Ttr.tryCreate ttr)
          Ttl = ttl
          Cron = Cursor.valid (Cron.tryParse (Text.Encoding.ASCII.GetString cron))
          Priority = priority
          MaxAttempts = maxAttempts
          MaxFails = maxFails
          Backoff = backoff
          Overlap =
            (match overlap with
             | 0uy -> Allow
             | 1uy -> Skip
             | _ -> raise Malformed)
          Payload = payload }
    struct ({ Spec = spec; Seq = seq; Created = created; Next = next; Last = last }, c)

let private event c =
    match Cursor.u8 c with
    | struct (Tag.JobAdded, c) ->
        let struct (job, c) = readJob c
        struct (JobAdded job, c)
    | struct (Tag.JobAddedWithBackoff, c) ->
        let struct (job, c) = readJob c
        let struct (backoff, c) = retryDelay c
        struct (JobAddedWithBackoff(job, backoff), c)
    | struct (Tag.RecurrenceSet, c) ->
        let struct (r, c) = readRecurrence c
        struct (RecurrenceSet r, c)
    | struct (Tag.RecurrenceRemoved, c) ->
        let struct (key, c) = name c
        let struct (at, c) = instant c
        struct (RecurrenceRemoved(key, at), c)
    | struct (Tag.RecurrenceFired, c) ->
        let struct (key, c) = name c
        let struct (at, c) = instant c
        let struct (next, c) = optional instant c
        let struct (job, c) = optional jobId c
        struct (RecurrenceFired(key, at, next, job), c)
    | struct (tag, c) ->
        let struct (id, c) = jobId c
        let struct (at, c) = instant c
        let withData make =
            let struct (data, c) = Cursor.bytes c
            struct (make data, c)
        match tag with
        | Tag.JobAwoke -> struct (JobAwoke(id, at), c)
        | Tag.JobLeased -> struct (JobLeased(id, at), c)
        | Tag.LeaseTimedOut -> struct (LeaseTimedOut(id, at), c)
        | Tag.AttemptsExhausted -> struct (AttemptsExhausted(id, at), c)
        | Tag.JobCompleted -> withData (fun data -> JobCompleted(id, at, data))
        | Tag.JobRetried -> struct (JobRetried(id, at), c)
        | Tag.JobFailed -> withData (fun data -> JobFailed(id, at, data))
        | Tag.JobDeleted -> struct (JobDeleted(id, at), c)
        | Tag.JobExpired -> struct (JobExpired(id, at), c)
        | Tag.JobRetryScheduled ->
            let struct (retryAt, c) = instant c
            struct (JobRetryScheduled(id, at, retryAt), c)
        | Tag.LeaseExtended ->
            let struct (until, c) = instant c
            struct (LeaseExtended(id, at, until), c)
        | Tag.JobRequeued ->
            let struct (ttl, c) = ttl c
            let struct (seq, c) = Cursor.i64 c
            struct (JobRequeued(id, at, ttl, seq), c)
        | _ -> raise Malformed

/// The event in exactly these bytes, or None if they do not hold one.
let decode (bytes: byte[]) (start: int) (length: int) : JobEvent option = Cursor.run event bytes start length

/// The job in exactly these bytes (a snapshot's record of format 1), or None.
let decodeJob (bytes: byte[]) (start: int) (length: int) : Job option = Cursor.run readJob bytes start length

/// The recurring definition in exactly these bytes (a snapshot's record), or None.
let decodeRecurrence (bytes: byte[]) (start: int) (length: int) : Recurrence option =
    Cursor.run readRecurrence bytes start length

let toBytes (event: JobEvent) =
    let buffer = ArrayBufferWriter<byte>()
    encode buffer event
    buffer.WrittenSpan.ToArray()
