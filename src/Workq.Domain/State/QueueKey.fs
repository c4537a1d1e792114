namespace Workq.Domain

open System

/// A job's place in its ready queue: higher priority first, then ready longest, then
/// arrival. `Seq` is unique, so it alone decides equality. A struct kept inline in the
/// tree's arrays and compared through `QueueKey.Order`, so nothing is boxed.
[<Struct; CustomEquality; NoComparison>]
type QueueKey =
    { Priority: int
      Since: Instant
      Seq: int64
      Id: JobId }

    static member Of(job: Job) =
        { Priority = job.Priority; Since = Job.readySince job; Seq = job.Seq; Id = job.Id }

    static member Compare(a: QueueKey, b: QueueKey) =
        let c = b.Priority.CompareTo a.Priority
        if c <> 0 then c
        else
            let c = (int64 a.Since).CompareTo(int64 b.Since)
            if c <> 0 then c else a.Seq.CompareTo b.Seq

    member this.Equals(o: QueueKey) = this.Seq = o.Seq
    override this.Equals(o: obj) =
        match o with
        | :? QueueKey as k -> this.Equals k
        | _ -> false
    override this.GetHashCode() = this.Seq.GetHashCode()
    interface IEquatable<QueueKey> with
        member this.Equals o = this.Equals o
