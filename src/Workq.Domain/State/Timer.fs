namespace Workq.Domain

open System

/// A deadline. Timers fire in order of instant; within an instant, jobs' timers in
/// arrival order first, then recurrences (so that an occurrence sees the jobs' timers of
/// its instant done), then waits (so a job that becomes ready at the instant a wait runs
/// out still reaches that waiter), and by kind within each.
///
/// Every job has at least one timer, and the timer trees copy their keys on every
/// change, so this is a small struct (24 bytes): the alarm is flattened into a kind packed
/// beside the arrival number and a target, the job's id, the recurrence's key or the
/// waiting connection; `Alarm` gives it back as a union.
[<Struct; CustomEquality; NoComparison>]
type Timer =
    private
        { at: Instant
          /// The arrival (or wait) number shifted left by three, over the alarm's kind, in
          /// firing order within an instant and arrival number: Wake, Expire, LeaseEnd,
          /// Occurrence, WaitEnd.
          seqAndKind: int64
          /// The JobId of a job alarm, the key of an Occurrence, the boxed ConnId of a WaitEnd.
          target: obj }

    static member private Make(at: Instant, seq: int64, kind: int64, target: obj) =
        { at = at; seqAndKind = (seq <<< 3) ||| kind; target = target }

    static member Of(at: Instant, seq: int64, alarm: Alarm) =
        match alarm with
        | Wake id -> Timer.Make(at, seq, 0L, id)
        | Expire id -> Timer.Make(at, seq, 1L, id)
        | LeaseEnd id -> Timer.Make(at, seq, 2L, id)
        | Occurrence key -> Timer.Make(at, seq, 3L, key)
        | WaitEnd conn -> Timer.Make(at, seq, 4L, nonNull (box conn))

    member private this.Kind = this.seqAndKind &&& 7L
    member this.At = this.at
    member this.Seq = this.seqAndKind >>> 3
    member this.IsWaitEnd = this.Kind = 4L
    /// Wake and Expire: a job's own clock, set when it arrives and kept until it leaves.
    member this.IsJobClock = this.Kind < 2L

    /// The order of the classes within an instant: jobs' timers, recurrences, waits.
    member private this.Class =
        match this.Kind with
        | 3L -> 1
        | 4L -> 2
        | _ -> 0

    member this.Alarm =
        match this.Kind with
        | 0L -> Wake(this.target :?> JobId)
        | 1L -> Expire(this.target :?> JobId)
        | 2L -> LeaseEnd(this.target :?> JobId)
        | 3L -> Occurrence(this.target :?> JobName)
        | _ -> WaitEnd(unbox<ConnId> this.target)

    static member Compare(a: Timer, b: Timer) =
        let c = (int64 a.at).CompareTo(int64 b.at)
        if c <> 0 then c
        else
            let c = a.Class.CompareTo b.Class
            if c <> 0 then c else a.seqAndKind.CompareTo b.seqAndKind

    member this.Equals(o: Timer) = Timer.Compare(this, o) = 0
    override this.Equals(o: obj) =
        match o with
        | :? Timer as t -> this.Equals t
        | _ -> false
    override this.GetHashCode() = HashCode.Combine(this.at, this.seqAndKind)
    override this.ToString() =
        let alarm =
            match this.Alarm with
            | Wake id -> "Wake " + string id
            | Expire id -> "Expire " + string id
            | LeaseEnd id -> "LeaseEnd " + string id
            | WaitEnd conn -> "WaitEnd " + string conn
            | Occurrence key -> "Occurrence " + key.Value
        "Timer(" + string (int64 this.at) + ", " + string this.Seq + ", " + alarm + ")"
    interface IEquatable<Timer> with
        member this.Equals o = this.Equals o
