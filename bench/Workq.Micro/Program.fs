module Workq.Micro.Program

open BenchmarkDotNet.Running

/// BenchmarkDotNet's switcher: `--filter '*'` runs everything, `--list flat` lists.
[<EntryPoint>]
let main argv =
    BenchmarkSwitcher.FromAssembly(typeof<ProtocolBenchmarks>.Assembly).Run(argv) |> ignore
    0
