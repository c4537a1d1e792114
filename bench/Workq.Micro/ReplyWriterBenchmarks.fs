namespace Workq.Micro

open System.Buffers
open BenchmarkDotNet.Attributes
open Workq.Domain
open Workq.Micro.Samples

/// Writing the replies of the hot paths into a reused buffer, as the host does.
[<MemoryDiagnoser; OperationsPerSecond>]
type ReplyWriterBenchmarks() =
    let output = ArrayBufferWriter<byte>(4096)
    let lease = LeaseOf leasedJob
    let result = ResultOf(jobId 1, { Success = true; Data = payload })

    member private _.Write reply =
        output.ResetWrittenCount()
        ReplyWriter.write output reply
        output.WrittenCount

    [<Benchmark>]
    member this.Ok() = this.Write Done

    [<Benchmark>]
    member this.Lease() = this.Write lease

    [<Benchmark>]
    member this.Result() = this.Write result
