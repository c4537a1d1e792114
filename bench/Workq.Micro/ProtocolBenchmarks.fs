namespace Workq.Micro

open BenchmarkDotNet.Attributes
open Workq.Domain
open Workq.Micro.Samples

/// The two steps of reading a request: framing its line, then parsing line and data.
/// `Parse*` take the plain-form path, as a client's requests do; `*ByGrammar` show what
/// the same lines cost through the FParsec grammar alone.
[<MemoryDiagnoser; OperationsPerSecond>]
type ProtocolBenchmarks() =
    [<Benchmark>]
    member _.ClassifyAdd() = Framing.classify addLine

    [<Benchmark>]
    member _.ClassifyLease() = Framing.classify leaseLine

    [<Benchmark>]
    member _.ParseAdd() = Parser.parse addLine payload

    [<Benchmark>]
    member _.ParseLease() = Parser.parse leaseLine [||]

    [<Benchmark>]
    member _.ParseAddByGrammar() = Parser.parseByGrammar addLine payload

    [<Benchmark>]
    member _.ParseLeaseByGrammar() = Parser.parseByGrammar leaseLine [||]
