/// Record framing: `[length u32][crc32c u32][body]`, little-endian. The checksum covers
/// the length and the body, so a damaged length is caught too.
module Workq.Domain.CommandLog.Records

open System
open System.Buffers
open System.Buffers.Binary
open System.Numerics

let headerSize = 8

/// Bodies are an event: at most a 1 MiB payload or result plus its fields.
let maxBody = 2 * 1024 * 1024

let checksum (length: int) (body: ReadOnlySpan<byte>) =
    let mutable crc = BitOperations.Crc32C(0xFFFFFFFFu, uint32 length)
    let mutable i = 0
    while i + 8 <= body.Length do
        crc <- BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(body.Slice(i, 8)))
        i <- i + 8
    while i < body.Length do
        crc <- BitOperations.Crc32C(crc, body.[i])
        i <- i + 1
    ~~~crc

/// Writes one record whose body `writeBody` produces, framed and checksummed.
let write (out: IBufferWriter<byte>) (writeBody: IBufferWriter<byte> -> unit) =
    let body = ArrayBufferWriter<byte>()
    writeBody body
    let span = out.GetSpan(headerSize + body.WrittenCount)
    BinaryPrimitives.WriteInt32LittleEndian(span, body.WrittenCount)
    BinaryPrimitives.WriteUInt32LittleEndian(span.Slice 4, checksum body.WrittenCount body.WrittenSpan)
    body.WrittenSpan.CopyTo(span.Slice headerSize)
    out.Advance(headerSize + body.WrittenCount)

/// What lies at a position of a file's bytes.
type Scan =
    /// A sound record: its body's offset and length, and where the next one starts.
    | Record of bodyStart: int * bodyLength: int * next: int
    /// Nothing more: the position is the end.
    | End
    /// The bytes stop inside a record, or its last record is damaged: a write cut short.
    | Torn
    /// A damaged record with more bytes after it.
    | Corrupt

let scan (bytes: byte[]) (pos: int) (length: int) : Scan =
    let remaining = length - pos
    if remaining = 0 then End
    elif remaining < headerSize then Torn
    else
        let bodyLength = BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(bytes, pos, 4))
        let stored = BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, pos + 4, 4))
        // A write cut short leaves a prefix of a sound record, whose length is sane.
        if bodyLength < 0 || bodyLength > maxBody then Corrupt
        elif remaining < headerSize + bodyLength then Torn
        elif checksum bodyLength (ReadOnlySpan(bytes, pos + headerSize, bodyLength)) <> stored then
            if pos + headerSize + bodyLength = length then Torn else Corrupt
        else Record(pos + headerSize, bodyLength, pos + headerSize + bodyLength)
