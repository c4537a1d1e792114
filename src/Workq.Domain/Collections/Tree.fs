// The workings, apart from the domain's names.
namespace Workq.Domain.Collections

open System.Collections.Generic

// An immutable B+tree: entries sit in wide leaves, branches route by separator keys and
// know how many entries lie beneath them. An update copies the path from the root to one
// leaf (a handful of short arrays) and shares everything else with the old tree. Arrays
// are never written once built: every change makes new ones with FSharp.Core's copying
// functions, each of exactly the length it needs.

/// How a leaf keeps its values: an array beside the keys for a map, nothing for a set.
/// One tree algorithm serves both; the calls it makes through this object are few per
/// update and none per key comparison.
[<AbstractClass>]
type internal Payload<'P, 'V>() =
    abstract Empty: 'P
    abstract Get: values: 'P * index: int -> 'V
    abstract One: value: 'V -> 'P
    abstract InsertAt: values: 'P * index: int * value: 'V -> 'P
    abstract UpdateAt: values: 'P * index: int * value: 'V -> 'P
    abstract RemoveAt: values: 'P * index: int -> 'P
    abstract Sub: values: 'P * start: int * count: int -> 'P
    abstract Append: left: 'P * right: 'P -> 'P
    /// Whether adding a present key replaces something (a set has nothing to replace).
    abstract HasValues: bool
    /// Whether `values` holds exactly `count` values, for validation.
    abstract Holds: values: 'P * count: int -> bool

[<Sealed>]
type internal ValueArray<'V>() =
    inherit Payload<'V[], 'V>()
    override _.Empty = Array.empty
    override _.Get(values, index) = values[index]
    override _.One value = [| value |]
    override _.InsertAt(values, index, value) = Array.insertAt index value values
    override _.UpdateAt(values, index, value) = Array.updateAt index value values
    override _.RemoveAt(values, index) = Array.removeAt index values
    override _.Sub(values, start, count) = Array.sub values start count
    override _.Append(left, right) = Array.append left right
    override _.HasValues = true
    override _.Holds(values, count) = values.Length = count

/// A set's values: none.
[<Struct>]
type internal Nil = struct end

[<Sealed>]
type internal NoValues() =
    inherit Payload<Nil, Nil>()
    override _.Empty = Nil()
    override _.Get(_, _) = Nil()
    override _.One _ = Nil()
    override _.InsertAt(_, _, _) = Nil()
    override _.UpdateAt(_, _, _) = Nil()
    override _.RemoveAt(_, _) = Nil()
    override _.Sub(_, _, _) = Nil()
    override _.Append(_, _) = Nil()
    override _.HasValues = false
    override _.Holds(_, _) = true

[<NoEquality; NoComparison>]
type internal Node<'K, 'P> =
    /// Entries in key order.
    | Leaf of keys: 'K[] * values: 'P
    /// `separators[i]` is the least key under `children[i + 1]`; `count` is the number of
    /// entries beneath, so that a tree's size is known and an offset found without a walk.
    | Branch of separators: 'K[] * children: Node<'K, 'P>[] * count: int

/// What every tree derived from one `empty` shares.
[<NoEquality; NoComparison>]
type internal Shape<'K, 'P, 'V> =
    { Comparer: IComparer<'K>
      Payload: Payload<'P, 'V>
      /// The most entries in a leaf, and children in a branch.
      Capacity: int
      /// The fewest, for a node other than the root and those along the tree's left and
      /// right edges, where arrival-ordered keys come and go (see `insert` and `settle`).
      Least: int
      /// The root of every empty tree of this shape.
      Empty: Node<'K, 'P> }

/// What an update made of a node.
[<Struct; NoEquality; NoComparison>]
type internal Change<'K, 'P> =
    | Unchanged
    | One of node: Node<'K, 'P>
    /// Two nodes where there was one: the least key of `right` separates them.
    | Two of left: Node<'K, 'P> * separator: 'K * right: Node<'K, 'P>

/// The tree's occupancy, for tests and measurements.
type internal TreeStats =
    { Depth: int
      Leaves: int
      Branches: int
      Entries: int
      /// Entries over leaf slots: 1.0 when every leaf is full.
      LeafFill: float }

