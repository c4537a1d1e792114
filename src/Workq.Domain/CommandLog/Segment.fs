/// A segment file: a header naming the format, then event records.
module Workq.Domain.CommandLog.Segment

open System
open System.Buffers.Binary
open System.Text
open Workq.Domain

let version = 1u
let private magic = Encoding.ASCII.GetBytes "WORKQLOG"
let headerSize = 16

/// `WORKQLOG`, the format version, four reserved bytes.
let header () =
    let bytes = Array.zeroCreate<byte> headerSize
    magic.CopyTo(bytes, 0)
    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan 8, version)
    bytes

/// What went wrong in a file, and where.
type Damage =
    /// The last record was cut short (a crash mid-write); everything before it is sound.
    | TornTail of offset: int
    /// A damaged record with data after it, or a record that does not decode.
    | Corrupt of offset: int
    /// The file does not start with a segment header of a known version.
    | BadHeader

type Contents =
    { Events: JobEvent list
      /// Where the sound records end.
      SoundLength: int
      Damage: Damage option }

/// Checks a file's header; an empty file (created, never written) is not one.
let private checkHeader (expected: byte[]) (bytes: byte[]) (length: int) =
    length >= headerSize
    && ReadOnlySpan(bytes, 0, 8).SequenceEqual(ReadOnlySpan expected)
    && BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, 8, 4)) = version

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
        { Events = []; SoundLength = 0; Damage = (if length = 0 then None else Some(TornTail 0)) }
    elif ReadOnlySpan(bytes, 0, length).IndexOfAnyExcept 0uy < 0 then
        // So is a file of zeros: its size reached the disk before its bytes did. No record
        // is all zeros (a checksum of zeros is not zero).
        { Events = []; SoundLength = 0; Damage = Some(TornTail 0) }
    elif not (checkHeader magic bytes length) then
        { Events = []; SoundLength = 0; Damage = Some BadHeader }
    else
        let events, sound, damage = readRecords EventCodec.decode bytes length headerSize
        { Events = events; SoundLength = sound; Damage = damage }

let isHeaderOf (expected: string) (bytes: byte[]) (length: int) =
    checkHeader (Encoding.ASCII.GetBytes expected) bytes length
