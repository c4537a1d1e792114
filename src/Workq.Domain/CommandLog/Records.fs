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

/// The CRC-32C register after `bytes`, from `crc`: no inversions, so that a checksum can
/// start with a field that is not in a buffer.
let private crcUpdate (crc: uint32) (bytes: ReadOnlySpan<byte>) =
    let mutable crc = crc
    let mutable i = 0
    while i + 8 <= bytes.Length do
        crc <- BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i, 8)))
        i <- i + 8
    while i < bytes.Length do
        crc <- BitOperations.Crc32C(crc, bytes.[i])
        i <- i + 1
    crc

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR
/// 0xFFFFFFFF) of `bytes`; the checksum of the original Workq's records too.
let crc32c (bytes: ReadOnlySpan<byte>) = ~~~(crcUpdate 0xFFFFFFFFu bytes)

/// The CRC-32C of the length field (as its four little-endian bytes) and the body.
let checksum (length: int) (body: ReadOnlySpan<byte>) =
    ~~~(crcUpdate (BitOperations.Crc32C(0xFFFFFFFFu, uint32 length)) body)

/// Writes one record holding `body`, framed and checksummed.
let frame (out: IBufferWriter<byte>) (body: ReadOnlySpan<byte>) =
    let span = out.GetSpan(headerSize + body.Length)
    BinaryPrimitives.WriteInt32LittleEndian(span, body.Length)
    BinaryPrimitives.WriteUInt32LittleEndian(span.Slice 4, checksum body.Length body)
    body.CopyTo(span.Slice headerSize)
    out.Advance(headerSize + body.Length)

/// Writes one record whose body `writeBody` produces.
let write (out: IBufferWriter<byte>) (writeBody: IBufferWriter<byte> -> unit) =
    let body = ArrayBufferWriter<byte>()
    writeBody body
    frame out body.WrittenSpan

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
