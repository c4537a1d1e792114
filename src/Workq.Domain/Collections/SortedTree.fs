namespace Workq.Domain

open System
open System.Collections
open System.Collections.Generic
open Workq.Domain.Collections

/// An immutable map ordered by an `IComparer<'K>`, kept in a B+tree of wide nodes. Equal
/// when the entries are, in order: keys and values by `EqualityComparer.Default`.
[<Sealed>]
type SortedTree<'K, 'V> internal (shape: Shape<'K, 'V[], 'V>, root: Node<'K, 'V[]>) =
    static let entry (keys: 'K[]) (values: 'V[]) i = KeyValuePair(keys[i], values[i])

    member internal _.Shape = shape
    member internal _.Root = root
    member _.Comparer = shape.Comparer
    member _.Count = Tree.size root
    member _.IsEmpty = Tree.size root = 0

    member _.Item
        with get (key: 'K) =
            match Tree.tryFind shape key root with
            | ValueSome value -> value
            | ValueNone -> raise (KeyNotFoundException(string key + " is not in the tree"))

    member internal _.Entries = Tree.entries entry root
    member internal _.EntriesFrom offset = Tree.entriesFrom entry offset root

    member this.Equals(other: SortedTree<'K, 'V>) =
        LanguagePrimitives.PhysicalEquality this other
        || (this.Count = other.Count
            && Seq.forall2
                (fun (a: KeyValuePair<'K, 'V>) (b: KeyValuePair<'K, 'V>) ->
                    EqualityComparer<'K>.Default.Equals(a.Key, b.Key) && EqualityComparer<'V>.Default.Equals(a.Value, b.Value))
                this.Entries
                other.Entries)

    override this.Equals(other: obj) =
        match other with
        | :? SortedTree<'K, 'V> as tree -> this.Equals tree
        | _ -> false

    override _.GetHashCode() =
        Tree.fold shape (fun hash key value -> HashCode.Combine(hash, key, value)) (Tree.size root) root

    override this.ToString() =
        let shown = this.Entries |> Seq.truncate 3 |> Seq.map (fun (KeyValue(k, v)) -> "(" + string k + ", " + string v + ")") |> String.concat "; "
        "SortedTree [" + shown + (if this.Count > 3 then "; ...]" else "]")

    interface IEquatable<SortedTree<'K, 'V>> with
        member this.Equals(other: SortedTree<'K, 'V> | null) =
            match other with
            | null -> false
            | other -> this.Equals other

    interface IReadOnlyCollection<KeyValuePair<'K, 'V>> with
        member _.Count = Tree.size root
        member this.GetEnumerator() : IEnumerator<KeyValuePair<'K, 'V>> = this.Entries.GetEnumerator()
        member this.GetEnumerator() : IEnumerator = (this.Entries :> IEnumerable).GetEnumerator()

module SortedTree =
    let private wrap (tree: SortedTree<'K, 'V>) root =
        if LanguagePrimitives.PhysicalEquality root tree.Root then tree else SortedTree(tree.Shape, root)

    /// An empty map ordered by `comparer`, which every map made from it keeps.
    let empty<'K, 'V> (comparer: IComparer<'K>) : SortedTree<'K, 'V> =
        let shape = Tree.shape comparer (ValueArray<'V>()) (Tree.capacityFor (sizeof<'K> + sizeof<'V>))
        SortedTree(shape, shape.Empty)

    let isEmpty (tree: SortedTree<'K, 'V>) = tree.IsEmpty

    /// O(1).
    let count (tree: SortedTree<'K, 'V>) = tree.Count

    let tryFindV key (tree: SortedTree<'K, 'V>) = Tree.tryFind tree.Shape key tree.Root

    let tryFind key (tree: SortedTree<'K, 'V>) =
        match Tree.tryFind tree.Shape key tree.Root with
        | ValueSome value -> Some value
        | ValueNone -> None

    /// Raises KeyNotFoundException when `key` is absent.
    let find key (tree: SortedTree<'K, 'V>) = tree[key]

    let containsKey key (tree: SortedTree<'K, 'V>) = Tree.contains tree.Shape.Comparer key tree.Root

    /// The tree with `key` bound to `value`, replacing any value it had.
    let add key value (tree: SortedTree<'K, 'V>) = wrap tree (Tree.add tree.Shape key value tree.Root)

    /// The tree without `key`: the same instance when `key` is absent.
    let remove key (tree: SortedTree<'K, 'V>) = wrap tree (Tree.remove tree.Shape key tree.Root)

    let minKeyValue (tree: SortedTree<'K, 'V>) : struct ('K * 'V) voption =
        match Tree.leftmostLeaf tree.Root with
        | Leaf(keys, values) when keys.Length > 0 -> ValueSome(struct (keys[0], values[0]))
        | _ -> ValueNone

    let minKey (tree: SortedTree<'K, 'V>) : 'K voption =
        match Tree.leftmostLeaf tree.Root with
        | Leaf(keys, _) when keys.Length > 0 -> ValueSome keys[0]
        | _ -> ValueNone

    let maxKey (tree: SortedTree<'K, 'V>) : 'K voption =
        match Tree.rightmostLeaf tree.Root with
        | Leaf(keys, _) when keys.Length > 0 -> ValueSome keys[keys.Length - 1]
        | _ -> ValueNone

    let tryMin (tree: SortedTree<'K, 'V>) =
        match minKeyValue tree with
        | ValueSome(struct (key, value)) -> Some(key, value)
        | ValueNone -> None

    /// Entries in ascending key order.
    let toSeq (tree: SortedTree<'K, 'V>) : seq<KeyValuePair<'K, 'V>> = tree.Entries

    /// Entries in ascending key order from the one at `offset` (0-based) on; empty past
    /// the end. Reaching the offset takes O(log n).
    let skip offset (tree: SortedTree<'K, 'V>) : seq<KeyValuePair<'K, 'V>> = tree.EntriesFrom offset

    /// Folds over the entries in ascending key order.
    let fold (folder: 'S -> 'K -> 'V -> 'S) state (tree: SortedTree<'K, 'V>) = Tree.fold tree.Shape folder state tree.Root

    let ofSeq (comparer: IComparer<'K>) (entries: seq<'K * 'V>) =
        entries |> Seq.fold (fun tree (key, value) -> add key value tree) (empty comparer)

    /// For tests and measurements.
    module internal Internal =
        /// An empty map whose nodes hold at most `capacity` entries (at least 4).
        let emptyWith<'K, 'V> capacity (comparer: IComparer<'K>) : SortedTree<'K, 'V> =
            let shape = Tree.shape comparer (ValueArray<'V>()) capacity
            SortedTree(shape, shape.Empty)

        let validate (tree: SortedTree<'K, 'V>) = Tree.validate tree.Shape tree.Root
        let stats (tree: SortedTree<'K, 'V>) = Tree.stats tree.Shape tree.Root
