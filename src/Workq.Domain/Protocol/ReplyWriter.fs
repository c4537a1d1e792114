module Workq.Domain.ReplyWriter

open System.Buffers

let write (output: IBufferWriter<byte>) (reply: Reply) : unit = failwith "TODO"
