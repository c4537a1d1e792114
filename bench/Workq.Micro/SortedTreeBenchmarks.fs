namespace Workq.Micro

open System
open System.Collections.Generic
open BenchmarkDotNet.Attributes
open Workq.Domain

/// The inputs: 500,000 int keys in order and shuffled, and structures holding them all.
type TreeInputs(capacity: int) =
    static let count = 500_000
    static let sequential = Array.init count id
    static let shuffled =
        let random = Random(42)
        let keys = Array.copy sequential
        random.Shuffle keys
        keys

    let tree keys =
        keys |> Array.fold (fun t k -> SortedTree.add k k t) (SortedTree.Internal.emptyWith capacity Comparer<int>.Default)

    static member Count = count
    member _.Sequential = sequential
    member _.Shuffled = shuffled
    member _.EmptyTree = SortedTree.Internal.emptyWith<int, int> capacity Comparer<int>.Default
    member val FullMap = sequential |> Array.fold (fun m k -> Map.add k k m) Map.empty
    member val FullTree = tree sequential
    /// Filled in random order: leaves about 70% full rather than 100%.
    member val ShuffledTree = tree shuffled

module private TreeRuns =
    let addAll (keys: int[]) empty add = Array.fold (fun t k -> add k k t) empty keys

    let findAll (keys: int[]) find structure =
        Array.fold (fun hits k -> if ValueOption.isSome (find k structure) then hits + 1 else hits) 0 keys

    /// A queue's churn: the least key out, a new greatest in, `times` times.
    let rec churn times next minKey remove add structure =
        if times = 0 then structure
        else churn (times - 1) (next + 1) minKey remove add (structure |> remove (minKey structure) |> add next next)

/// SortedTree (default capacity) against F# Map over 500,000 int keys. Times and
/// allocations are per operation.
[<MemoryDiagnoser>]
[<SimpleJob(launchCount = 1, warmupCount = 2, iterationCount = 6)>]
type SortedTreeBenchmarks() =
    let inputs = TreeInputs(32)
    let n = TreeInputs.Count

    [<Benchmark(OperationsPerInvoke = 500_000, Baseline = true)>]
    member _.MapAddSequential() = TreeRuns.addAll inputs.Sequential Map.empty Map.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TreeAddSequential() = TreeRuns.addAll inputs.Sequential inputs.EmptyTree SortedTree.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.MapAddRandom() = TreeRuns.addAll inputs.Shuffled Map.empty Map.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TreeAddRandom() = TreeRuns.addAll inputs.Shuffled inputs.EmptyTree SortedTree.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.MapTryFind() = TreeRuns.findAll inputs.Shuffled (fun k m -> Map.tryFind k m |> ValueOption.ofOption) inputs.FullMap

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TreeTryFind() = TreeRuns.findAll inputs.Shuffled SortedTree.tryFindV inputs.FullTree

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.MapRemoveRandom() = Array.fold (fun m k -> Map.remove k m) inputs.FullMap inputs.Shuffled

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TreeRemoveRandom() = Array.fold (fun t k -> SortedTree.remove k t) inputs.FullTree inputs.Shuffled

    /// One operation: a remove of the least key and an add of a new greatest.
    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.MapChurn() =
        TreeRuns.churn n n (fun (m: Map<int, int>) -> (Map.minKeyValue m |> fst)) Map.remove Map.add inputs.FullMap

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TreeChurn() =
        TreeRuns.churn n n (fun t -> (SortedTree.minKey t).Value) SortedTree.remove SortedTree.add inputs.FullTree

