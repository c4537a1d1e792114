/// Writing protocol text straight into an IBufferWriter, with no intermediate strings.
module internal Workq.Domain.Wire

open System
open System.Buffers
open System.Buffers.Text
open System.Text

let crlf = "\r\n"B

let bytes (output: IBufferWriter<byte>) (data: byte[]) = output.Write(ReadOnlySpan data)

let byte1 (output: IBufferWriter<byte>) (b: byte) =
    let span = output.GetSpan 1
    span.[0] <- b
    output.Advance 1

let space (output: IBufferWriter<byte>) = byte1 output 0x20uy

let newline (output: IBufferWriter<byte>) = bytes output crlf

/// Protocol text is ASCII (names, times): one byte per char.
let text (output: IBufferWriter<byte>) (s: string) =
    let span = output.GetSpan s.Length
    let written = Encoding.Latin1.GetBytes(s.AsSpan(), span)
    output.Advance written

let int64 (output: IBufferWriter<byte>) (value: int64) =
    // 20 bytes hold any int64, sign included.
    let span = output.GetSpan 20
    let mutable written = 0
    Utf8Formatter.TryFormat(value, span, &written) |> ignore
    output.Advance written

let int (output: IBufferWriter<byte>) (value: int) = int64 output (Operators.int64 value)

/// Lowercase canonical `8-4-4-4-12`.
let jobId (output: IBufferWriter<byte>) (id: JobId) =
    let span = output.GetSpan 36
    let mutable written = 0
    Utf8Formatter.TryFormat(id.Guid, span, &written, StandardFormat 'D') |> ignore
    output.Advance written

let name (output: IBufferWriter<byte>) (name: JobName) = text output name.Value

/// Everything a writer wrote, as one array.
let toBytes (write: IBufferWriter<byte> -> 'a -> unit) (value: 'a) : byte[] =
    let buffer = ArrayBufferWriter<byte>()
    write buffer value
    buffer.WrittenSpan.ToArray()
