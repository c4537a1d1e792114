/// A writer of the original Workq 0.2.0's command log, built from the format description
/// (`shared/spec/original-cmdlog.md`) and sharing no code with the server's reader: the
/// tests' source of log directories "written by the original".
module Workq.Tests.OriginalLog

open System
open System.IO
open System.Text

/// CRC-32C bit by bit, as the format describes it: reflected polynomial 0x82F63B78,
/// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.
let crc32c (bytes: byte[]) =
    let step (crc: uint32) _ = if crc &&& 1u <> 0u then (crc >>> 1) ^^^ 0x82F63B78u else crc >>> 1
    bytes |> Array.fold (fun crc b -> Seq.fold step (crc ^^^ uint32 b) [ 1..8 ]) 0xFFFFFFFFu |> (~~~)

/// Go's uvarint: seven bits a byte, lowest first, the top bit set on all but the last.
let rec uvarint (v: uint64) : byte list =
    if v < 0x80UL then [ byte v ] else (byte (v &&& 0x7FUL) ||| 0x80uy) :: uvarint (v >>> 7)

/// Go's varint: zig-zag, then uvarint.
let varint (v: int64) = uvarint (uint64 ((v <<< 1) ^^^ (v >>> 63)))

let private bigEndian (width: int) (v: uint64) = [ for i in width - 1 .. -1 .. 0 -> byte (v >>> (8 * i)) ]

/// Go's `time.MarshalBinary` of a UTC time: version 1, seconds since 0001-01-01, nanoseconds,
/// zone offset -1 (UTC).
let goTime (t: DateTime) =
    let ticks = t.ToUniversalTime().Ticks
    [ 1uy ] @ bigEndian 8 (uint64 (ticks / TimeSpan.TicksPerSecond)) @ bigEndian 4 (uint64 (ticks % TimeSpan.TicksPerSecond * 100L)) @ [ 0xFFuy; 0xFFuy ]

/// Go's zero time, the scheduled time of an `add`.
let zeroTime = [ 1uy ] @ List.replicate 12 0uy @ [ 0xFFuy; 0xFFuy ]

type Job =
    { Id: Guid
      Name: string
      Ttr: uint64
      Ttl: uint64
      Priority: int64
      MaxAttempts: uint64
      MaxFails: uint64
      Payload: string
      /// A schedule's time; None for an add.
      Time: DateTime option
      Created: DateTime }

/// A job with a TTR of a minute and a TTL of an hour, no limits, its id as payload.
let job (id: Guid) name (created: DateTime) =
    { Id = id; Name = name; Ttr = 60_000UL; Ttl = 3_600_000UL; Priority = 0L; MaxAttempts = 0UL; MaxFails = 0UL
      Payload = string id; Time = None; Created = created }

type Command =
    | Add of Job
    | Schedule of Job
    | Complete of Guid * result: string
    | Fail of Guid * result: string
    | Delete of Guid
    | Expire of Guid
    | StartAttempt of Guid
    | TimeoutAttempt of Guid
    /// Payload bytes as given, for records the original would not write.
    | Raw of byte[]

let private text (s: string) = List.ofArray (Encoding.ASCII.GetBytes s)

let private sized (bytes: byte list) = uvarint (uint64 bytes.Length) @ bytes

let private id (g: Guid) = List.ofArray (g.ToByteArray(bigEndian = true))

let private jobFields (j: Job) =
    id j.Id
    @ sized (text j.Name)
    @ uvarint j.Ttr
    @ uvarint j.Ttl
    @ varint j.Priority
    @ uvarint j.MaxAttempts
    @ uvarint j.MaxFails
    @ sized (text j.Payload)
    @ (match j.Time with
       | Some t -> goTime t
       | None -> zeroTime)
    @ goTime j.Created

/// A record's payload: the type byte and its fields.
let payload (command: Command) : byte[] =
    match command with
    | Add j -> 1uy :: jobFields { j with Time = None }
    | Schedule j -> 2uy :: jobFields j
    | Complete(g, result) -> 3uy :: id g @ sized (text result)
    | Fail(g, result) -> 4uy :: id g @ sized (text result)
    | Delete g -> 5uy :: id g
    | Expire g -> 6uy :: id g
    | StartAttempt g -> 7uy :: id g
    | TimeoutAttempt g -> 8uy :: id g
    | Raw bytes -> List.ofArray bytes
    |> Array.ofList

/// `TIME | SIZE | PAYLOAD | CRC`, the CRC-32C of the rest, big-endian.
let recordOf (at: DateTime) (payloadBytes: byte[]) =
    let covered = goTime at @ sized (List.ofArray payloadBytes) |> Array.ofList
    Array.append covered (Array.ofList (bigEndian 4 (uint64 (crc32c covered))))

let record (at: DateTime) (command: Command) = recordOf at (payload command)

/// `wqwq`, version 1.
let header = [| 0x77uy; 0x71uy; 0x77uy; 0x71uy; 0uy; 0uy; 0uy; 1uy |]

let segmentOf (records: byte[] list) = Array.concat (header :: records)

/// A segment holding these commands at these times.
let segment (entries: (DateTime * Command) list) = entries |> List.map (fun (at, c) -> record at c) |> segmentOf

/// The file name of segment `number`.
let segmentName (number: int) = sprintf "%09d.log" number

let writeSegment (dir: string) (number: int) (bytes: byte[]) = File.WriteAllBytes(Path.Combine(dir, segmentName number), bytes)

/// Where each record of a segment starts.
let recordOffsets (records: byte[] list) =
    records |> List.scan (fun at (r: byte[]) -> at + r.Length) header.Length |> List.take records.Length
