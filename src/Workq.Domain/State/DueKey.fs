namespace Workq.Domain

open System

/// A scheduled job's place: soonest first, then arrival.
[<Struct; CustomEquality; NoComparison>]
type DueKey =
    { At: Instant
      Seq: int64
      Id: JobId }

    static member Compare(a: DueKey, b: DueKey) =
        let c = (int64 a.At).CompareTo(int64 b.At)
        if c <> 0 then c else a.Seq.CompareTo b.Seq

    member this.Equals(o: DueKey) = this.Seq = o.Seq
    override this.Equals(o: obj) =
        match o with
        | :? DueKey as k -> this.Equals k
        | _ -> false
    override this.GetHashCode() = this.Seq.GetHashCode()
    interface IEquatable<DueKey> with
        member this.Equals o = this.Equals o
