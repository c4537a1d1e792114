namespace Workq.Domain

open System
open System.Collections.Generic

/// A failed job's place among its name's failed jobs: newest failure first, then the
/// latest arrival. `Seq` is unique, so it alone decides equality.
[<Struct; CustomEquality; NoComparison>]
type FailedKey =
    { At: Instant
      Seq: int64
      Id: JobId }

    static member Compare(a: FailedKey, b: FailedKey) =
        let c = (int64 b.At).CompareTo(int64 a.At)
        if c <> 0 then c else b.Seq.CompareTo a.Seq

    member this.Equals(o: FailedKey) = this.Seq = o.Seq
    override this.Equals(o: obj) =
        match o with
        | :? FailedKey as k -> this.Equals k
        | _ -> false
    override this.GetHashCode() = this.Seq.GetHashCode()
    interface IEquatable<FailedKey> with
        member this.Equals o = this.Equals o

/// The jobs that ended failed, by name, for `inspect failed-jobs`, whether or not their
/// queue still exists; and each one's place, to take it out again when it leaves (deleted,
/// expired, requeued). A page of a name's failed jobs is reached in O(log n), never by
/// walking the jobs.
type FailedJobs =
    private
        { ByName: Map<JobName, SortedKeys<FailedKey>>
          Places: SortedTree<JobId, FailedKey> }

module FailedJobs =
    let private order =
        { new IComparer<FailedKey> with
            member _.Compare(a, b) = FailedKey.Compare(a, b) }

    let private none = SortedKeys.empty order

    let empty = { ByName = Map.empty; Places = SortedTree.empty Order.jobId }

    let private ofName name failed =
        match failed.ByName.TryGetValue name with
        | true, keys -> keys
        | _ -> none

    let private withName name (keys: SortedKeys<FailedKey>) failed =
        { failed with ByName = if keys.IsEmpty then failed.ByName.Remove name else failed.ByName.Add(name, keys) }

    /// The job failed at `at`.
    let add (job: Job) (at: Instant) failed =
        let key = { At = at; Seq = job.Seq; Id = job.Id }
        { withName job.Name (SortedKeys.add key (ofName job.Name failed)) failed with
            Places = SortedTree.add job.Id key failed.Places }

    /// The job is no longer a failed one; nothing changes for one that was not.
    let remove (job: Job) failed =
        match SortedTree.tryFindV job.Id failed.Places with
        | ValueSome key ->
            { withName job.Name (SortedKeys.remove key (ofName job.Name failed)) failed with
                Places = SortedTree.remove job.Id failed.Places }
        | ValueNone -> failed

    /// When the job failed, if it is a failed one.
    let failedAt id failed =
        match SortedTree.tryFindV id failed.Places with
        | ValueSome key -> Some key.At
        | ValueNone -> None

    let count name failed = (ofName name failed).Count

    let total failed = failed.Places.Count

    /// Each name that has failed jobs, with how many, in byte order of name.
    let counts failed : seq<JobName * int> = failed.ByName |> Seq.map (fun entry -> entry.Key, entry.Value.Count)

    /// A name's failed jobs, newest first, from the one at `offset` on.
    let from name (offset: int) failed : seq<FailedKey> = SortedKeys.skip offset (ofName name failed)
