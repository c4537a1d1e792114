/// Job events to bytes and back: a tag byte, then the fields in a fixed order.
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

let private instant = read { let! v = Cursor.i64 in return v * 1L<ms> }
let private jobId = read { let! g = Cursor.guid in return! fromOption (JobId.ofGuid g) }
let private ms = read { let! v = Cursor.i64 in return v * 1L<ms> }
let private limit = read { let! v = Cursor.u8 in return! fromOption (Limit.tryCreate (int v)) }

let private origin =
    read {
        let! tag = Cursor.u8
        match tag with
        | 0uy ->
            let! ttl = ms
            let! ttl = fromOption (Ttl.tryCreate ttl)
            return Background ttl
        | 1uy ->
            let! ttl = ms
            let! ttl = fromOption (Ttl.tryCreate ttl)
            let! at = instant
            return Scheduled(ttl, at)
        | 2uy ->
            let! owner = Cursor.i64
            return Foreground owner
        | _ -> return! fromOption None
    }

let private status =
    read {
        let! tag = Cursor.u8
        match tag with
        | 0uy -> return Waiting
        | 1uy -> return Ready
        | 2uy ->
            let! until = instant
            return Leased until
        | 3uy ->
            let! success = Cursor.u8
            let! data = Cursor.bytes
            return Finished { Success = (success = 1uy); Data = data }
        | _ -> return! fromOption None
    }

let readJob =
    read {
        let! id = jobId
        let! name = Cursor.shortString
        let! name = fromOption (JobName.tryCreate name)
        let! ttr = ms
        let! ttr = fromOption (Ttr.tryCreate ttr)
        let! priority = Cursor.i32
        let! maxAttempts = limit
        let! maxFails = limit
        let! payload = Cursor.bytes
        let! created = instant
        let! origin = origin
        let! seq = Cursor.i64
        let! attempts = Cursor.i32
        let! fails = Cursor.i32
        let! status = status
        return
            { Id = id; Name = name; Ttr = ttr; Priority = priority; MaxAttempts = maxAttempts
              MaxFails = maxFails; Payload = payload; Created = created; Origin = origin; Seq = seq
              Attempts = attempts; Fails = fails; Status = status }
    }

let private event =
    read {
        let! tag = Cursor.u8
        match tag with
        | Tag.JobAdded ->
            let! job = readJob
            return JobAdded job
        | _ ->
            let! id = jobId
            let! at = instant
            match tag with
            | Tag.JobAwoke -> return JobAwoke(id, at)
            | Tag.JobLeased -> return JobLeased(id, at)
            | Tag.LeaseTimedOut -> return LeaseTimedOut(id, at)
            | Tag.AttemptsExhausted -> return AttemptsExhausted(id, at)
            | Tag.JobCompleted ->
                let! data = Cursor.bytes
                return JobCompleted(id, at, data)
            | Tag.JobRetried -> return JobRetried(id, at)
            | Tag.JobFailed ->
                let! data = Cursor.bytes
                return JobFailed(id, at, data)
            | Tag.JobDeleted -> return JobDeleted(id, at)
            | Tag.JobExpired -> return JobExpired(id, at)
            | _ -> return! fromOption None
    }

/// The event in exactly these bytes, or None if they do not hold one.
let decode (bytes: byte[]) (start: int) (length: int) : JobEvent option =
    match event (Cursor.over bytes start length) with
    | Some(e, rest) when Cursor.atEnd rest -> Some e
    | _ -> None

let toBytes (event: JobEvent) =
    let buffer = ArrayBufferWriter<byte>()
    encode buffer event
    buffer.WrittenSpan.ToArray()
