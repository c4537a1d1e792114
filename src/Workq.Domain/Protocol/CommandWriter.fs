module Workq.Domain.CommandWriter

open System.Buffers

let write (output: IBufferWriter<byte>) (command: Command) : unit = failwith "TODO"
