module Workq.Micro.Program

open BenchmarkDotNet.Running

/// BenchmarkDotNet's switcher: `--filter '*'` runs everything, `--list flat` lists.
/// `retained` measures the memory SortedTree and Map keep per entry instead.
[<EntryPoint>]
let main argv =
    match argv with
    | _ when argv.Length > 0 && argv[0] = "retained" -> Workq.Micro.Retained.run argv
    | _ ->
        BenchmarkSwitcher.FromAssembly(typeof<ProtocolBenchmarks>.Assembly).Run(argv) |> ignore
        0
