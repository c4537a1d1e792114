namespace Workq.Domain

open System

/// A job's place in its ready queue: higher priority first, then ready longest, then
/// arrival. `Seq` is unique, so it alone decides equality.
[<CustomEquality; CustomComparison>]
type QueueKey =
    { Priority: int
      Since: Instant
      Seq: int64
      Id: JobId }

    static member Of(job: Job) =
        { Priority = job.Priority; Since = Job.readySince job; Seq = job.Seq; Id = job.Id }

    member private this.Compare(o: QueueKey) =
        let c = o.Priority.CompareTo this.Priority
        if c <> 0 then c
        else
            let c = compare this.Since o.Since
            if c <> 0 then c else this.Seq.CompareTo o.Seq

    override this.Equals o =
        match o with
        | :? QueueKey as k -> this.Seq = k.Seq
        | _ -> false
    override this.GetHashCode() = this.Seq.GetHashCode()
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? QueueKey as k -> this.Compare k
            | _ -> invalidArg (nameof o) "not a QueueKey"

/// A scheduled job's place: soonest first, then arrival.
[<CustomEquality; CustomComparison>]
type DueKey =
    { At: Instant
      Seq: int64
      Id: JobId }

    member private this.Compare(o: DueKey) =
        let c = compare this.At o.At
        if c <> 0 then c else this.Seq.CompareTo o.Seq

    override this.Equals o =
        match o with
        | :? DueKey as k -> this.Seq = k.Seq
        | _ -> false
    override this.GetHashCode() = this.Seq.GetHashCode()
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? DueKey as k -> this.Compare k
            | _ -> invalidArg (nameof o) "not a DueKey"

/// What happens when a timer runs out.
type Alarm =
    /// A scheduled job's time comes.
    | Wake of JobId
    /// A job's TTL runs out.
    | Expire of JobId
    /// A lease's TTR runs out.
    | LeaseEnd of JobId
    /// A blocked connection's wait-timeout runs out.
    | WaitEnd of ConnId

/// A deadline. Timers fire in order of instant; within an instant, jobs' timers in
/// arrival order before waits run out (so a job that becomes ready at the instant a wait
/// runs out still reaches that waiter), then by kind.
[<CustomEquality; CustomComparison>]
type Timer =
    { At: Instant
      Seq: int64
      Alarm: Alarm }

    member this.IsWaitEnd =
        match this.Alarm with
        | WaitEnd _ -> true
        | _ -> false

    member private this.Rank =
        match this.Alarm with
        | Wake _ -> 0
        | Expire _ -> 1
        | LeaseEnd _ -> 2
        | WaitEnd _ -> 3

    member private this.Compare(o: Timer) =
        let c = compare this.At o.At
        if c <> 0 then c
        else
            let c = this.IsWaitEnd.CompareTo o.IsWaitEnd
            if c <> 0 then c
            else
                let c = this.Seq.CompareTo o.Seq
                if c <> 0 then c else this.Rank.CompareTo o.Rank

    override this.Equals o =
        match o with
        | :? Timer as t -> this.Compare t = 0
        | _ -> false
    override this.GetHashCode() = HashCode.Combine(this.At, this.Seq, this.Rank)
    interface IComparable with
        member this.CompareTo o =
            match o with
            | :? Timer as t -> this.Compare t
            | _ -> invalidArg (nameof o) "not a Timer"

/// A blocked worker's place among those waiting on a name: first come, first served.
type WaiterKey = { Seq: int64; Conn: ConnId }
