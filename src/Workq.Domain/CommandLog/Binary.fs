/// Little-endian field encoding for the command log: a writer that grows a buffer and a
/// reader that refuses to read past the end (returning None instead of throwing). The
/// reader also takes the varints and raw spans of the original Workq's log.
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

/// A field that runs past the end of its record, or holds a value out of range.
exception Malformed

/// An unsigned LEB128 varint (Go's uvarint) at `pos`, in the bytes before `limit`: its
/// value and how many bytes it takes; 0 bytes if the bytes end inside it, -1 if it does
/// not fit 64 bits (as Go decides: the tenth byte may hold only bit 63).
let uvarintAt (bytes: byte[]) (pos: int) (limit: int) : struct (uint64 * int) =
    let rec go i shift (acc: uint64) =
        if i >= limit then struct (0UL, 0)
        else
            let b = bytes.[i]
            if i - pos = 9 && b > 1uy then struct (0UL, -1)
            elif b < 0x80uy then struct (acc ||| (uint64 b <<< shift), i - pos + 1)
            else go (i + 1) (shift + 7) (acc ||| (uint64 (b &&& 0x7Fuy) <<< shift))
    go pos 0 0UL

/// A position in a record's bytes. Each reader returns the value and the position after
/// it, and raises Malformed on bytes that do not make a value; `Cursor.run` turns that
/// into None, so decoding is total. (Replay reads millions of records: plain struct
/// returns keep it fast, where a reader combinator allocated per field.)
[<Struct>]
type Cursor = { Bytes: byte[]; Pos: int; End: int }

module Cursor =
    let over (bytes: byte[]) start length = { Bytes = bytes; Pos = start; End = start + length }

    let private need n c = if n < 0 || c.End - c.Pos < n then raise Malformed

    /// The value, if there is one.
    let valid (v: 'a option) =
        match v with
        | Some x -> x
        | None -> raise Malformed

    let u8 c =
        need 1 c
        struct (c.Bytes.[c.Pos], { c with Pos = c.Pos + 1 })

    let i32 c =
        need 4 c
        struct (BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(c.Bytes, c.Pos, 4)), { c with Pos = c.Pos + 4 })

    let i64 c =
        need 8 c
        struct (BinaryPrimitives.ReadInt64LittleEndian(ReadOnlySpan(c.Bytes, c.Pos, 8)), { c with Pos = c.Pos + 8 })

    let guid c =
        need 16 c
        struct (Guid(ReadOnlySpan(c.Bytes, c.Pos, 16)), { c with Pos = c.Pos + 16 })

    let bytes c =
        let struct (n, c) = i32 c
        need n c
        struct (c.Bytes.AsSpan(c.Pos, n).ToArray(), { c with Pos = c.Pos + n })

    /// Skips `n` raw bytes; returns where they start.
    let take n c =
        need n c
        struct (c.Pos, { c with Pos = c.Pos + n })

    let uvarint c =
        match uvarintAt c.Bytes c.Pos c.End with
        | struct (v, n) when n > 0 -> struct (v, { c with Pos = c.Pos + n })
        | _ -> raise Malformed

    let shortString c =
        let struct (n, c) = u8 c
        need (int n) c
        struct (Encoding.ASCII.GetString(c.Bytes, c.Pos, int n), { c with Pos = c.Pos + int n })

    /// Reads exactly the `length` bytes at `start` with `reader`; None if they do not
    /// hold one value, whole.
    let run (reader: Cursor -> struct ('a * Cursor)) (bytes: byte[]) (start: int) (length: int) : 'a option =
        try
            let struct (v, rest) = reader (over bytes start length)
            if rest.Pos = rest.End then Some v else None
        with Malformed ->
            None
