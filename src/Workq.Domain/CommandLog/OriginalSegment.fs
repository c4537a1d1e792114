/// A segment file of the original Workq 0.2.0's command log, read for importing it: the
/// 8-byte header `wqwq` and version 1, then records
/// `TIME(15) | SIZE(uvarint) | PAYLOAD(SIZE) | CRC(4)`. Integers are big-endian; the CRC
/// is the CRC-32C of time, size and payload. A payload is a type byte and the fields of
/// that type (`doc/cmdlog.md`, "Migrating from the original Workq").
module Workq.Domain.CommandLog.OriginalSegment

open System
open System.Buffers.Binary
open System.Text
open Workq.Domain
open Workq.Domain.CommandLog.Binary

let headerSize = 8

/// `wqwq`, then the version as a u32.
let header = [| 0x77uy; 0x71uy; 0x77uy; 0x71uy; 0uy; 0uy; 0uy; 1uy |]

/// Go's `time.MarshalBinary`, version 1: a version byte, seconds since 0001-01-01 (i64),
/// nanoseconds (i32), zone offset in minutes (i16, -1 for UTC).
let timeSize = 15

let private crcSize = 4

/// What a record tells: one change the original made, with the original's names.
type Entry =
    /// `add`: a job ready at once, created at `created`.
    | Add of NewJob * created: Instant
    /// `schedule`: a job ready at `at`.
    | Schedule of NewJob * at: Instant * created: Instant
    | Complete of JobId * result: byte[]
    /// A `fail`: final in the original, which never retried.
    | Fail of JobId * result: byte[]
    | Delete of JobId
    /// A TTL timer fired (also logged for every `run` when it ends).
    | Expire of JobId
    /// A successful lease (also of `run` jobs, which the original does not log).
    | StartAttempt of JobId
    /// A TTR timer fired.
    | TimeoutAttempt of JobId
    /// A type byte the original does not know, alone in its payload: the original skips it.
    | Unknown of byte

/// An entry and the instant it was appended at.
type Record = { At: Instant; Entry: Entry }

type Contents =
    { Records: Record list
      /// Where the sound records end.
      SoundLength: int
      Damage: Segment.Damage option }

/// The job an entry is about, if any.
let jobId (entry: Entry) : JobId option =
    match entry with
    | Add(job, _)
    | Schedule(job, _, _) -> Some job.Id
    | Complete(id, _)
    | Fail(id, _)
    | Delete id
    | Expire id
    | StartAttempt id
    | TimeoutAttempt id -> Some id
    | Unknown _ -> None

/// A payload holds at most 1 MiB of job or result data, plus its fields.
let private maxPayload = uint64 Records.maxBody

/// What lies at `pos`: a sound record's checksummed bytes (time, size, payload), the end,
/// a record cut short by the end of the bytes (or whose checksum fails at the very end),
/// or a damaged record with more bytes after it.
let scan (bytes: byte[]) (pos: int) (length: int) : Records.Scan =
    if pos = length then Records.End
    else
        match uvarintAt bytes (pos + timeSize) length with
        | struct (_, 0) -> Records.Torn
        | struct (_, -1) -> Records.Corrupt
        | struct (size, _) when size > maxPayload -> Records.Corrupt
        | struct (size, sizeLength) ->
            let covered = timeSize + sizeLength + int size
            if length - pos < covered + crcSize then Records.Torn
            else
                let stored = BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(bytes, pos + covered, crcSize))
                if Records.crc32c (ReadOnlySpan(bytes, pos, covered)) = stored then
                    Records.Record(pos, covered, pos + covered + crcSize)
                elif pos + covered + crcSize = length then Records.Torn
                else Records.Corrupt

/// Seconds from 0001-01-01 to 1970-01-01.
let private unixEpochSeconds = 62_135_596_800L

/// Seconds from 0001-01-01 to the last second of 9999, the range of the protocol's times.
let private lastSecond = 315_537_897_599L

/// A time: its instant (milliseconds, rounded down) and whether it is Go's zero time.
let private time c =
    let struct (at, c) = Cursor.take timeSize c
    let b = c.Bytes
    if b.[at] <> 1uy then raise Malformed
    let seconds = BinaryPrimitives.ReadInt64BigEndian(ReadOnlySpan(b, at + 1, 8))
    let nanos = BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(b, at + 9, 4))
    // The zone offset (bytes 13-14) names a zone to show the time in; the instant is the same.
    if seconds < 0L || seconds > lastSecond || nanos < 0 || nanos > 999_999_999 then raise Malformed
    let instant = ((seconds - unixEpochSeconds) * 1000L + int64 (nanos / 1_000_000)) * 1L<ms>
    struct (instant, (seconds = 0L && nanos = 0), c)

