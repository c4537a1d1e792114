/// SortedTree and SortedKeys against F# Map and Set: random runs of operations, the
/// tree's own invariants checked after every step.
module Workq.Properties.SortedTreeProperties

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Workq.Domain
open Workq.Domain.Collections

// ---- Keys

/// A key in a model Map, ordered by the comparer under test.
[<CustomEquality; CustomComparison>]
type Ordered<'K> =
    { Key: 'K
      By: IComparer<'K> }

    override this.Equals o =
        match o with
        | :? Ordered<'K> as other -> this.By.Compare(this.Key, other.Key) = 0
        | _ -> false

    override _.GetHashCode() = 0

    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? Ordered<'K> as other -> this.By.Compare(this.Key, other.Key)
            | _ -> invalidArg (nameof o) "not an Ordered"

/// A struct key, stored inline in the tree's arrays.
[<Struct>]
type Pair = { Major: int; Minor: int }

/// Minor descending, then major ascending.
type PairOrder() =
    interface IComparer<Pair> with
        member _.Compare(a, b) =
            let c = b.Minor.CompareTo a.Minor
            if c <> 0 then c else a.Major.CompareTo b.Major

/// A way to make keys from the ints the operations name.
type Keys<'K> = { Name: string; Comparer: IComparer<'K>; Of: int -> 'K }

let private ints = { Name = "int keys"; Comparer = Comparer<int>.Default; Of = id }
let private reversed = { Name = "int keys, reverse order"; Comparer = Comparer<int>.Create(fun a b -> b.CompareTo a); Of = id }
let private pairs = { Name = "struct keys, custom order"; Comparer = PairOrder(); Of = fun n -> { Major = n / 5; Minor = n % 5 } }
let private strings = { Name = "string keys"; Comparer = StringComparer.Ordinal; Of = sprintf "k%06d" }

// ---- Operations

type Op =
    | Add of key: int * value: int
    | Remove of key: int
    | Find of key: int
    | Min
    | Skip of offset: int
    /// Keys `start`, `start + 1`, ... (or downwards): arrival order.
    | AddRun of start: int * length: int * descending: bool
    | RemoveRun of start: int * length: int
    /// The least key out, `times` times: a queue's churn.
    | PopMin of times: int

/// Sizes for a node capacity: keys from 0 to `Range - 1`, runs up to `Run` long.
type private Scale = { Capacity: int option; Range: int; Run: int; Steps: int }

let private small = { Capacity = Some 4; Range = 64; Run = 40; Steps = 60 }
let private large = { Capacity = None; Range = 20_000; Run = 1_500; Steps = 40 }

let private genOp scale =
    let key = Gen.choose (0, scale.Range - 1)
    let length = Gen.choose (1, scale.Run)
    Gen.frequency
        [ 6, Gen.map2 (fun k v -> Add(k, v)) key (Gen.choose (0, 9))
          4, Gen.map Remove key
          2, Gen.map Find key
          1, Gen.constant Min
          2, Gen.map Skip (Gen.choose (-1, scale.Range))
          2, Gen.map3 (fun s n d -> AddRun(s, n, d)) key length (Gen.elements [ false; true ])
          1, Gen.map2 (fun s n -> RemoveRun(s, n)) key length
          1, Gen.map PopMin length ]

/// Operation lists, shrunk by dropping operations.
let private arbOps scale =
    let shrink (ops: Op list) =
        seq {
            if ops.Length > 1 then
                yield List.take (ops.Length / 2) ops
                yield List.skip (ops.Length / 2) ops
            for i in 0 .. ops.Length - 1 -> List.removeAt i ops
        }
    Arb.fromGenShrink (Gen.sized (fun size -> Gen.listOfLength (min size scale.Steps) (genOp scale)), shrink)

let private runKeys (op: Op) =
    match op with
    | AddRun(start, length, descending) -> if descending then [ start .. -1 .. start - length + 1 ] else [ start .. start + length - 1 ]
    | RemoveRun(start, length) -> [ start .. start + length - 1 ]
    | _ -> []

// ---- Runs against the models

let private emptyTree (scale: Scale) (keys: Keys<'K>) : SortedTree<'K, int> =
    match scale.Capacity with
    | Some capacity -> SortedTree.Internal.emptyWith capacity keys.Comparer
    | None -> SortedTree.empty keys.Comparer

let private emptyKeys (scale: Scale) (keys: Keys<'K>) : SortedKeys<'K> =
    match scale.Capacity with
    | Some capacity -> SortedKeys.Internal.emptyWith capacity keys.Comparer
    | None -> SortedKeys.empty keys.Comparer

let private expect what actual expected =
    if actual = expected then [] else [ sprintf "%s: %A, expected %A" what actual expected ]

/// Runs `ops` on a structure and its model side by side; the first step where they
/// differ or the structure breaks its invariants, if any.
let private session describe (step: 'S -> 'M -> Op -> 'S * 'M * string list) (check: 'S -> 'M -> string list) (tree: 'S) (model: 'M) ops =
    let rec go tree model done' ops =
        match ops with
        | [] -> Ok()
        | op :: rest ->
            let tree, model, answers = step tree model op
            match answers @ check tree model with
            | [] -> go tree model (op :: done') rest
            | problems ->
                Error(sprintf "after %A (step %d) of %s:\n%s\ntree: %s" op (List.length done' + 1) describe (String.concat "\n" problems) (string tree))
    go tree model [] ops

let private toProperty result =
    match result with
    | Ok() -> Prop.ofTestable true
    | Error why -> Prop.ofTestable false |> Prop.label why

let private mapSession (scale: Scale) (keys: Keys<'K>) (ops: Op list) =
    let ordered n = { Key = keys.Of n; By = keys.Comparer }
    let entries (model: Map<Ordered<'K>, int>) = model |> Map.toList |> List.map (fun (k, v) -> k.Key, v)
    let step (tree: SortedTree<'K, int>) (model: Map<Ordered<'K>, int>) op =
        match op with
        | Add(k, v) -> SortedTree.add (keys.Of k) v tree, Map.add (ordered k) v model, []
        | Remove k ->
            let removed = SortedTree.remove (keys.Of k) tree
            let same =
                if model.ContainsKey(ordered k) || obj.ReferenceEquals(removed, tree) then []
                else [ "removing an absent key made a new tree" ]
            removed, Map.remove (ordered k) model, same
        | Find k ->
            let expected = Map.tryFind (ordered k) model
            tree, model,
            expect "tryFind" (SortedTree.tryFind (keys.Of k) tree) expected
            @ expect "tryFindV" (SortedTree.tryFindV (keys.Of k) tree) (ValueOption.ofOption expected)
            @ expect "containsKey" (SortedTree.containsKey (keys.Of k) tree) expected.IsSome
        | Min ->
            let least = entries model |> List.tryHead
            let greatest = entries model |> List.tryLast
            tree, model,
            expect "tryMin" (SortedTree.tryMin tree) least
            @ expect "minKey" (SortedTree.minKey tree) (least |> Option.map fst |> ValueOption.ofOption)
            @ expect "minKeyValue" (SortedTree.minKeyValue tree) (least |> Option.map (fun (k, v) -> struct (k, v)) |> ValueOption.ofOption)
            @ expect "maxKey" (SortedTree.maxKey tree) (greatest |> Option.map fst |> ValueOption.ofOption)
        | Skip offset ->
            let all = entries model
            let expected = List.skip (max 0 offset |> min all.Length) all
            tree, model, expect (sprintf "skip %d" offset) (SortedTree.skip offset tree |> Seq.map (fun (KeyValue(k, v)) -> k, v) |> List.ofSeq) expected
        | AddRun _ ->
            let run = runKeys op
            List.fold (fun t k -> SortedTree.add (keys.Of k) k t) tree run, List.fold (fun m k -> Map.add (ordered k) k m) model run, []
        | RemoveRun _ ->
            let run = runKeys op
            List.fold (fun t k -> SortedTree.remove (keys.Of k) t) tree run, List.fold (fun m k -> Map.remove (ordered k) m) model run, []
        | PopMin times ->
            let rec pop (tree: SortedTree<'K, int>) (model: Map<Ordered<'K>, int>) n =
                match SortedTree.minKey tree, Seq.tryHead model with
                | ValueSome key, Some(KeyValue(least, _)) when n > 0 ->
                    if keys.Comparer.Compare(key, least.Key) <> 0 then tree, model, [ sprintf "min %A, expected %A" key least.Key ]
                    else pop (SortedTree.remove key tree) (Map.remove least model) (n - 1)
                | _ -> tree, model, []
            pop tree model times
    let check (tree: SortedTree<'K, int>) (model: Map<Ordered<'K>, int>) =
        SortedTree.Internal.validate tree
        @ expect "count" (SortedTree.count tree) model.Count
        @ expect "isEmpty" (SortedTree.isEmpty tree) model.IsEmpty
        @ expect "entries" (SortedTree.toSeq tree |> Seq.map (fun (KeyValue(k, v)) -> k, v) |> List.ofSeq) (entries model)
    session keys.Name step check (emptyTree scale keys) Map.empty ops

let private setSession (scale: Scale) (keys: Keys<'K>) (ops: Op list) =
    let ordered n = { Key = keys.Of n; By = keys.Comparer }
    let elements (model: Set<Ordered<'K>>) = model |> Set.toList |> List.map (fun k -> k.Key)
    let step (set: SortedKeys<'K>) (model: Set<Ordered<'K>>) op =
        match op with
        | Add(k, _) ->
            let added = SortedKeys.add (keys.Of k) set
            let same =
                if not (model.Contains(ordered k)) || obj.ReferenceEquals(added, set) then []
                else [ "adding a present key made a new set" ]
            added, Set.add (ordered k) model, same
        | Remove k ->
            let removed = SortedKeys.remove (keys.Of k) set
            let same =
                if model.Contains(ordered k) || obj.ReferenceEquals(removed, set) then []
                else [ "removing an absent key made a new set" ]
            removed, Set.remove (ordered k) model, same
        | Find k ->
            let below = model |> Seq.filter (fun e -> keys.Comparer.Compare(e.Key, keys.Of k) < 0) |> Seq.length
            set, model,
            expect "contains" (SortedKeys.contains (keys.Of k) set) (model.Contains(ordered k))
            @ expect "rank" (SortedKeys.rank (keys.Of k) set) below
        | Min ->
            let all = elements model
            set, model,
            expect "tryMin" (SortedKeys.tryMin set) (List.tryHead all)
            @ expect "minElement" (SortedKeys.minElement set) (List.tryHead all |> ValueOption.ofOption)
            @ expect "maxElement" (SortedKeys.maxElement set) (List.tryLast all |> ValueOption.ofOption)
        | Skip offset ->
            let all = elements model
            set, model, expect (sprintf "skip %d" offset) (SortedKeys.skip offset set |> List.ofSeq) (List.skip (max 0 offset |> min all.Length) all)
        | AddRun _ ->
            let run = runKeys op
            List.fold (fun s k -> SortedKeys.add (keys.Of k) s) set run, List.fold (fun m k -> Set.add (ordered k) m) model run, []
        | RemoveRun _ ->
            let run = runKeys op
            List.fold (fun s k -> SortedKeys.remove (keys.Of k) s) set run, List.fold (fun m k -> Set.remove (ordered k) m) model run, []
        | PopMin times ->
            let rec pop (set: SortedKeys<'K>) (model: Set<Ordered<'K>>) n =
                match SortedKeys.minElement set with
                | ValueSome key when n > 0 ->
                    if keys.Comparer.Compare(key, model.MinimumElement.Key) <> 0 then set, model, [ sprintf "min %A" key ]
                    else pop (SortedKeys.remove key set) (Set.remove model.MinimumElement model) (n - 1)
                | _ -> set, model, []
            pop set model times
    let check (set: SortedKeys<'K>) (model: Set<Ordered<'K>>) =
        SortedKeys.Internal.validate set
        @ expect "count" (SortedKeys.count set) model.Count
        @ expect "isEmpty" (SortedKeys.isEmpty set) model.IsEmpty
        @ expect "keys" (SortedKeys.toSeq set |> List.ofSeq) (elements model)
    session keys.Name step check (emptyKeys scale keys) Set.empty ops

let private smallConfig = { FsCheckConfig.defaultConfig with maxTest = 150 }
let private largeConfig = { FsCheckConfig.defaultConfig with maxTest = 25 }

let private modelTests (scale: Scale) config =
    let capacity = match scale.Capacity with Some c -> sprintf "capacity %d" c | None -> "default capacity"
    let maps (keys: Keys<'K>) =
        testPropertyWithConfig config (sprintf "SortedTree, %s, %s" keys.Name capacity) (Prop.forAll (arbOps scale) (mapSession scale keys >> toProperty))
    let sets (keys: Keys<'K>) =
        testPropertyWithConfig config (sprintf "SortedKeys, %s, %s" keys.Name capacity) (Prop.forAll (arbOps scale) (setSession scale keys >> toProperty))
    [ maps ints; maps reversed; maps pairs; maps strings; sets ints; sets reversed; sets pairs; sets strings ]

// ---- Equality

let private genEntries =
    Gen.listOf (Gen.zip (Gen.choose (0, 300)) (Gen.choose (0, 3)))
    |> Gen.map (List.distinctBy fst)

let private equality =
    testList "equality" [
        testPropertyWithConfig smallConfig "maps with the same entries, built in different orders and capacities, are equal and hash alike"
        <| Prop.forAll (Arb.fromGen (Gen.zip genEntries (Gen.choose (0, Int32.MaxValue)))) (fun (entries, seed) ->
            let shuffled = entries |> List.sortBy (fun (k, _) -> (k * 7919 + seed) % 1009)
            let a = entries |> List.fold (fun t (k, v) -> SortedTree.add k v t) (SortedTree.Internal.emptyWith 4 Comparer<int>.Default)
            let b = shuffled |> List.fold (fun t (k, v) -> SortedTree.add k v t) (SortedTree.empty Comparer<int>.Default)
            // Extra keys that come and go leave a different shape with the same entries.
            let c = [ 1000 .. 1100 ] |> List.fold (fun t k -> SortedTree.add k 0 t) b |> fun t -> List.fold (fun t k -> SortedTree.remove k t) t [ 1000 .. 1100 ]
            a = b && b = c && a.GetHashCode() = b.GetHashCode() && b.GetHashCode() = c.GetHashCode() && a.Equals(box c))

        testPropertyWithConfig smallConfig "maps that differ in one value or key are not equal"
        <| Prop.forAll (Arb.fromGen (genEntries |> Gen.filter (fun e -> not e.IsEmpty))) (fun entries ->
            let a = SortedTree.ofSeq Comparer<int>.Default entries
            let k, v = List.head entries
            a <> SortedTree.add k (v + 1) a && a <> SortedTree.remove k a && a <> SortedTree.add -1 0 a)

        testPropertyWithConfig smallConfig "sets with the same keys, built in different orders, are equal and hash alike"
        <| Prop.forAll (Arb.fromGen genEntries) (fun entries ->
            let keys = List.map fst entries
            let a = keys |> List.fold (fun s k -> SortedKeys.add k s) (SortedKeys.Internal.emptyWith 4 Comparer<int>.Default)
            let b = SortedKeys.ofSeq Comparer<int>.Default (List.rev keys)
            a = b && a.GetHashCode() = b.GetHashCode() && (keys.IsEmpty || a <> SortedKeys.remove (List.head keys) b))
    ]

// ---- Examples

let private fill (stats: TreeStats) = stats.LeafFill

let private ascending n = Seq.init n id

/// A 32-byte key, as wide as a queue's `QueueKey`.
[<Struct>]
type private WideKey = { A: int64; B: int64; C: int64; D: int64 }

let private wideOrder = Comparer<WideKey>.Create(fun x y -> x.A.CompareTo y.A)
let private tree capacity keys =
    keys |> Seq.fold (fun t k -> SortedTree.add k k t) (SortedTree.Internal.emptyWith capacity Comparer<int>.Default)

let private valid problems = Expect.equal problems [] "invariants hold"

/// Bytes this thread allocates running `f` `times` times, after a warm-up.
let private allocated times (f: unit -> unit) =
    for _ in 1..1000 do f ()
    let before = GC.GetAllocatedBytesForCurrentThread()
    for _ in 1..times do f ()
    GC.GetAllocatedBytesForCurrentThread() - before

let private examples =
    testList "examples" [
        for capacity in [ 4; 32; 64 ] do
            test (sprintf "keys added in order fill the leaves (capacity %d)" capacity) {
                let t = tree capacity (ascending 100_000)
                valid (SortedTree.Internal.validate t)
                Expect.isGreaterThanOrEqual (fill (SortedTree.Internal.stats t)) 0.9 "leaves at least 90% full"
            }
            test (sprintf "keys added in reverse order fill the leaves (capacity %d)" capacity) {
                let t = tree capacity (Seq.init 100_000 (fun i -> -i))
                valid (SortedTree.Internal.validate t)
                Expect.isGreaterThanOrEqual (fill (SortedTree.Internal.stats t)) 0.9 "leaves at least 90% full"
            }

        test "a tree's nodes hold about 512 bytes of entries: 32 of a map of references, 16 of a set of 32-byte keys" {
            // Added in order, every leaf but the last is full, so the leaves count the width.
            let map = ascending 3_200 |> Seq.fold (fun t k -> SortedTree.add (k.ToString "D6") (box k) t) (SortedTree.empty StringComparer.Ordinal)
            Expect.equal (SortedTree.Internal.stats map).Leaves 100 "3,200 entries in leaves of 32"
            let set =
                ascending 3_200
                |> Seq.fold (fun s k -> SortedKeys.add { A = int64 k; B = 0L; C = 0L; D = 0L } s) (SortedKeys.empty wideOrder)
            Expect.equal (SortedKeys.Internal.stats set).Leaves 200 "3,200 keys in leaves of 16"
        }

        test "a set's keys added in order fill its leaves" {
            let s = ascending 50_000 |> Seq.fold (fun s k -> SortedKeys.add k s) (SortedKeys.empty Comparer<int>.Default)
            valid (SortedKeys.Internal.validate s)
            Expect.isGreaterThanOrEqual (SortedKeys.Internal.stats s).LeafFill 0.9 "leaves at least 90% full"
        }

        test "a queue's churn (in at the back, out at the front) keeps the leaves full" {
            let t0 = tree 32 (ascending 10_000)
            let churned =
                Seq.fold (fun t k -> t |> SortedTree.remove (SortedTree.minKey t).Value |> SortedTree.add k k) t0 (Seq.init 50_000 ((+) 10_000))
            valid (SortedTree.Internal.validate churned)
            Expect.equal (SortedTree.count churned) 10_000 "as many as before"
            Expect.isGreaterThanOrEqual (fill (SortedTree.Internal.stats churned)) 0.9 "leaves at least 90% full"
        }

        test "random removals keep nodes at least half full" {
            let random = Random(7)
            let keys = Array.init 20_000 (fun _ -> random.Next 1_000_000) |> Array.distinct
            let t = tree 32 keys
            let removed = keys |> Array.take (keys.Length * 3 / 4) |> Array.fold (fun t k -> SortedTree.remove k t) t
            valid (SortedTree.Internal.validate removed)
            Expect.isGreaterThanOrEqual (fill (SortedTree.Internal.stats removed)) 0.5 "leaves at least half full"
        }

        test "removing everything gives the shared empty tree" {
            let t = tree 4 (ascending 1000)
            let emptied = Seq.fold (fun t k -> SortedTree.remove k t) t (ascending 1000)
            valid (SortedTree.Internal.validate emptied)
            Expect.isTrue (SortedTree.isEmpty emptied) "empty"
            Expect.equal emptied (SortedTree.Internal.emptyWith 4 Comparer<int>.Default) "equal to a new empty tree"
        }

        test "add replaces a value; find raises on an absent key" {
            let t = SortedTree.empty Comparer<int>.Default |> SortedTree.add 1 "a" |> SortedTree.add 1 "b"
            Expect.equal (SortedTree.find 1 t) "b" "replaced"
            Expect.equal t[1] "b" "indexer"
            Expect.throwsT<KeyNotFoundException> (fun () -> SortedTree.find 2 t |> ignore) "absent"
        }

        test "fold, skip past the end, ofSeq, ToString" {
            let t = SortedTree.ofSeq Comparer<int>.Default [ for k in 5 .. -1 .. 1 -> k, string k ]
            Expect.equal (SortedTree.fold (fun acc k v -> acc + sprintf "%d%s " k v) "" t) "11 22 33 44 55 " "fold in order"
            Expect.isEmpty (SortedTree.skip 5 t) "nothing past the end"
            Expect.equal (SortedTree.skip -3 t |> Seq.length) 5 "a negative offset is the start"
            Expect.equal (string t) "SortedTree [(1, 1); (2, 2); (3, 3); ...]" "ToString"
            Expect.equal (string (SortedKeys.ofSeq Comparer<int>.Default [ 2; 1 ])) "SortedKeys [1; 2]" "ToString of a set"
            Expect.equal (SortedKeys.fold (fun acc k -> acc * 10 + k) 0 (SortedKeys.ofSeq Comparer<int>.Default [ 3; 1; 2 ])) 123 "set fold"
        }

        test "lookups and the least key allocate nothing, for int and struct keys" {
            let t = tree 32 (ascending 100_000)
            let p = Seq.init 100_000 pairs.Of |> Seq.fold (fun t k -> SortedTree.add k 0 t) (SortedTree.empty pairs.Comparer)
            let s = ascending 100_000 |> Seq.fold (fun s k -> SortedKeys.add k s) (SortedKeys.empty Comparer<int>.Default)
            let probe = pairs.Of 4242
            let bytes =
                allocated 10_000 (fun () ->
                    SortedTree.tryFindV 77_777 t |> ignore
                    SortedTree.containsKey 77_777 t |> ignore
                    SortedTree.minKeyValue t |> ignore
                    SortedTree.tryFindV probe p |> ignore
                    SortedTree.minKey p |> ignore
                    SortedKeys.contains 77_777 s |> ignore
                    SortedKeys.minElement s |> ignore)
            Expect.equal bytes 0L "no allocation"
        }

        test "add and remove allocate only the copied path" {
            // 100,000 keys in full leaves: depth 4. Room for one more in the leaf of 50,001.
            let t = tree 32 (Seq.init 100_000 ((*) 2)) |> SortedTree.remove 50_000
            let perAdd = allocated 10_000 (fun () -> SortedTree.add 50_001 1 t |> ignore) / 10_000L
            let perRemove = allocated 10_000 (fun () -> SortedTree.remove 50_002 t |> ignore) / 10_000L
            // A leaf's keys and values (32 ints each), three branches' children arrays, the
            // node objects, the tree: about 1.3 KB.
            Expect.isLessThan perAdd 1_500L "bytes per add"
            Expect.isLessThan perRemove 1_500L "bytes per remove"
            // The same with struct keys (8 bytes, as ints and their values): nothing boxed.
            let p = Seq.init 100_000 (fun i -> pairs.Of(2 * i)) |> Seq.fold (fun t k -> SortedTree.add k 0 t) (SortedTree.empty pairs.Comparer)
            let p = SortedTree.remove (SortedTree.minKey p).Value p
            let absent = pairs.Of 1
            let present = (SortedTree.maxKey p).Value
            let perPairAdd = allocated 10_000 (fun () -> SortedTree.add absent 1 p |> ignore) / 10_000L
            let perPairRemove = allocated 10_000 (fun () -> SortedTree.remove present p |> ignore) / 10_000L
            Expect.isLessThan perPairAdd 2_000L "bytes per add of a struct key"
            Expect.isLessThan perPairRemove 2_000L "bytes per remove of a struct key"
        }
    ]

[<Tests>]
let tests =
    testList "sorted tree" [
        testList "model, capacity 4" (modelTests small smallConfig)
        testList "model, default capacity" (modelTests large largeConfig)
        equality
        examples
    ]