/// SortedTree alone at node capacities 16, 32, 64.
[<MemoryDiagnoser>]
[<SimpleJob(launchCount = 1, warmupCount = 2, iterationCount = 6)>]
type SortedTreeCapacityBenchmarks() =
    let mutable inputs = Unchecked.defaultof<TreeInputs>
    let n = TreeInputs.Count

    [<Params(16, 32, 64)>]
    member val Capacity = 32 with get, set

    [<GlobalSetup>]
    member this.Setup() = inputs <- TreeInputs(this.Capacity)

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.AddSequential() = TreeRuns.addAll inputs.Sequential inputs.EmptyTree SortedTree.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.AddRandom() = TreeRuns.addAll inputs.Shuffled inputs.EmptyTree SortedTree.add

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.TryFind() = TreeRuns.findAll inputs.Shuffled SortedTree.tryFindV inputs.ShuffledTree

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.RemoveRandom() = Array.fold (fun t k -> SortedTree.remove k t) inputs.ShuffledTree inputs.Shuffled

    [<Benchmark(OperationsPerInvoke = 500_000)>]
    member _.Churn() = TreeRuns.churn n n (fun t -> (SortedTree.minKey t).Value) SortedTree.remove SortedTree.add inputs.FullTree

/// Memory a structure of 500,000 entries (Guid key, object value) keeps alive, measured
/// with `GC.GetTotalMemory(true)` around building it: `dotnet run -c Release -- retained`.
/// Each measurement runs in a process of its own: in one process, what earlier ones left
/// in the heap skews the later ones.
module Retained =
    let private count = 500_000

    let private structures: (string * (Guid[] -> obj[] -> obj)) list =
        [ yield "Map<Guid, obj>", (fun keys values -> Array.fold2 (fun m k v -> Map.add k v m) Map.empty keys values :> obj)
          for capacity in [ 16; 32; 64 ] do
              let empty = SortedTree.Internal.emptyWith capacity Comparer<Guid>.Default
              yield sprintf "SortedTree<Guid, obj>, capacity %d" capacity,
                    (fun keys values -> Array.fold2 (fun t k v -> SortedTree.add k v t) empty keys values :> obj)
          yield "Set<Guid>", (fun keys _ -> Array.fold (fun s k -> Set.add k s) Set.empty keys :> obj)
          yield "SortedKeys<Guid>",
                (fun keys _ -> Array.fold (fun s k -> SortedKeys.add k s) (SortedKeys.empty Comparer<Guid>.Default) keys :> obj) ]

    /// Bytes per entry that structure `index` keeps, its keys in order or shuffled.
    let private measure index ordered =
        let random = Random(42)
        let shuffled = Array.init count (fun _ -> Guid(Array.init 16 (fun _ -> byte (random.Next 256))))
        // In order, as version-7 ids arrive.
        let keys = if ordered then Array.sort shuffled else shuffled
        let values = Array.init count (fun _ -> obj ())
        let build = snd structures[index]
        let before = GC.GetTotalMemory true
        let built = build keys values
        let after = GC.GetTotalMemory true
        // Everything measured around stays alive throughout.
        GC.KeepAlive built
        GC.KeepAlive shuffled
        GC.KeepAlive keys
        GC.KeepAlive values
        float (after - before) / float count

    let private inChild (index: int) (ordered: bool) =
        let self = Environment.ProcessPath |> Option.ofObj |> Option.defaultValue "dotnet"
        let start =
            Diagnostics.ProcessStartInfo(self, RedirectStandardOutput = true, UseShellExecute = false)
        if IO.Path.GetFileNameWithoutExtension self = "dotnet" then
            start.ArgumentList.Add(Reflection.Assembly.GetExecutingAssembly().Location)
        for arg in [ "retained"; string index; string ordered ] do
            start.ArgumentList.Add arg
        match Diagnostics.Process.Start start with
        | null -> failwith "could not start a measuring process"
        | child ->
            use child = child
            let output = child.StandardOutput.ReadToEnd()
            child.WaitForExit()
            float (output.Trim())

    let run (argv: string[]) =
        match argv with
        | [| _; index; ordered |] -> printfn "%f" (measure (int index) (Boolean.Parse ordered))
        | _ ->
            printfn "Retained bytes per entry, %d entries, Guid keys (values preallocated, not counted):" count
            printfn "%-34s %10s %10s" "" "in order" "shuffled"
            structures |> List.iteri (fun i (name, _) -> printfn "%-34s %10.1f %10.1f" name (inChild i true) (inChild i false))
        0