let private id c =
    let struct (at, c) = Cursor.take 16 c
    // The bytes of the UUID in text order.
    struct (Cursor.valid (JobId.ofGuid (Guid(ReadOnlySpan(c.Bytes, at, 16), bigEndian = true))), c)

/// A uvarint no larger than `max`.
let private upTo (max: uint64) c =
    let struct (v, c) = Cursor.uvarint c
    if v > max then raise Malformed
    struct (v, c)

/// A uvarint length, then that many bytes.
let private data c =
    let struct (n, c) = upTo (uint64 Sizes.maxData) c
    let struct (at, c) = Cursor.take (int n) c
    struct (c.Bytes.AsSpan(at, int n).ToArray(), c)

let private name c =
    let struct (n, c) = upTo (uint64 JobName.maxLength) c
    let struct (at, c) = Cursor.take (int n) c
    struct (Cursor.valid (JobName.tryCreate (Encoding.Latin1.GetString(c.Bytes, at, int n))), c)

/// Go's zig-zag varint, as an i32.
let private priority c =
    let struct (u, c) = Cursor.uvarint c
    let v = if u &&& 1UL = 0UL then int64 (u >>> 1) else ~~~(int64 (u >>> 1))
    if v < int64 Int32.MinValue || v > int64 Int32.MaxValue then raise Malformed
    struct (int v, c)

let private limit c =
    let struct (v, c) = upTo (uint64 Limit.max) c
    struct (Cursor.valid (Limit.tryCreate (int v)), c)

/// The job encoding of add and schedule, and its scheduled time (None for Go's zero time).
let private job c =
    let struct (id, c) = id c
    let struct (name, c) = name c
    let struct (ttr, c) = upTo (uint64 Ttr.max) c
    let struct (ttl, c) = upTo (uint64 Ttl.max) c
    let struct (priority, c) = priority c
    let struct (maxAttempts, c) = limit c
    let struct (maxFails, c) = limit c
    let struct (payload, c) = data c
    let struct (at, unscheduled, c) = time c
    let struct (created, _, c) = time c
    let spec: NewJob =
        { Id = id
          Name = name
          Ttr = Cursor.valid (Ttr.tryCreate (int64 ttr * 1L<ms>))
          Ttl = Cursor.valid (Ttl.tryCreate (int64 ttl * 1L<ms>))
          Priority = priority
          MaxAttempts = maxAttempts
          MaxFails = maxFails
          Backoff = RetryDelay.zero
          Payload = payload }
    struct (spec, (if unscheduled then None else Some at), created, c)

let private idOnly make c =
    let struct (id, c) = id c
    struct (make id, c)

let private idAndResult make c =
    let struct (id, c) = id c
    let struct (result, c) = data c
    struct (make (id, result), c)

let private entry c =
    match Cursor.u8 c with
    | struct (1uy, c) ->
        match job c with
        | struct (spec, None, created, c) -> struct (Add(spec, created), c)
        | _ -> raise Malformed
    | struct (2uy, c) ->
        match job c with
        | struct (spec, Some at, created, c) -> struct (Schedule(spec, at, created), c)
        | _ -> raise Malformed
    | struct (3uy, c) -> idAndResult Complete c
    | struct (4uy, c) -> idAndResult Fail c
    | struct (5uy, c) -> idOnly Delete c
    | struct (6uy, c) -> idOnly Expire c
    | struct (7uy, c) -> idOnly StartAttempt c
    | struct (8uy, c) -> idOnly TimeoutAttempt c
    | struct (other, c) when c.Pos = c.End -> struct (Unknown other, c)
    | _ -> raise Malformed

let private record c =
    let struct (at, _, c) = time c
    let struct (_, c) = Cursor.uvarint c
    let struct (entry, c) = entry c
    struct ({ At = at; Entry = entry }, c)

/// The record in exactly these checksummed bytes (time, size, payload), or None if they
/// do not hold one the original could have written.
let decode (bytes: byte[]) (start: int) (length: int) : Record option = Cursor.run record bytes start length

/// Reads a whole segment: every sound record, and the first damage if any. A file that
/// holds the start of the header and no more is a header cut short: the original creates
/// a segment, then writes its header.
let read (bytes: byte[]) (length: int) : Contents =
    let headed = min length headerSize
    if not (ReadOnlySpan(bytes, 0, headed).SequenceEqual(ReadOnlySpan(header, 0, headed))) then
        { Records = []; SoundLength = 0; Damage = Some Segment.BadHeader }
    elif length < headerSize then
        { Records = []; SoundLength = 0; Damage = Some(Segment.TornTail 0) }
    else
        let records, sound, damage = Segment.readRecordsWith scan decode bytes length headerSize
        { Records = records; SoundLength = sound; Damage = damage }
