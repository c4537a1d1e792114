/// Little-endian field encoding for the command log: a writer that grows a buffer and a
/// reader that refuses to read past the end (returning None instead of throwing).
module Workq.Domain.CommandLog.Binary

open System
open System.Buffers
open System.Buffers.Binary
open System.Text

let writeU8 (out: IBufferWriter<byte>) (v: byte) =
    out.GetSpan(1).[0] <- v
    out.Advance 1

let writeI32 (out: IBufferWriter<byte>) (v: int) =
    BinaryPrimitives.WriteInt32LittleEndian(out.GetSpan 4, v)
    out.Advance 4

let writeU32 (out: IBufferWriter<byte>) (v: uint32) =
    BinaryPrimitives.WriteUInt32LittleEndian(out.GetSpan 4, v)
    out.Advance 4

let writeI64 (out: IBufferWriter<byte>) (v: int64) =
    BinaryPrimitives.WriteInt64LittleEndian(out.GetSpan 8, v)
    out.Advance 8

let writeGuid (out: IBufferWriter<byte>) (g: Guid) =
    g.TryWriteBytes(out.GetSpan 16) |> ignore
    out.Advance 16

let writeBytes (out: IBufferWriter<byte>) (data: ReadOnlySpan<byte>) =
    writeI32 out data.Length
    data.CopyTo(out.GetSpan data.Length)
    out.Advance data.Length

/// A short ASCII string (names): one length byte, then the bytes.
let writeShortString (out: IBufferWriter<byte>) (s: string) =
    writeU8 out (byte s.Length)
    let n = Encoding.ASCII.GetBytes(s, out.GetSpan s.Length)
    out.Advance n

/// A position in a byte array. Readers return the value and the next position, or None
/// when the bytes run out or do not make a value.
[<Struct>]
type Cursor = { Bytes: byte[]; Pos: int; End: int }

module Cursor =
    let over (bytes: byte[]) start length = { Bytes = bytes; Pos = start; End = start + length }
    let atEnd c = c.Pos = c.End

    let u8 c = if c.Pos < c.End then Some(c.Bytes.[c.Pos], { c with Pos = c.Pos + 1 }) else None

    let i32 c =
        if c.End - c.Pos >= 4 then
            Some(BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(c.Bytes, c.Pos, 4)), { c with Pos = c.Pos + 4 })
        else None

    let i64 c =
        if c.End - c.Pos >= 8 then
            Some(BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(c.Bytes, c.Pos, 8)), { c with Pos = c.Pos + 8 })
        else None

    let guid c =
        if c.End - c.Pos >= 16 then Some(Guid(ReadOnlySpan(c.Bytes, c.Pos, 16)), { c with Pos = c.Pos + 16 }) else None

    let bytes c =
        i32 c
        |> Option.bind (fun (n, c) ->
            if n >= 0 && c.End - c.Pos >= n then Some(c.Bytes.AsSpan(c.Pos, n).ToArray(), { c with Pos = c.Pos + n })
            else None)

    let shortString c =
        u8 c
        |> Option.bind (fun (n, c) ->
            if c.End - c.Pos >= int n then
                Some(Encoding.ASCII.GetString(c.Bytes, c.Pos, int n), { c with Pos = c.Pos + int n })
            else None)

/// Sequencing for cursor readers: `read { let! x = Cursor.i32 ... }`.
type ReadBuilder() =
    member _.Bind(reader: Cursor -> ('a * Cursor) option, f: 'a -> Cursor -> ('b * Cursor) option) =
        fun c -> reader c |> Option.bind (fun (a, c) -> f a c)
    member _.Return(v) = fun (c: Cursor) -> Some(v, c)
    member _.ReturnFrom(reader: Cursor -> ('a * Cursor) option) = reader

let read = ReadBuilder()

/// A reader that fails unless `check` holds.
let fromOption (v: 'a option) = fun (c: Cursor) -> v |> Option.map (fun v -> v, c)
