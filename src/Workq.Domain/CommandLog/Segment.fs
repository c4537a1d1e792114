/// A segment file: a header naming the format, then event records.
module Workq.Domain.CommandLog.Segment

open System
open System.Buffers.Binary
open System.Text
open Workq.Domain

/// The format written: 2 added back-offs, delayed retries, lease extensions, requeues and
/// recurring definitions to the events of 1. Files of every version up to this one are
/// read.
let version = 2u
let headerSize = 16

/// A file's header: its magic, the format version, four reserved bytes.
let headerOf (magic: string) =
    let bytes = Array.zeroCreate<byte> headerSize
    Encoding.ASCII.GetBytes(magic).CopyTo(bytes, 0)
    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan 8, version)
    bytes

/// `WORKQLOG`, the format version, four reserved bytes.
let header () = headerOf "WORKQLOG"

/// What went wrong in a file, and where.
type Damage =
    /// The last record was cut short (a crash mid-write); everything before it is sound.
    | TornTail of offset: int
    /// A damaged record with data after it, or a record that does not decode.
    | Corrupt of offset: int
    /// The file does not start with a segment header of a known version.
    | BadHeader

type Contents =
    { /// The format the file is written in (0 when it has no header).
      Version: uint32
      Events: JobEvent list
      /// Where the sound records end.
      SoundLength: int
      Damage: Damage option }

/// The format version of a file whose header has this magic and a version this server
/// reads; None otherwise (an empty file, created and never written, has no header).
let versionOf (expected: string) (bytes: byte[]) (length: int) : uint32 option =
    if length >= headerSize && ReadOnlySpan(bytes, 0, 8).SequenceEqual(ReadOnlySpan(Encoding.ASCII.GetBytes expected)) then
        let v = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, 8, 4))
        if v >= 1u && v <= version then Some v else None
    else None

/// Whether a sound record starts anywhere after `pos`. A write cut short leaves nothing
/// sound behind it, so a bad record followed by a sound one is damage, not a torn tail
/// (a flipped bit in a length can make a record seem to run past the end of the file).
let private soundRecordAfter (scan: byte[] -> int -> int -> Records.Scan) (bytes: byte[]) (pos: int) (length: int) =
    seq { pos + 1 .. length - 1 }
    |> Seq.exists (fun q ->
        match scan bytes q length with
        | Records.Record _ -> true
        | _ -> false)

/// Reads the records that follow a header, framed as `scan` finds them (ours, or the
/// original Workq's), decoding each body with `decode`.
let readRecordsWith
    (scan: byte[] -> int -> int -> Records.Scan)
    (decode: byte[] -> int -> int -> 'a option)
    (bytes: byte[])
    (length: int)
    (start: int)
    =
    let rec go pos acc =
        match scan bytes pos length with
        | Records.End -> List.rev acc, pos, None
        | Records.Torn when soundRecordAfter scan bytes pos length -> List.rev acc, pos, Some(Corrupt pos)
        | Records.Torn -> List.rev acc, pos, Some(TornTail pos)
        | Records.Corrupt -> List.rev acc, pos, Some(Corrupt pos)
        | Records.Record(bodyStart, bodyLength, next) ->
            match decode bytes bodyStart bodyLength with
            | Some item -> go next (item :: acc)
            | None -> List.rev acc, pos, Some(Corrupt pos)
    go start []

/// Reads our records that follow a header, decoding each body with `decode`.
let readRecords (decode: byte[] -> int -> int -> 'a option) = readRecordsWith Records.scan decode

/// Reads a whole segment: every sound event, and the first damage if any.
let read (bytes: byte[]) (length: int) : Contents =
    if length < headerSize then
        // A header cut short is a torn write of a brand-new segment.
        { Version = 0u; Events = []; SoundLength = 0; Damage = (if length = 0 then None else Some(TornTail 0)) }
    elif ReadOnlySpan(bytes, 0, length).IndexOfAnyExcept 0uy < 0 then
        // So is a file of zeros: its size reached the disk before its bytes did. No record
        // is all zeros (a checksum of zeros is not zero).
        { Version = 0u; Events = []; SoundLength = 0; Damage = Some(TornTail 0) }
    else
        match versionOf "WORKQLOG" bytes length with
        | None -> { Version = 0u; Events = []; SoundLength = 0; Damage = Some BadHeader }
        | Some v ->
            let events, sound, damage = readRecords EventCodec.decode bytes length headerSize
            { Version = v; Events = events; SoundLength = sound; Damage = damage }