module internal Tree =
    /// Entries per node: as many as fill about 512 bytes of a leaf's arrays, between 8 and
    /// 32. A change copies a leaf whole, so wide keys get narrower nodes: 32 for a map of
    /// references (jobs by id), 16 for a set of 32-byte queue keys (doc/architecture.md).
    let capacityFor entryBytes = max 8 (min 32 (512 / max 1 entryBytes))

    let shape (comparer: IComparer<'K>) (payload: Payload<'P, 'V>) capacity =
        if capacity < 4 then invalidArg (nameof capacity) "a node holds at least 4 entries"
        { Comparer = comparer
          Payload = payload
          Capacity = capacity
          Least = capacity / 2
          Empty = Leaf(Array.empty, payload.Empty) }

    /// Entries beneath.
    let size node =
        match node with
        | Leaf(keys, _) -> keys.Length
        | Branch(_, _, count) -> count

    /// Entries of a leaf, children of a branch: what a node's capacity bounds.
    let width node =
        match node with
        | Leaf(keys, _) -> keys.Length
        | Branch(_, children, _) -> children.Length

    let rec private searchBetween (comparer: IComparer<'K>) (keys: 'K[]) (key: 'K) lo hi =
        if lo > hi then ~~~lo
        else
            let mid = (lo + hi) >>> 1
            let c = comparer.Compare(keys[mid], key)
            if c < 0 then searchBetween comparer keys key (mid + 1) hi
            elif c > 0 then searchBetween comparer keys key lo (mid - 1)
            else mid

    /// The index of `key` in sorted `keys`, or the complement of where it would go.
    let search comparer (keys: 'K[]) key = searchBetween comparer keys key 0 (keys.Length - 1)

    /// Which child of a branch holds `key`.
    let route comparer separators key =
        let i = search comparer separators key
        if i >= 0 then i + 1 else ~~~i

    /// The least key of a non-empty node.
    let rec firstKey node =
        match node with
        | Leaf(keys, _) -> keys[0]
        | Branch(_, children, _) -> firstKey children[0]

    let rec private sumSizes (children: Node<'K, 'P>[]) i acc =
        if i = children.Length then acc else sumSizes children (i + 1) (acc + size children[i])

    // ---- Reading

    let rec tryFind (shape: Shape<'K, 'P, 'V>) key node : 'V voption =
        match node with
        | Leaf(keys, values) ->
            let i = search shape.Comparer keys key
            if i >= 0 then ValueSome(shape.Payload.Get(values, i)) else ValueNone
        | Branch(separators, children, _) -> tryFind shape key children[route shape.Comparer separators key]

    let rec contains (comparer: IComparer<'K>) key (node: Node<'K, 'P>) =
        match node with
        | Leaf(keys, _) -> search comparer keys key >= 0
        | Branch(separators, children, _) -> contains comparer key children[route comparer separators key]

    let rec leftmostLeaf node =
        match node with
        | Branch(_, children, _) -> leftmostLeaf children[0]
        | Leaf _ -> node

    let rec rightmostLeaf node =
        match node with
        | Branch(_, children, _) -> rightmostLeaf children[children.Length - 1]
        | Leaf _ -> node

    // ---- Splitting and joining

    /// Halves an overfull leaf.
    let private divideLeaf (payload: Payload<'P, 'V>) (keys: 'K[]) values =
        let half = keys.Length / 2
        let rest = keys.Length - half
        Two(
            Leaf(Array.sub keys 0 half, payload.Sub(values, 0, half)),
            keys[half],
            Leaf(Array.sub keys half rest, payload.Sub(values, half, rest))
        )

    /// Halves an overfull branch; the separator between the halves moves up.
    let private divideBranch (separators: 'K[]) (children: Node<'K, 'P>[]) count =
        let half = children.Length / 2
        let left = Array.sub children 0 half
        let leftCount = sumSizes left 0 0
        Two(
            Branch(Array.sub separators 0 (half - 1), left, leftCount),
            separators[half - 1],
            Branch(Array.sub separators half (separators.Length - half), Array.sub children half (children.Length - half), count - leftCount)
        )

    /// Neighbouring nodes, one of them under its least: one node if they fit in one, else
    /// two holding half each.
    let private rebalance (shape: Shape<'K, 'P, 'V>) left (separator: 'K) right =
        match left, right with
        | Leaf(leftKeys, leftValues), Leaf(rightKeys, rightValues) ->
            let keys = Array.append leftKeys rightKeys
            let values = shape.Payload.Append(leftValues, rightValues)
            if keys.Length <= shape.Capacity then One(Leaf(keys, values)) else divideLeaf shape.Payload keys values
        | Branch(leftSeparators, leftChildren, leftCount), Branch(rightSeparators, rightChildren, rightCount) ->
            let separators = Array.append (Array.insertAt leftSeparators.Length separator leftSeparators) rightSeparators
            let children = Array.append leftChildren rightChildren
            let count = leftCount + rightCount
            if children.Length <= shape.Capacity then One(Branch(separators, children, count))
            else divideBranch separators children count
        | _ -> invalidOp "SortedTree: neighbours at different depths"

    /// `children` with child i replaced by two, sharing the array copy when one of them
    /// is the old child (as when a full leaf on an edge keeps its entries).
    let private replaceByTwo (children: Node<'K, 'P>[]) i left right =
        if LanguagePrimitives.PhysicalEquality left children[i] then Array.insertAt (i + 1) right children
        elif LanguagePrimitives.PhysicalEquality right children[i] then Array.insertAt i left children
        else children |> Array.updateAt i left |> Array.insertAt (i + 1) right

    // ---- Adding

    // `leftmost`/`rightmost`: whether the node lies along the tree's left/right edge. A
    // full node there that gains an entry at the tree's very end keeps its entries and
    // starts a new node with just the one: keys added in order (or in reverse order) fill
    // nodes up instead of leaving them half full. The cost is that a node along an edge may
    // hold fewer than `Least`.
    let rec private insert (shape: Shape<'K, 'P, 'V>) leftmost rightmost key value node =
        match node with
        | Leaf(keys, values) ->
            let i = search shape.Comparer keys key
            if i >= 0 then
                if shape.Payload.HasValues then One(Leaf(keys, shape.Payload.UpdateAt(values, i, value)))
                else Unchanged
            else
                let at = ~~~i
                if keys.Length < shape.Capacity then
                    One(Leaf(Array.insertAt at key keys, shape.Payload.InsertAt(values, at, value)))
                elif rightmost && at = keys.Length then
                    Two(node, key, Leaf([| key |], shape.Payload.One value))
                elif leftmost && at = 0 then
                    Two(Leaf([| key |], shape.Payload.One value), keys[0], node)
                else
                    divideLeaf shape.Payload (Array.insertAt at key keys) (shape.Payload.InsertAt(values, at, value))
        | Branch(separators, children, count) ->
            let i = route shape.Comparer separators key
            let last = children.Length - 1
            let child = children[i]
            match insert shape (leftmost && i = 0) (rightmost && i = last) key value child with
            | Unchanged -> Unchanged
            | One grown -> One(Branch(separators, Array.updateAt i grown children, count + size grown - size child))
            | Two(left, separator, right) ->
                let count = count + size left + size right - size child
                if children.Length < shape.Capacity then
                    One(Branch(Array.insertAt i separator separators, replaceByTwo children i left right, count))
                elif rightmost && i = last then
                    let kept =
                        if LanguagePrimitives.PhysicalEquality left child then node
                        else Branch(separators, Array.updateAt i left children, count - size right)
                    Two(kept, separator, Branch(Array.empty, [| right |], size right))
                elif leftmost && i = 0 then
                    let kept =
                        if LanguagePrimitives.PhysicalEquality right child then node
                        else Branch(separators, Array.updateAt 0 right children, count - size left)
                    Two(Branch(Array.empty, [| left |], size left), separator, kept)
                else
                    divideBranch (Array.insertAt i separator separators) (replaceByTwo children i left right) count

    /// The root with `key` bound to `value` (for a set: present).
    let add shape key value root =
        match insert shape true true key value root with
        | Unchanged -> root
        | One node -> node
        | Two(left, separator, right) -> Branch([| separator |], [| left; right |], size left + size right)

    // ---- Removing

    /// A branch after child i, now `child`, lost an entry. A node along an edge may run
    /// empty (and goes) or under its least (and stays: arrival-ordered keys leave from the
    /// left edge without rebalancing); any other node under its least is merged with or
    /// evened out against a neighbour.
    let private settle (shape: Shape<'K, 'P, 'V>) onEdge (separators: 'K[]) (children: Node<'K, 'P>[]) count i child =
        if width child = 0 then
            if children.Length = 1 then Branch(Array.empty, Array.empty, 0)
            else Branch(Array.removeAt (max 0 (i - 1)) separators, Array.removeAt i children, count)
        elif not onEdge && width child < shape.Least then
            let j = if i > 0 then i - 1 else i
            let struct (left, right) = if j = i then struct (child, children[i + 1]) else struct (children[j], child)
            match rebalance shape left separators[j] right with
            | One merged -> Branch(Array.removeAt j separators, children |> Array.removeAt (j + 1) |> Array.updateAt j merged, count)
            | Two(left, separator, right) ->
                Branch(Array.updateAt j separator separators, children |> Array.updateAt j left |> Array.updateAt (j + 1) right, count)
            | Unchanged -> invalidOp "SortedTree: rebalancing changed nothing"
        else Branch(separators, Array.updateAt i child children, count)

    let rec private delete (shape: Shape<'K, 'P, 'V>) leftmost rightmost key node =
        match node with
        | Leaf(keys, values) ->
            let i = search shape.Comparer keys key
            if i < 0 then Unchanged else One(Leaf(Array.removeAt i keys, shape.Payload.RemoveAt(values, i)))
        | Branch(separators, children, count) ->
            let s = search shape.Comparer separators key
            let i = if s >= 0 then s + 1 else ~~~s
            let leftmost = leftmost && i = 0
            let rightmost = rightmost && i = children.Length - 1
            match delete shape leftmost rightmost key children[i] with
            | One child ->
                // The key was the least of child i, which its separator names: rename it.
                let separators = if s >= 0 && width child > 0 then Array.updateAt s (firstKey child) separators else separators
                One(settle shape (leftmost || rightmost) separators children (count - 1) i child)
            | _ -> Unchanged

    /// A root with a single child gives way to it; an empty one to the shared empty root.
    let rec private collapse (shape: Shape<'K, 'P, 'V>) node =
        match node with
        | Branch(_, children, _) when children.Length = 1 -> collapse shape children[0]
        | _ when width node = 0 -> shape.Empty
        | _ -> node

    /// The root without `key`; the same root when `key` is absent.
    let remove shape key root =
        match delete shape true true key root with
        | One node -> collapse shape node
        | _ -> root

    // ---- Walking

    /// How many entries are less than `key`: O(log n), by the branches' counts.
    let rec rank (comparer: IComparer<'K>) key node =
        match node with
        | Leaf(keys, _) ->
            let i = search comparer keys key
            if i >= 0 then i else ~~~i
        | Branch(separators, children, _) ->
            let j = route comparer separators key
            let mutable before = 0
            for k in 0 .. j - 1 do
                before <- before + size children[k]
            before + rank comparer key children[j]

    /// Entries of `node` in key order, each made by `item keys values index`.
    let rec entries (item: 'K[] -> 'P -> int -> 'T) node : seq<'T> =
        seq {
            match node with
            | Leaf(keys, values) ->
                for i in 0 .. keys.Length - 1 do
                    yield item keys values i
            | Branch(_, children, _) ->
                for child in children do
                    yield! entries item child
        }

    /// Which child holds the entry at `offset`, and its offset there.
    let rec private locate (children: Node<'K, 'P>[]) offset i =
        if i < children.Length && offset >= size children[i] then locate children (offset - size children[i]) (i + 1)
        else struct (i, offset)

    /// Entries from the one at `offset` on: O(log n) to get there.
    let rec entriesFrom item offset node : seq<'T> =
        seq {
            match node with
            | Leaf(keys, values) ->
                for i in max 0 offset .. keys.Length - 1 do
                    yield item keys values i
            | Branch(_, children, _) ->
                let struct (j, within) = locate children (max 0 offset) 0
                if j < children.Length then
                    yield! entriesFrom item within children[j]
                    for k in j + 1 .. children.Length - 1 do
                        yield! entries item children[k]
        }

    let rec private foldLeaf (f: OptimizedClosures.FSharpFunc<'S, 'K, 'V, 'S>) (payload: Payload<'P, 'V>) (keys: 'K[]) values i state =
        if i = keys.Length then state
        else foldLeaf f payload keys values (i + 1) (f.Invoke(state, keys[i], payload.Get(values, i)))

    let rec private foldNode f payload state node =
        match node with
        | Leaf(keys, values) -> foldLeaf f payload keys values 0 state
        | Branch(_, children, _) -> foldChildren f payload children 0 state

    and private foldChildren f payload (children: Node<'K, 'P>[]) i state =
        if i = children.Length then state else foldChildren f payload children (i + 1) (foldNode f payload state children[i])

    let fold (shape: Shape<'K, 'P, 'V>) (f: 'S -> 'K -> 'V -> 'S) state node =
        foldNode (OptimizedClosures.FSharpFunc<_, _, _, _>.Adapt f) shape.Payload state node

    // ---- Checking

    /// What is wrong with a root, if anything: leaves at one depth, keys in order and
    /// within their separators, separators naming their child's least key, counts right,
    /// every node within capacity and (off the edges) at least `Least` full.
    let validate (shape: Shape<'K, 'P, 'V>) (root: Node<'K, 'P>) : string list =
        let comparer = shape.Comparer
        let below (lo: 'K voption) (hi: 'K voption) key =
            (match lo with ValueSome lo -> comparer.Compare(lo, key) <= 0 | ValueNone -> true)
            && (match hi with ValueSome hi -> comparer.Compare(key, hi) < 0 | ValueNone -> true)
        let rec check path isRoot leftmost rightmost (lo: 'K voption) (hi: 'K voption) (node: Node<'K, 'P>) : struct (int * string list) =
            let problem text = [ path + ": " + text ]
            let occupancy =
                [ if width node > shape.Capacity then yield! problem (string (width node) + " over capacity " + string shape.Capacity)
                  if not isRoot && width node = 0 then yield! problem "empty"
                  if not isRoot && not leftmost && not rightmost && width node < shape.Least then
                      yield! problem (string (width node) + " under the least " + string shape.Least) ]
            match node with
            | Leaf(keys, values) ->
                let order =
                    [ for i in 1 .. keys.Length - 1 do
                          if comparer.Compare(keys[i - 1], keys[i]) >= 0 then yield! problem ("keys " + string (i - 1) + " and " + string i + " out of order") ]
                let bounds =
                    [ for i in 0 .. keys.Length - 1 do
                          if not (below lo hi keys[i]) then yield! problem ("key " + string i + " outside its separators") ]
                let held = if shape.Payload.Holds(values, keys.Length) then [] else problem "values do not match keys"
                struct (1, occupancy @ order @ bounds @ held)
            | Branch(separators, children, count) ->
                let shapeProblems =
                    [ if separators.Length <> children.Length - 1 then
                          yield! problem (string separators.Length + " separators for " + string children.Length + " children")
                      if isRoot && children.Length < 2 then yield! problem "a root with one child"
                      if count <> sumSizes children 0 0 then yield! problem ("count " + string count + ", entries " + string (sumSizes children 0 0)) ]
                if not shapeProblems.IsEmpty then struct (0, occupancy @ shapeProblems)
                else
                    let last = children.Length - 1
                    let results =
                        [ for i in 0 .. last ->
                              let lo = if i = 0 then lo else ValueSome(separators[i - 1])
                              let hi = if i = last then hi else ValueSome(separators[i])
                              check (path + "/" + string i) false (leftmost && i = 0) (rightmost && i = last) lo hi children[i] ]
                    let depths = results |> List.map (fun (struct (d, _)) -> d) |> List.distinct
                    let nested = results |> List.collect (fun (struct (_, p)) -> p)
                    let named =
                        [ for i in 1 .. last do
                              if width children[i] > 0 && comparer.Compare(separators[i - 1], firstKey children[i]) <> 0 then
                                  yield! problem ("separator " + string (i - 1) + " is not the least key of child " + string i) ]
                    let depthProblems = if depths.Length > 1 then problem ("leaves at depths " + (depths |> List.map string |> String.concat ", ")) else []
                    struct ((List.max depths) + 1, occupancy @ named @ depthProblems @ nested)
        let struct (_, problems) = check "root" true true true ValueNone ValueNone root
        let emptyShared =
            if size root = 0 && not (LanguagePrimitives.PhysicalEquality root shape.Empty) then [ "an empty root that is not the shared one" ]
            else []
        problems @ emptyShared

    let stats (shape: Shape<'K, 'P, 'V>) (root: Node<'K, 'P>) =
        let rec walk depth node (struct (deepest, leaves, branches)) =
            match node with
            | Leaf _ -> struct (max deepest depth, leaves + 1, branches)
            | Branch(_, children, _) ->
                Array.fold (fun acc child -> walk (depth + 1) child acc) (struct (deepest, leaves, branches + 1)) children
        let struct (depth, leaves, branches) = walk 1 root (struct (0, 0, 0))
        { Depth = depth
          Leaves = leaves
          Branches = branches
          Entries = size root
          LeafFill = float (size root) / float (leaves * shape.Capacity) }
