namespace Workq.Domain

/// One name's jobs and workers. A queue exists only while something is in it.
type Queue =
    { /// The one instance of the name that the queue's jobs share.
      Name: JobName
      Ready: SortedKeys<QueueKey>
      Scheduled: SortedKeys<DueKey>
      Leased: int
      Workers: Set<WaiterKey> }

module Queue =
    let private noReady = SortedKeys.empty Order.queueKey
    let private noneScheduled = SortedKeys.empty Order.dueKey

    let empty name = { Name = name; Ready = noReady; Scheduled = noneScheduled; Leased = 0; Workers = Set.empty }

    let isEmpty q = q.Ready.IsEmpty && q.Scheduled.IsEmpty && q.Leased = 0 && q.Workers.IsEmpty

    /// When its longest-ready job became ready. Ready jobs run in lease order, highest
    /// priority first and oldest first within a priority, so the oldest is the first of one
    /// of the priorities' runs: one seek per priority present finds each, never a walk of
    /// the jobs. Past `maxPriorities` distinct priorities it is the oldest of those seen,
    /// with `false` for not exact.
    let oldestReady (maxPriorities: int) q : struct (Instant voption * bool) =
        let rec seek (from: QueueKey) (oldest: Instant) seen =
            if from.Priority = System.Int32.MinValue then struct (oldest, true)
            else
                // Every key of `from`'s priority sorts before this one, and every key of a lower priority after.
                let probe = { from with Priority = from.Priority - 1; Since = System.Int64.MinValue * 1L<ms>; Seq = System.Int64.MinValue }
                match SortedKeys.skip (SortedKeys.rank probe q.Ready) q.Ready |> Seq.tryHead with
                | None -> struct (oldest, true)
                | Some _ when seen = maxPriorities -> struct (oldest, false)
                | Some next -> seek next (min next.Since oldest) (seen + 1)
        match SortedKeys.minElement q.Ready with
        | ValueSome first ->
            let struct (oldest, exact) = seek first first.Since 1
            struct (ValueSome oldest, exact)
        | ValueNone -> struct (ValueNone, true)
