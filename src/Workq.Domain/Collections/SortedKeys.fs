namespace Workq.Domain

open System
open System.Collections
open System.Collections.Generic
open Workq.Domain.Collections

/// An immutable set ordered by an `IComparer<'K>`: a SortedTree without values. Equal
/// when the keys are, in order, by `EqualityComparer.Default`.
[<Sealed>]
type SortedKeys<'K> internal (shape: Shape<'K, Nil, Nil>, root: Node<'K, Nil>) =
    static let key (keys: 'K[]) (_: Nil) i = keys[i]

    member internal _.Shape = shape
    member internal _.Root = root
    member _.Comparer = shape.Comparer
    member _.Count = Tree.size root
    member _.IsEmpty = Tree.size root = 0

    member internal _.Keys = Tree.entries key root
    member internal _.KeysFrom offset = Tree.entriesFrom key offset root

    member this.Equals(other: SortedKeys<'K>) =
        LanguagePrimitives.PhysicalEquality this other
        || (this.Count = other.Count
            && Seq.forall2 (fun (a: 'K) b -> EqualityComparer<'K>.Default.Equals(a, b)) this.Keys other.Keys)

    override this.Equals(other: obj) =
        match other with
        | :? SortedKeys<'K> as keys -> this.Equals keys
        | _ -> false

    override _.GetHashCode() =
        Tree.fold shape (fun hash key (_: Nil) -> HashCode.Combine(hash, key)) (Tree.size root) root

    override this.ToString() =
        let shown = this.Keys |> Seq.truncate 3 |> Seq.map string |> String.concat "; "
        "SortedKeys [" + shown + (if this.Count > 3 then "; ...]" else "]")

    interface IEquatable<SortedKeys<'K>> with
        member this.Equals(other: SortedKeys<'K> | null) =
            match other with
            | null -> false
            | other -> this.Equals other

    interface IReadOnlyCollection<'K> with
        member _.Count = Tree.size root
        member this.GetEnumerator() : IEnumerator<'K> = this.Keys.GetEnumerator()
        member this.GetEnumerator() : IEnumerator = (this.Keys :> IEnumerable).GetEnumerator()

module SortedKeys =
    let private wrap (keys: SortedKeys<'K>) root =
        if LanguagePrimitives.PhysicalEquality root keys.Root then keys else SortedKeys(keys.Shape, root)

    /// An empty set ordered by `comparer`, which every set made from it keeps.
    let empty (comparer: IComparer<'K>) : SortedKeys<'K> =
        let shape = Tree.shape comparer (NoValues()) (Tree.capacityFor sizeof<'K>)
        SortedKeys(shape, shape.Empty)

    let isEmpty (keys: SortedKeys<'K>) = keys.IsEmpty

    /// O(1).
    let count (keys: SortedKeys<'K>) = keys.Count

    let contains key (keys: SortedKeys<'K>) = Tree.contains keys.Shape.Comparer key keys.Root

    /// The set with `key`: the same instance when it is already there.
    let add key (keys: SortedKeys<'K>) = wrap keys (Tree.add keys.Shape key (Nil()) keys.Root)

    /// The set without `key`: the same instance when it is absent.
    let remove key (keys: SortedKeys<'K>) = wrap keys (Tree.remove keys.Shape key keys.Root)

    let minElement (keys: SortedKeys<'K>) : 'K voption =
        match Tree.leftmostLeaf keys.Root with
        | Leaf(leaf, _) when leaf.Length > 0 -> ValueSome leaf[0]
        | _ -> ValueNone

    let maxElement (keys: SortedKeys<'K>) : 'K voption =
        match Tree.rightmostLeaf keys.Root with
        | Leaf(leaf, _) when leaf.Length > 0 -> ValueSome leaf[leaf.Length - 1]
        | _ -> ValueNone

    let tryMin (keys: SortedKeys<'K>) =
        match minElement keys with
        | ValueSome key -> Some key
        | ValueNone -> None

    /// Keys in ascending order.
    let toSeq (keys: SortedKeys<'K>) : seq<'K> = keys.Keys

    /// Keys in ascending order from the one at `offset` (0-based) on; empty past the end.
    /// Reaching the offset takes O(log n).
    let skip offset (keys: SortedKeys<'K>) : seq<'K> = keys.KeysFrom offset

    /// How many keys are less than `key`: where a seek to it starts `skip`.
    let rank key (keys: SortedKeys<'K>) = Tree.rank keys.Shape.Comparer key keys.Root

    let fold (folder: 'S -> 'K -> 'S) state (keys: SortedKeys<'K>) =
        Tree.fold keys.Shape (fun state key (_: Nil) -> folder state key) state keys.Root

    let ofSeq (comparer: IComparer<'K>) (keys: seq<'K>) = keys |> Seq.fold (fun set key -> add key set) (empty comparer)

    /// For tests and measurements.
    module internal Internal =
        /// An empty set whose nodes hold at most `capacity` keys (at least 4).
        let emptyWith capacity (comparer: IComparer<'K>) : SortedKeys<'K> =
            let shape = Tree.shape comparer (NoValues()) capacity
            SortedKeys(shape, shape.Empty)

        let validate (keys: SortedKeys<'K>) = Tree.validate keys.Shape keys.Root
        let stats (keys: SortedKeys<'K>) = Tree.stats keys.Shape keys.Root
